/**
 * Held polls, registry side. The Worker holds the client's HTTP request and opens one
 * hibernatable WebSocket per watched app; this object only accepts it, says at once whether
 * the client is behind, and pushes the new view when the app changes. Idle sockets cost the
 * object nothing (it can hibernate), and a socket the Worker closes is gone.
 *
 * Messages to the Worker: `m` (app or zone missing), `u` (unchanged), `c<view JSON>` (changed:
 * the full current view, UP instances only, in the watcher's zone). After a `c` the object
 * closes the socket: one poll takes one answer.
 */
import type { SnapshotCache } from './snapshot-cache.ts'

/** Most held polls one app accepts at once; more are told `u` and get no socket. */
const MAX_WAITERS_PER_APP = 10_000

const UP_ONLY = 1
const ZONE_TAG = 'z:'
/** On every held poll's socket: sessions share the object, and are counted apart. */
const WAITER_TAG = 'w'

export class Waiters {
  readonly #ctx: DurableObjectState
  readonly #snapshots: SnapshotCache
  readonly #latest: () => bigint
  /**
   * At least the number of open sockets: counted exactly (getWebSockets, which wraps every
   * socket) only when this bound reaches the limit, then raised by one per accept. So an
   * accept costs O(1) instead of O(sockets), and the limit is enforced as exactly as before.
   */
  #atLeastOpen = Number.POSITIVE_INFINITY

  constructor(ctx: DurableObjectState, snapshots: SnapshotCache, latest: () => bigint) {
    this.#ctx = ctx
    this.#snapshots = snapshots
    this.#latest = latest
  }

  /** Accept a watch socket: `GET /watch?zone=…&since=…` with `Upgrade: websocket`. */
  accept(request: Request): Response {
    if (request.headers.get('Upgrade') !== 'websocket')
      return new Response('expected a WebSocket upgrade', { status: 426 })
    if (this.#atLeastOpen >= MAX_WAITERS_PER_APP)
      this.#atLeastOpen = this.#ctx.getWebSockets(WAITER_TAG).length
    if (this.#atLeastOpen >= MAX_WAITERS_PER_APP)
      return new Response('too many held polls', { status: 503 })
    const url = new URL(request.url)
    const zone = url.searchParams.get('zone') ?? ''
    const since = /^-?\d{1,20}$/.test(url.searchParams.get('since') ?? '')
      ? BigInt(url.searchParams.get('since') ?? '0')
      : 0n
    const { 0: client, 1: server } = new WebSocketPair()
    this.#ctx.acceptWebSocket(server, [WAITER_TAG, ZONE_TAG + zone])
    this.#atLeastOpen += 1
    const view = this.#snapshots.get({ zone, statusMask: UP_ONLY })
    if (view === undefined) server.send('m')
    else if (since >= this.#latest()) server.send('u')
    else this.#answer(server, view)
    return new Response(null, { status: 101, webSocket: client })
  }

  /**
   * The app changed: push the new view to every waiter whose zone still exists. Waiters are
   * found by their zone's tag, and each zone's message is built once for all its sockets.
   * Upstream: a waiter whose app or zone just vanished is not answered; it times out.
   */
  notify(): void {
    const woken: WebSocket[] = []
    for (const zone of this.#snapshots.zones()) {
      const sockets = this.#ctx.getWebSockets(ZONE_TAG + zone)
      if (sockets.length === 0) continue
      const view = this.#snapshots.get({ zone, statusMask: UP_ONLY })
      if (view === undefined) continue
      const message = `c${view}`
      for (const ws of sockets) if (send(ws, message)) woken.push(ws)
    }
    // Every push first, then the closes: the Worker then handles all the pushes (and sends
    // the answers) before the close events, instead of one close between two answers.
    for (const ws of woken) close(ws)
  }

  #answer(ws: WebSocket, view: string): void {
    if (send(ws, `c${view}`)) close(ws)
  }
}

/** Whether the message went out (false: the Worker already closed this socket). */
function send(ws: WebSocket, message: string): boolean {
  try {
    ws.send(message)
    return true
  } catch {
    return false // nobody is waiting on it any more
  }
}

function close(ws: WebSocket): void {
  try {
    ws.close(1000, 'changed')
  } catch {
    // closed by the Worker meanwhile
  }
}
