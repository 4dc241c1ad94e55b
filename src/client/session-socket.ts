/**
 * One session connection's lifecycle (docs/sessions.md): open within a deadline, wait for
 * `hello`, send its heartbeat text every `ping_interval_ms`, and call the connection dead after
 * two heartbeats without a pong. Hands every other frame to its owner and resolves `ended` once,
 * saying how the connection ended; reconnecting, failover and fallback are the owner's business.
 */
import {
  decodeFrame,
  type ErrorFrame,
  type HelloFrame,
  type ServerFrame,
} from './session-frames.ts'
import type { Timers } from './timers.ts'

/**
 * The part of the WHATWG WebSocket the SDK uses: browsers, Workers, Node ≥ 22 and the `ws`
 * package all provide it.
 */
export interface WebSocketLike {
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'open' | 'error', listener: () => void): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
}

/** A WebSocket class: `globalThis.WebSocket`, the `ws` package's, or a test double. */
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike

/** How a connection ended. */
export type SocketEnd =
  /** `close()` was called. */
  | { kind: 'local' }
  /** It failed before opening: an HTTP answer to the upgrade, or a network failure. */
  | { kind: 'unopened' }
  | { kind: 'timeout'; waitingFor: 'open' | 'hello' }
  /** Two heartbeats went unanswered. */
  | { kind: 'dead' }
  /** The registry sent something that is not a session frame. */
  | { kind: 'garbled'; problem: string }
  /** Closed after opening; `error` is the refusal (an `error` frame) that came instead of hello. */
  | { kind: 'closed'; code: number; reason: string; error: ErrorFrame | undefined }

export interface SessionSocketOptions {
  WebSocket: WebSocketConstructor
  url: string
  protocols: string[]
  timers: Timers
  /** Deadline for opening, and then for `hello`. */
  timeoutMs: number
  onHello(hello: HelloFrame): void
  /** Every frame after `hello` except pongs. */
  onFrame(frame: ServerFrame): void
}

/** Heartbeats in a row without a pong after which the connection is dead (the protocol's advice). */
const MISSED_PONGS = 2

export class SessionSocket {
  /** Resolves once, when the connection is over. */
  readonly ended: Promise<SocketEnd>
  readonly #options: SessionSocketOptions
  readonly #socket: WebSocketLike
  #state: 'connecting' | 'open' | 'ready' | 'ended' = 'connecting'
  #finish: (end: SocketEnd) => void = () => {}
  #timer: unknown
  #awaitingPong = false
  #missed = 0
  #refusal: ErrorFrame | undefined

  /** Throws what the WebSocket constructor throws (a malformed URL or subprotocol). */
  constructor(options: SessionSocketOptions) {
    this.#options = options
    this.ended = new Promise((resolve) => {
      this.#finish = resolve
    })
    this.#socket = new options.WebSocket(options.url, options.protocols)
    this.#socket.addEventListener('open', () => this.#opened())
    this.#socket.addEventListener('message', (event) => this.#received(event.data))
    // Every failure is followed by a close event, which says what happened.
    this.#socket.addEventListener('error', () => {})
    this.#socket.addEventListener('close', (event) => this.#closed(event.code, event.reason))
    this.#arm(() => this.#fail({ kind: 'timeout', waitingFor: 'open' }), options.timeoutMs)
  }

  /** Whether `hello` has arrived and the connection has not ended. */
  get ready(): boolean {
    return this.#state === 'ready'
  }

  /** Send one frame; false when the connection is not ready. */
  send(text: string): boolean {
    if (this.#state !== 'ready') return false
    try {
      this.#socket.send(text)
      return true
    } catch {
      return false // closing under us: its close event ends the connection
    }
  }

  /** End the connection (code 1000: done). */
  close(code = 1000): void {
    if (this.#end({ kind: 'local' })) this.#socket.close(code)
  }

  #opened(): void {
    if (this.#state !== 'connecting') return
    this.#state = 'open'
    this.#arm(() => this.#fail({ kind: 'timeout', waitingFor: 'hello' }), this.#options.timeoutMs)
  }

  #received(data: unknown): void {
    if (this.#state !== 'open' && this.#state !== 'ready') return
    let frame: ServerFrame | undefined
    try {
      if (typeof data !== 'string') throw new Error('a binary frame')
      frame = decodeFrame(data)
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      this.#fail({ kind: 'garbled', problem: `not a session frame (${why})` })
      return
    }
    if (frame === undefined) return // a frame type from a later protocol version
    if (this.#state === 'open' && frame.type === 'error' && frame.id === undefined) {
      // A refusal instead of hello (the app holds its most sessions); the close follows.
      this.#refusal = frame
      return
    }
    if (this.#state === 'open') {
      if (frame.type !== 'hello') {
        this.#fail({ kind: 'garbled', problem: `${frame.type} before hello` })
        return
      }
      this.#state = 'ready'
      this.#heartbeat(frame)
      this.#options.onHello(frame)
      return
    }
    if (frame.type === 'pong') {
      this.#awaitingPong = false
      this.#missed = 0
      return
    }
    this.#options.onFrame(frame)
  }

  #closed(code: number, reason: string): void {
    const opened = this.#state !== 'connecting'
    this.#end(
      opened ? { kind: 'closed', code, reason, error: this.#refusal } : { kind: 'unopened' }
    )
  }

  /** Send the heartbeat text every interval; a heartbeat due while one is unanswered is a miss. */
  #heartbeat(hello: HelloFrame): void {
    this.#arm(() => {
      if (this.#awaitingPong) this.#missed += 1
      if (this.#missed >= MISSED_PONGS) return this.#fail({ kind: 'dead' })
      this.#awaitingPong = this.send(hello.ping)
      this.#heartbeat(hello)
    }, hello.pingIntervalMs)
  }

  #arm(callback: () => void, ms: number): void {
    const { timers } = this.#options
    timers.clearTimeout(this.#timer)
    this.#timer = timers.setTimeout(callback, ms)
  }

  #fail(end: SocketEnd): void {
    if (this.#end(end)) this.#socket.close()
  }

  /** Resolve `ended` (the first time only); false when it already had. */
  #end(end: SocketEnd): boolean {
    if (this.#state === 'ended') return false
    this.#state = 'ended'
    this.#options.timers.clearTimeout(this.#timer)
    this.#finish(end)
    return true
  }
}
