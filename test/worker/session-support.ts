/** A session client for workerd tests: a WebSocket to /discovery/session through the Worker. */
import { parse } from '../../src/protocol/int64-json.ts'
import { BASE, waitFor, worker } from './support.ts'

export type Frame = Record<string, unknown> & { type: string }

export interface TestSession {
  ws: WebSocket
  /** Every frame received, parsed (timestamps beyond 2^53 as bigint), and as text. */
  frames: Frame[]
  texts: string[]
  closed: { code: number; reason: string } | undefined
  send(frame: Record<string, unknown> | string): void
  /** Send a request with a fresh id and wait for its ok or error. */
  request(frame: Record<string, unknown>): Promise<Frame>
  /** Wait for the first frame after index `from` that matches. */
  next(match: (frame: Frame) => boolean, from?: number): Promise<Frame>
  close(): void
}

let ids = 0

/** A session id nobody else uses. */
export const freshSession = () => `t${crypto.randomUUID().replaceAll('-', '')}`

/** Open a session on `appid` (env dev); resolves after its hello. */
export async function openSession(
  appid: string,
  session = freshSession(),
  headers: Record<string, string> = {}
): Promise<TestSession> {
  const response = await worker.fetch(`${BASE}/session?appid=${appid}&env=dev&session=${session}`, {
    headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'discovery.v1', ...headers },
  })
  const ws = response.webSocket
  if (!ws) throw new Error(`no WebSocket: HTTP ${response.status} ${await response.text()}`)
  ws.accept()
  const client: TestSession = {
    ws,
    frames: [],
    texts: [],
    closed: undefined,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    async request(frame) {
      const id = ++ids
      const from = client.frames.length
      client.send({ ...frame, id })
      return client.next((f) => f.id === id, from)
    },
    async next(match, from = 0) {
      let found: Frame | undefined
      await waitFor(() => {
        found = client.frames.slice(from).find(match)
        return found !== undefined
      })
      return found as Frame
    },
    close: () => ws.close(1000, 'test done'),
  }
  ws.addEventListener('message', (event) => {
    const text = String(event.data)
    client.texts.push(text)
    client.frames.push(parse(text) as Frame)
  })
  ws.addEventListener('close', (event) => {
    client.closed = { code: event.code, reason: event.reason }
  })
  await client.next((f) => f.type === 'hello')
  return client
}

/** A register frame of hostname `h` in zone sh001. */
export const registerFrame = (h: string, extra: Record<string, unknown> = {}) => ({
  op: 'register',
  zone: 'sh001',
  hostname: h,
  addrs: ['grpc://10.0.0.1:9000'],
  ...extra,
})
