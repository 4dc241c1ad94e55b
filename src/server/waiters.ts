/**
 * Held polls, registry side. The Worker holds the client's HTTP request and asks this object,
 * per watched app, whether the client is behind. A client that is behind gets the view at once
 * in the HTTP answer, with no socket, whatever is held: caps on held polls can delay a client
 * by one hold at most, never hide the app from it. Otherwise the object accepts a hibernatable
 * WebSocket, which costs it nothing while idle, and pushes the new view when the app changes.
 *
 * HTTP answers (no socket): `c<view JSON>` (changed: the full current view, UP instances only,
 * in the watcher's zone); `m` or `u` (app or zone missing / unchanged, and no socket to spare:
 * the app holds its most polls, the Worker holds the poll without one); 429 with the reason
 * when the caller's token or address holds its most polls (socket-quota.ts).
 * With a socket, the 101 answer's `x-watch-state` header says `m` or `u`, and the socket's one
 * message is `c<view JSON>` on the next change, after which the object closes it: one poll
 * takes one answer. (The state travels in the header, not as a first message: a message costs
 * both sides an event on every poll, and most polls end without a change.)
 */
import { holderFrom } from './holder.ts'
import type { SnapshotCache } from './snapshot-cache.ts'
import { capsFor, SocketQuota } from './socket-quota.ts'

/** Most held polls one app accepts at once; more hold without a socket (see above). */
export const HELD_POLLS_PER_APP = 10_000

const UP_ONLY = 1
const ZONE_TAG = 'z:'
/** On every held poll's socket: sessions share the object, and are counted apart. */
const WAITER_TAG = 'w'
/** The 101 answer's header that carries the app's state when the poll arrived (`m` or `u`). */
export const WATCH_STATE_HEADER = 'x-watch-state'

export class Waiters {
  readonly #ctx: DurableObjectState
  readonly #snapshots: SnapshotCache
  readonly #latest: () => bigint
  readonly #quota: SocketQuota

  constructor(
    ctx: DurableObjectState,
    snapshots: SnapshotCache,
    latest: () => bigint,
    perApp = HELD_POLLS_PER_APP
  ) {
    this.#ctx = ctx
    this.#snapshots = snapshots
    this.#latest = latest
    this.#quota = new SocketQuota(ctx, WAITER_TAG, capsFor(perApp))
  }

  /** A poll's watch: `GET /watch?zone=…&since=…` with `Upgrade: websocket`. */
  accept(request: Request): Response {
    if (request.headers.get('Upgrade') !== 'websocket')
      return new Response('expected a WebSocket upgrade', { status: 426 })
    const url = new URL(request.url)
    const zone = url.searchParams.get('zone') ?? ''
    const since = /^-?\d{1,20}$/.test(url.searchParams.get('since') ?? '')
      ? BigInt(url.searchParams.get('since') ?? '0')
      : 0n
    const view = this.#snapshots.get({ zone, statusMask: UP_ONLY })
    if (view !== undefined && since < this.#latest()) return new Response(`c${view}`)
    const state = view === undefined ? 'm' : 'u'
    const quota = this.#quota.check(holderFrom(request))
    if (!quota.ok && quota.full === 'app') return new Response(state)
    if (!quota.ok) return new Response(quota.message, { status: 429 })
    const { 0: client, 1: server } = new WebSocketPair()
    this.#ctx.acceptWebSocket(server, [...quota.tags, ZONE_TAG + zone])
    this.#quota.added(quota.tags)
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: { [WATCH_STATE_HEADER]: state },
    })
  }

  /** How many polls hold a socket on this app now (for /metrics and the console). */
  get held(): number {
    return this.#ctx.getWebSockets(WAITER_TAG).length
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
