/**
 * Sessions, registry object side (docs/sessions.md): accepts a session's hibernatable socket,
 * answers its frames through the AppRegistry, pushes the app's changes to its watchers and tells
 * the lease alarm when each session last heartbeat. What a socket is (its session id, caller,
 * rights, watch) lives in its attachment, so it survives hibernation; the heartbeat is answered
 * by the runtime (setWebSocketAutoResponse) and never reaches this code.
 */
import { ECODE } from '../protocol/ecode.ts'
import type { Reply } from '../protocol/reply.ts'
import {
  deltaFrame,
  emptyViewFrame,
  errorFrame,
  type FrameId,
  helloFrame,
  MAX_FRAME_BYTES,
  okFrame,
  parseFrame,
  SESSION_PROTOCOL,
  type SessionRequest,
  viewFrame,
} from '../protocol/session-frames.ts'
import type { Instance } from '../registry/model.ts'
import { type AppRegistry, INSTANCES_PER_SESSION } from './app-registry.ts'
import { type AppChange, ChangeLog } from './change-log.ts'
import { holderFrom } from './holder.ts'
import { type SessionGrant, sessionGrantFrom } from './session-grant.ts'
import { capsFor, SocketQuota } from './socket-quota.ts'
import { TokenBucket } from './token-bucket.ts'

/**
 * Most sessions one app accepts (the runtime allows 32,768 hibernated sockets per object); one
 * token may hold half of them, one client address a tenth (socket-quota.ts).
 */
export const SESSIONS_PER_APP = 20_000
/** Frames per second a session may send on average, and in a burst (heartbeats aside). */
export const FRAME_RATE = { perSecond: 20, burst: 100 } as const
/** Frames refused within 10 s after which a session is closed. */
const REFUSALS_BEFORE_CLOSE = 100

const SESSION_TAG = 's'
const sessionTag = (id: string) => `s:${id}`

/** What a session socket carries through hibernation. */
interface Attachment extends SessionGrant {
  kind: 'session'
  /** This socket, among its session's (the runtime may hand out new wrapper objects). */
  socket: string
  openedMs: number
  watch?: { zone: string; statusMask: number }
  /** Set on a socket replaced by a newer one of the same session: its close changes nothing. */
  replaced?: boolean
}

export class Sessions {
  readonly #ctx: DurableObjectState
  readonly #registry: AppRegistry
  readonly #now: () => number
  readonly #pingIntervalMs: number
  readonly #graceMs: number
  readonly #quota: SocketQuota
  readonly #log = new ChangeLog()
  /** Frame budgets by session id (the runtime may hand us a new WebSocket object per event). */
  readonly #buckets = new Map<string, TokenBucket>()
  /** Attachments read this wake-up (deserializing each one per push would cost more). */
  readonly #attachments = new WeakMap<WebSocket, Attachment>()

  constructor(
    ctx: DurableObjectState,
    registry: AppRegistry,
    options: { now: () => number; pingIntervalMs: number; graceMs: number; maxSessions?: number }
  ) {
    this.#ctx = ctx
    this.#registry = registry
    this.#now = options.now
    this.#pingIntervalMs = options.pingIntervalMs
    this.#graceMs = options.graceMs
    this.#quota = new SocketQuota(
      ctx,
      SESSION_TAG,
      capsFor(options.maxSessions ?? SESSIONS_PER_APP)
    )
  }

  /**
   * Accept a session socket the Worker forwarded (`/session?…`, rights in headers). A caller
   * whose token or address holds its most sessions is answered 429 with the reason, which the
   * Worker passes on; an app that holds its most sessions is told so on an accepted socket.
   */
  accept(request: Request): Response {
    const grant = sessionGrantFrom(request)
    if (!grant) return new Response('bad session request', { status: 400 })
    const resumed = this.#ctx.getWebSockets(sessionTag(grant.session))
    const quota = this.#quota.check(holderFrom(request), resumed.length)
    if (!quota.ok && quota.full !== 'app') return new Response(quota.message, { status: 429 })
    const { 0: client, 1: server } = new WebSocketPair()
    const headers = { 'Sec-WebSocket-Protocol': SESSION_PROTOCOL }
    if (!quota.ok) {
      // an ordinary socket, never hibernated: it only says why and closes
      server.accept()
      server.send(
        errorFrame(
          undefined,
          -503,
          `${grant.appid} (env ${grant.env}) holds ${this.#quota.caps.app} sessions, the most it accepts: use HTTP renews and polls`
        )
      )
      server.close(1013, 'too many sessions')
      return new Response(null, { status: 101, webSocket: client, headers })
    }
    for (const old of resumed) this.#replace(old)
    const attachment: Attachment = {
      kind: 'session',
      ...grant,
      socket: crypto.randomUUID(),
      openedMs: this.#now(),
    }
    this.#ctx.acceptWebSocket(server, [...quota.tags, sessionTag(grant.session)])
    server.serializeAttachment(attachment)
    this.#attachments.set(server, attachment)
    this.#quota.added(quota.tags)
    this.#registry.sessionOpened(grant.session)
    server.send(
      helloFrame({
        session: grant.session,
        pingIntervalMs: this.#pingIntervalMs,
        graceMs: this.#graceMs,
        may: grant.may,
        limits: {
          frame_bytes: MAX_FRAME_BYTES,
          frames_per_second: FRAME_RATE.perSecond,
          frames_burst: FRAME_RATE.burst,
          instances_per_session: INSTANCES_PER_SESSION,
          sessions_per_app: this.#quota.caps.app,
        },
      })
    )
    return new Response(null, { status: 101, webSocket: client, headers })
  }

  /** Whether `ws` is a session socket (not a held poll's). */
  owns(ws: WebSocket): boolean {
    return this.#attachment(ws) !== undefined
  }

  /** A frame from a session. */
  async message(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const session = this.#attachment(ws)
    if (!session) return
    if (this.#expired(ws, session)) return
    const bucket = this.#bucket(session.session)
    if (!bucket.take(this.#now())) {
      if (bucket.refused > REFUSALS_BEFORE_CLOSE) {
        close(ws, 1008, 'too many frames')
        return
      }
      send(ws, errorFrame(undefined, -429, `more than ${FRAME_RATE.perSecond} frames per second`))
      return
    }
    if (typeof data !== 'string') {
      send(ws, errorFrame(undefined, ECODE.REQUEST_ERR, 'frame: must be JSON text', 'frame'))
      return
    }
    if (data.length > MAX_FRAME_BYTES) {
      close(ws, 1008, `frame larger than ${MAX_FRAME_BYTES} bytes`)
      return
    }
    const parsed = parseFrame(data, { appid: session.appid, env: session.env })
    if (!parsed.ok) {
      const { id, field, message } = parsed.error
      send(ws, errorFrame(id, ECODE.REQUEST_ERR, message, field))
      return
    }
    await this.#handle(ws, session, parsed.value)
  }

  /**
   * A session socket closed or failed. Says whether the alarm must be re-armed (its instances
   * now wait out a grace time).
   */
  closed(ws: WebSocket): boolean {
    const session = this.#attachment(ws)
    if (!session || session.replaced) return false
    this.#buckets.delete(session.session)
    // another open socket of the same session (a reconnect that overtook this close) keeps it
    const open = (s: WebSocket) => {
      const other = this.#attachment(s)
      return other?.socket !== session.socket && !other?.replaced && s.readyState === WebSocket.OPEN
    }
    if (this.#ctx.getWebSockets(sessionTag(session.session)).some(open)) return false
    return this.#registry.sessionClosed(session.session)
  }

  /**
   * Each connected session's last sign of life (ms): its last heartbeat, or when it opened.
   * Sessions whose token expired are closed here and left out.
   */
  lastSeen(): Map<string, number> {
    const seen = new Map<string, number>()
    for (const ws of this.#ctx.getWebSockets(SESSION_TAG)) {
      const session = this.#attachment(ws)
      if (!session || session.replaced || ws.readyState !== WebSocket.OPEN) continue
      if (this.#expired(ws, session)) continue
      const ping = this.#ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0
      const at = Math.max(ping, session.openedMs)
      seen.set(session.session, Math.max(at, seen.get(session.session) ?? 0))
    }
    return seen
  }

  /** The ids of the sessions with an open socket. */
  connected(): Set<string> {
    const ids = new Set<string>()
    for (const ws of this.#ctx.getWebSockets(SESSION_TAG)) {
      const session = this.#attachment(ws)
      if (session && !session.replaced && ws.readyState === WebSocket.OPEN) ids.add(session.session)
    }
    return ids
  }

  /** The app changed: log it, and push it to every watcher, built once per filter. */
  push(change: AppChange): void {
    this.#log.append(change)
    const frames = new Map<string, string>()
    for (const ws of this.#ctx.getWebSockets(SESSION_TAG)) {
      const session = this.#attachment(ws)
      const watch = session?.watch
      if (!session || !watch || session.replaced) continue
      const key = `${watch.statusMask}:${watch.zone}`
      let frame = frames.get(key)
      if (frame === undefined) {
        frame = this.#deltaFrame(change, watch.zone, watch.statusMask)
        frames.set(key, frame)
      }
      send(ws, frame)
    }
  }

  async #handle(ws: WebSocket, session: Attachment, request: SessionRequest): Promise<void> {
    const { id } = request
    const write = request.op === 'register' || request.op === 'cancel' || request.op === 'set'
    const need = write ? 'write' : 'read'
    if (request.op !== 'unwatch' && !session.may.includes(need)) {
      const why = `this session's token lacks scope ${need} on ${session.appid} (env ${session.env})`
      send(ws, errorFrame(id, -403, why))
      return
    }
    switch (request.op) {
      case 'register':
        return this.#answer(
          ws,
          id,
          await this.#registry.register(request.input, session.actor, session.session)
        )
      case 'cancel':
        return this.#answer(ws, id, await this.#registry.cancel(request.input, session.actor))
      case 'set':
        return this.#answer(ws, id, await this.#registry.set(request.input, session.actor))
      case 'watch': {
        const watch = { zone: request.zone, statusMask: request.statusMask }
        this.#attach(ws, { ...session, watch })
        send(ws, okFrame(id))
        const catchUp = this.#catchUp(request.cursor, watch.zone, watch.statusMask)
        if (catchUp !== undefined) send(ws, catchUp)
        return
      }
      case 'unwatch':
        this.#attach(ws, { ...session, watch: undefined })
        send(ws, okFrame(id))
        return
    }
  }

  #answer(ws: WebSocket, id: FrameId, reply: Reply): void {
    if (reply.code === ECODE.OK) send(ws, okFrame(id))
    else send(ws, errorFrame(id, reply.code, reply.message ?? `code ${reply.code}`, fieldOf(reply)))
  }

  /** What a watcher with `cursor` is missing: nothing, a delta from the log, or the view. */
  #catchUp(cursor: bigint, zone: string, statusMask: number): string | undefined {
    const latest = this.#registry.latestTimestamp
    if (cursor !== 0n) {
      const missed = this.#log.since(cursor, latest)
      if (missed && missed.from === missed.to) return undefined
      if (missed) return this.#deltaFrame(missed, zone, statusMask)
    }
    const view = this.#registry.snapshot({ zone, statusMask })
    return view === undefined ? emptyViewFrame(latest) : viewFrame(view)
  }

  /** A change as one watcher filter sees it: what left the filter is removed. */
  #deltaFrame(change: AppChange, zone: string, statusMask: number): string {
    const put: string[] = []
    const del: { zone: string; hostname: string }[] = []
    const inZone = (z: string) => zone === '' || z === zone
    for (const instance of change.put) {
      if (!inZone(instance.zone)) continue
      if ((instance.status & statusMask) !== 0) put.push(this.#encode(instance))
      else del.push({ zone: instance.zone, hostname: instance.hostname })
    }
    for (const ref of change.del) if (inZone(ref.zone)) del.push(ref)
    return deltaFrame(change.from, change.to, put, del)
  }

  #encode(instance: Instance): string {
    return this.#registry.snapshots.encode(instance)
  }

  #expired(ws: WebSocket, session: Attachment): boolean {
    if (session.expiresMs === undefined || session.expiresMs > this.#now()) return false
    close(ws, 4401, 'token expired')
    return true
  }

  #replace(ws: WebSocket): void {
    const session = this.#attachment(ws)
    if (!session) return
    this.#attach(ws, { ...session, replaced: true })
    close(ws, 4000, 'replaced by a newer connection of this session')
  }

  #attachment(ws: WebSocket): Attachment | undefined {
    let attachment = this.#attachments.get(ws)
    if (attachment === undefined) {
      const stored = ws.deserializeAttachment() as Attachment | null
      if (stored?.kind !== 'session') return undefined
      attachment = stored
      this.#attachments.set(ws, attachment)
    }
    return attachment
  }

  #attach(ws: WebSocket, attachment: Attachment): void {
    ws.serializeAttachment(attachment)
    this.#attachments.set(ws, attachment)
  }

  #bucket(session: string): TokenBucket {
    let bucket = this.#buckets.get(session)
    if (!bucket) {
      bucket = new TokenBucket(FRAME_RATE.perSecond, FRAME_RATE.burst, this.#now())
      this.#buckets.set(session, bucket)
    }
    return bucket
  }
}

/** The field a -400 names, read off its message (`field: problem`). */
function fieldOf(reply: Reply): string | undefined {
  if (reply.code !== ECODE.REQUEST_ERR || !reply.message) return undefined
  return /^([a-z_]+):/.exec(reply.message)?.[1]
}

function send(ws: WebSocket, frame: string): void {
  try {
    ws.send(frame)
  } catch {
    // closed meanwhile: its close event follows
  }
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason)
  } catch {
    // already closed
  }
}
