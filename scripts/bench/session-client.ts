/**
 * Just enough of a session client (docs/sessions.md) for the benchmark: open a session with
 * the `ws` package (Node 20 has no WebSocket client), read `hello`, send requests and wait for
 * their `ok`, and let a figure look at every frame first, with its arrival time. No
 * reconnects, no lossless number parsing: cursors are written back as the digits fetch gave.
 */
import WebSocket from 'ws'
import { ENV } from './wire.ts'

export const SUBPROTOCOL = 'discovery.v1'

/** The fields of `hello` the benchmark uses. */
export interface Hello {
  session: string
  /** The exact heartbeat text, answered by the runtime. */
  ping: string
  ping_interval_ms: number
  grace_ms: number
}

/** The server answered the upgrade with an ordinary HTTP reply: it has no sessions. */
export class NoSessionsError extends Error {
  override name = 'NoSessionsError'
  readonly status: number

  constructor(status: number) {
    super(`GET /discovery/session answered HTTP ${status}, not 101: the server has no sessions`)
    this.status = status
  }
}

/**
 * Sees each frame's text and arrival time (performance.now()) before anything else; returns
 * true when it consumed the frame (so it is not parsed as an answer).
 */
export type FrameWatcher = (text: string, at: number) => boolean

export interface Session {
  readonly hello: Hello
  readonly socket: WebSocket
  /** Replace the frame watcher (undefined: none). */
  watch(watcher: FrameWatcher | undefined): void
  /** Send `frame` with a fresh `id` and settle with its `ok` (or reject with its `error`). */
  request(frame: Record<string, unknown> | string): Promise<void>
  send(text: string): void
  /** Drop the connection at once (no close handshake). */
  kill(): void
}

const OPEN_TIMEOUT_MS = 30_000
const ANSWER_TIMEOUT_MS = 30_000

export interface OpenOptions {
  /** ws://127.0.0.1:port */
  origin: string
  appid: string
  env?: string
  session?: string
}

/** Open one session and wait for its `hello`. */
export function openSession(options: OpenOptions): Promise<Session> {
  const params = new URLSearchParams({ appid: options.appid, env: options.env ?? ENV })
  if (options.session) params.set('session', options.session)
  const socket = new WebSocket(`${options.origin}/discovery/session?${params}`, [SUBPROTOCOL], {
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handshakeTimeout: OPEN_TIMEOUT_MS,
  })
  return new Promise((resolve, reject) => {
    let watcher: FrameWatcher | undefined
    let nextId = 1
    const pending = new Map<number, { ok: () => void; fail: (e: Error) => void }>()
    const failAll = (error: Error) => {
      for (const p of pending.values()) p.fail(error)
      pending.clear()
    }
    socket.on('unexpected-response', (request, response) => {
      reject(new NoSessionsError(response.statusCode ?? 0))
      request.destroy()
    })
    socket.on('error', (error) => {
      reject(error)
      failAll(error)
    })
    socket.on('close', (code) => failAll(new Error(`session closed (${code})`)))
    const session: Session = {
      hello: { session: '', ping: '', ping_interval_ms: 0, grace_ms: 0 },
      socket,
      watch: (w) => {
        watcher = w
      },
      request: (frame) => {
        const id = nextId++
        const text =
          typeof frame === 'string'
            ? `{"id":${id},${frame.slice(1)}`
            : JSON.stringify({ ...frame, id })
        return new Promise<void>((ok, fail) => {
          const timer = setTimeout(
            () => fail(new Error(`no answer to ${text.slice(0, 80)}`)),
            ANSWER_TIMEOUT_MS
          )
          const settle = (then: () => void) => () => {
            clearTimeout(timer)
            then()
          }
          pending.set(id, { ok: settle(ok), fail: (e) => settle(() => fail(e))() })
          socket.send(text)
        })
      },
      send: (text) => socket.send(text),
      kill: () => socket.terminate(),
    }
    let greeted = false
    socket.on('message', (data: Buffer) => {
      const at = performance.now()
      const text = data.toString()
      if (greeted && watcher?.(text, at)) return
      let frame: { type?: string; id?: unknown; code?: number; message?: string }
      try {
        frame = JSON.parse(text) as typeof frame
      } catch {
        return // not ours to judge here
      }
      if (!greeted) {
        greeted = true
        if (frame.type !== 'hello') {
          reject(new Error(`first frame was not hello: ${text.slice(0, 200)}`))
          socket.terminate()
          return
        }
        Object.assign(session.hello, frame)
        resolve(session)
        return
      }
      if (typeof frame.id !== 'number') return
      const waiting = pending.get(frame.id)
      if (!waiting) return
      pending.delete(frame.id)
      if (frame.type === 'ok') waiting.ok()
      else waiting.fail(new Error(`${frame.type} ${frame.code ?? ''}: ${frame.message ?? text}`))
    })
  })
}

/** Open `count` sessions on `appid`, `parallel` handshakes at a time. */
export async function openSessions(
  options: OpenOptions,
  count: number,
  parallel = 100
): Promise<Session[]> {
  const opened: Session[] = []
  try {
    for (let i = 0; i < count; i += parallel) {
      const batch = Array.from({ length: Math.min(parallel, count - i) }, () =>
        openSession(options)
      )
      const settled = await Promise.allSettled(batch)
      for (const s of settled) if (s.status === 'fulfilled') opened.push(s.value)
      const failed = settled.find((s) => s.status === 'rejected')
      if (failed) throw failed.reason
    }
    return opened
  } catch (error) {
    for (const s of opened) s.kill()
    throw error
  }
}

/** Drop every session's connection (the server sees the sockets close, not a close frame). */
export function killAll(sessions: Session[]): void {
  for (const s of sessions) s.kill()
}
