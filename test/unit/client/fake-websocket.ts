/**
 * A WebSocket double for the session tests, and a scriptable registry behind it. Sockets open
 * only when the test (or the registry's defaults) says so; frames the SDK sends are recorded and
 * read back with the int64-exact parser, so cursors are compared as the bigints they are.
 */
import type { WebSocketLike } from '../../../src/client/session-socket.ts'
import { encodeInstance } from '../../../src/protocol/instance-codec.ts'
import { type Int64Json, parse, stringify } from '../../../src/protocol/int64-json.ts'
import type { Instance } from '../../../src/registry/model.ts'
import { viewJson } from './fakes.ts'

type Listener = (event: never) => void

/** One fake connection, as the SDK and the test see it. */
export class FakeSocket implements WebSocketLike {
  readonly url: URL
  readonly protocols: string[]
  /** Text frames the SDK sent, in order. */
  readonly sent: string[] = []
  /** What the SDK passed to close(), if it did. */
  closedWith: { code: number | undefined } | undefined
  state: 'connecting' | 'open' | 'closed' = 'connecting'
  readonly #listeners = new Map<string, Listener[]>()

  constructor(url: string, protocols: string[]) {
    this.url = new URL(url)
    this.protocols = protocols
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener])
  }

  send(data: string): void {
    if (this.state !== 'open') throw new Error('send on a socket that is not open')
    this.sent.push(data)
  }

  close(code?: number): void {
    this.closedWith = { code }
    if (this.state === 'closed') return
    this.state = 'closed'
    // As in browsers, the close event follows later.
    queueMicrotask(() => this.#emit('close', { code: code ?? 1005, reason: '' }))
  }

  /** The requests the SDK sent (heartbeats left out), parsed. */
  requests(): Record<string, Int64Json>[] {
    return this.sent
      .filter((text) => text !== PING)
      .map((text) => parse(text) as Record<string, Int64Json>)
  }

  /** The `op`s the SDK sent, in order (heartbeats left out). */
  ops(): string[] {
    return this.requests().map((r) => String(r.op))
  }

  /** The last request with this op. */
  last(op: string): Record<string, Int64Json> {
    const found = this.requests().filter((r) => r.op === op)
    const request = found[found.length - 1]
    if (!request) throw new Error(`no ${op} was sent (sent: ${this.ops().join(', ')})`)
    return request
  }

  /** The registry accepts the upgrade. */
  accept(): void {
    this.state = 'open'
    this.#emit('open', {})
  }

  /** The registry sends a frame (an object is written with the int64-exact writer). */
  receive(frame: object | string): void {
    if (this.state !== 'open') return
    this.#emit('message', { data: typeof frame === 'string' ? frame : stringify(frame) })
  }

  /** The registry answers request `op` (the last one sent) with `ok`. */
  ok(op: string): void {
    this.receive({ type: 'ok', id: this.last(op).id })
  }

  /** The connection fails before opening (an HTTP answer or no answer: the same to the SDK). */
  refuse(): void {
    this.state = 'closed'
    this.#emit('error', {})
    this.#emit('close', { code: 1006, reason: '' })
  }

  /** The connection ends from the registry's side (or the network's). */
  drop(code = 1006, reason = ''): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.#emit('close', { code, reason })
  }

  #emit(type: string, event: object): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event as never)
  }
}

export const PING = '{"op":"ping"}'

/** A `hello` frame with the protocol's defaults. */
export const hello = (overrides: object = {}) => ({
  type: 'hello',
  v: 1,
  session: 'ignored-by-the-sdk',
  ping: PING,
  ping_interval_ms: 30_000,
  grace_ms: 10_000,
  may: ['read', 'write'],
  limits: {},
  ...overrides,
})

/**
 * A registry that hands out FakeSockets. By default it accepts each connection, says hello and
 * answers every request `ok`; switch `autoOpen` / `autoOk` off to script a test step by step.
 */
export function fakeSessionRegistry() {
  const sockets: FakeSocket[] = []
  const registry = { sockets, autoOpen: true, autoOk: true, WebSocket: FakeSocket }
  registry.WebSocket = class extends FakeSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols)
      sockets.push(this)
      if (registry.autoOpen) {
        queueMicrotask(() => {
          this.accept()
          this.receive(hello())
        })
      }
    }

    override send(data: string): void {
      super.send(data)
      if (!registry.autoOk || data === PING) return
      const id = (parse(data) as Record<string, Int64Json>).id
      queueMicrotask(() => this.receive({ type: 'ok', id }))
    }
  }
  /** The socket now in use (the last one made). */
  const current = (): FakeSocket => {
    const socket = sockets[sockets.length - 1]
    if (!socket) throw new Error('no socket was opened')
    return socket
  }
  return Object.assign(registry, { current })
}

/** A `view` frame as the registry writes it (instances by zone, exact timestamps). */
export const viewFrame = (instances: Instance[], latest: bigint): string =>
  `{"type":"view",${viewJson(instances, latest).slice(1)}`

/** A `delta` frame: `put` as full instances, `del` as zone + hostname. */
export function deltaFrame(
  from: bigint,
  latest: bigint,
  put: Instance[],
  del: Pick<Instance, 'zone' | 'hostname'>[] = []
): string {
  const removed = del.map(({ zone, hostname }) => ({ zone, hostname }))
  return (
    `{"type":"delta","from":${from},"latest_timestamp":${latest},` +
    `"put":[${put.map((i) => encodeInstance(i)).join(',')}],"del":${JSON.stringify(removed)}}`
  )
}
