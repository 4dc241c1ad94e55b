/**
 * The cheapest HTTP/1.1 client for many idle connections: one node:net socket per request,
 * the request written as text, the answer collected as raw bytes and considered complete at
 * Content-Length. `answeredAt` is performance.now() when the last byte arrived.
 */
import { connect, type Socket } from 'node:net'
import { FORM_CONTENT_TYPE } from '../shared/discovery-text.ts'

export interface RawAnswer {
  status: number
  body: string
  answeredAt: number
}

export interface RawExchange {
  /** Settles with the answer, or rejects when the socket fails or closes first. */
  readonly answer: Promise<RawAnswer>
  /** Whether the answer arrived already. */
  readonly answered: boolean
  /** Write the request (now, or when connected) and return when it was handed to the OS. */
  send(text: string): Promise<number>
  close(): void
}

const HEADER_END = Buffer.from('\r\n\r\n')

/** A GET request's text. */
export const getText = (host: string, path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`

/** A form POST's text. */
export const postText = (host: string, path: string, body: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n` +
  `Content-Type: ${FORM_CONTENT_TYPE}\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

/** Connect to host:port; resolves once the socket is connected. */
export function openExchange(host: string, port: number): Promise<RawExchange> {
  return new Promise((resolveOpen, rejectOpen) => {
    const socket: Socket = connect({ host, port, noDelay: true })
    const chunks: Buffer[] = []
    let size = 0
    let needed = -1
    let answered = false
    let settle: (a: RawAnswer) => void = () => {}
    let fail: (e: Error) => void = () => {}
    const answer = new Promise<RawAnswer>((resolve, reject) => {
      settle = resolve
      fail = reject
    })
    answer.catch(() => {}) // a caller that never awaits must not crash the process
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (needed < 0) {
        const all = Buffer.concat(chunks)
        const end = all.indexOf(HEADER_END)
        if (end < 0) return
        const head = all.subarray(0, end).toString('latin1')
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 'NaN')
        if (!Number.isFinite(length)) return fail(new Error(`no Content-Length in ${head}`))
        needed = end + HEADER_END.length + length
      }
      if (size < needed) return
      const answeredAt = performance.now()
      answered = true
      const all = Buffer.concat(chunks)
      const end = all.indexOf(HEADER_END)
      const status = Number(all.subarray(9, 12).toString('latin1'))
      const body = all.subarray(end + HEADER_END.length, needed).toString('utf8')
      settle({ status, body, answeredAt })
    })
    socket.on('error', (error) => {
      fail(error)
      rejectOpen(error)
    })
    socket.on('close', () => fail(new Error('connection closed before the answer')))
    socket.once('connect', () =>
      resolveOpen({
        answer,
        get answered() {
          return answered
        },
        send: (text) =>
          new Promise((resolve, reject) => {
            const at = performance.now()
            socket.write(text, (error) => (error ? reject(error) : resolve(at)))
          }),
        close: () => socket.destroy(),
      })
    )
  })
}

/** Open `count` connections, at most `parallel` connecting at once. */
export async function openMany(host: string, port: number, count: number, parallel = 64) {
  const opened: RawExchange[] = []
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, () => host)
    opened.push(...(await Promise.all(batch.map(() => openExchange(host, port)))))
  }
  return opened
}
