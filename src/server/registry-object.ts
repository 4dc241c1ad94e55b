/**
 * The Durable Object for one application (appid + env): lifecycle and I/O only. It builds the
 * store (SQLite), the AppRegistry (every write sequence, platform-free), the held polls and the
 * sessions, forwards RPC calls and socket events, keeps the lease alarm (lease-alarm.ts) and
 * calls the catalog. No registry rule and no error mapping lives here.
 */
import { DurableObject } from 'cloudflare:workers'
import { replyBody } from '../protocol/reply.ts'
import { PING_FRAME, PONG_FRAME } from '../protocol/session-frames.ts'
import type {
  CancelInput,
  RegisterInput,
  RenewInput,
  SetInput,
  SnapshotQuery,
} from '../registry/model.ts'
import { AppCounters, countingStore } from './app-counters.ts'
import { AppRegistry } from './app-registry.ts'
import { type AppReport, appReport, type InstanceFilter } from './app-report.ts'
import type { AppChange } from './change-log.ts'
import { parseConfig } from './config.ts'
import { LeaseAlarm } from './lease-alarm.ts'
import type { HistoryEntry } from './registry-store.ts'
import { catalogOf } from './registry-stub.ts'
import { SESSIONS_PER_APP, Sessions } from './sessions.ts'
import { SqlStore } from './sql-store.ts'
import { HELD_POLLS_PER_APP, Waiters } from './waiters.ts'

export class RegistryObject extends DurableObject<Env> {
  readonly #registry: AppRegistry
  readonly #waiters: Waiters
  readonly #sessions: Sessions
  /** Log each event handler's start (LOG_WAKES=on): the bench counts object wake-ups. */
  readonly #logWakes: boolean
  readonly #alarm: LeaseAlarm
  /** Changes since this object started, for /metrics (app-counters.ts). */
  readonly #counters = new AppCounters()
  readonly #startedMs: number
  readonly #renewIntervalMs: number

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    // from the object's own bindings: cheap, and no module-level config to keep in step
    const config = parseConfig(env)
    this.#alarm = new LeaseAlarm(
      ctx.storage,
      () => this.now(),
      Math.min(1000, config.evictAfterMs / 10)
    )
    this.#startedMs = this.now()
    this.#renewIntervalMs = config.renewIntervalMs
    this.#registry = new AppRegistry({
      store: countingStore(new SqlStore(ctx.storage.sql), this.#counters),
      clock: { now: () => this.now() },
      config,
      announce: (change) => this.#announced(change),
      catalog: (app, listed) => catalogOf(this.env)[listed ? 'add' : 'remove'](app.appid, app.env),
    })
    this.#waiters = new Waiters(
      ctx,
      this.#registry.snapshots,
      () => this.#registry.latestTimestamp,
      this.maxHeldPolls()
    )
    this.#sessions = new Sessions(ctx, this.#registry, {
      now: () => this.now(),
      pingIntervalMs: config.renewIntervalMs,
      graceMs: config.sessionGraceMs,
      maxSessions: this.maxSessions(),
    })
    // heartbeats are answered by the runtime: a session that only heartbeats never wakes us
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME))
    this.#logWakes = config.logWakes
    // A restart drops every socket without a close event: owners that do not come back within
    // a lease are noticed by the alarm (which may otherwise sleep SESSION_CHECK_SECONDS).
    ctx.blockConcurrencyWhile(async () => {
      if (this.#registry.sessionsAbsent(this.#sessions.connected()))
        await this.#alarm.by(this.now() + config.evictAfterMs)
    })
  }

  // The write methods answer with the whole response body: a string crosses RPC more cheaply
  // than an object (the runtime gives every returned object a disposer function).

  /** POST /discovery/register; `actor` (a token id) goes into the app's history. */
  async register(input: RegisterInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.register(input, actor))
  }

  /**
   * POST /discovery/renew: memory only; the renew time reaches storage in the next flush. A
   * renew by another token than the instance's last writer is recorded in the history.
   */
  renew(input: RenewInput, actor: string): string {
    return replyBody(this.#registry.renew(input, actor))
  }

  /** POST /discovery/cancel */
  async cancel(input: CancelInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.cancel(input, actor))
  }

  /** POST /discovery/set */
  async set(input: SetInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.set(input, actor))
  }

  /**
   * GET /discovery/fetch (named `snapshot`: `fetch` is the object's HTTP handler): the encoded
   * view, or undefined when the app or zone has none. A string, as the writes answer.
   */
  snapshot(query: SnapshotQuery): string | undefined {
    return this.#registry.snapshot(query)
  }

  /** The app's newest changes and who made them (GET /discovery/history). */
  async history(limit: number): Promise<HistoryEntry[]> {
    return this.#registry.history(limit)
  }

  /** Every instance as encoded JSON, unfiltered, metadata `null` when none (fetch/all). */
  async all(): Promise<string[]> {
    return this.#registry.all()
  }

  /**
   * The app's figures for the console and /metrics (app-report.ts), with at most `limit` of
   * the instances that pass `filter`. `app` names the app when the object does not know it
   * yet (an object woken for a report of an app that never registered). Changes nothing.
   */
  report(app: { appid: string; env: string }, filter: InstanceFilter, limit: number): AppReport {
    return appReport(
      this.#registry,
      {
        app: this.#registry.app ?? app,
        lastSeen: this.#sessions.lastSeen(),
        heldPolls: this.#waiters.held,
        sessions: this.#sessions.connected().size,
        counts: this.#counters.snapshot(),
        startedMs: this.#startedMs,
        nowMs: this.now(),
        windowMs: 2 * this.#renewIntervalMs,
      },
      filter,
      limit
    )
  }

  /** WebSocket upgrades from the Worker: sessions (sessions.ts) and held polls (waiters.ts). */
  override async fetch(request: Request): Promise<Response> {
    this.#wake('fetch')
    if (new URL(request.url).pathname === '/session') return this.#sessions.accept(request)
    return this.#waiters.accept(request)
  }

  /** A session's frame (heartbeats never get here: the runtime answers them). */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#wake('message')
    await this.#sessions.message(ws, message)
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#wake('close')
    // Answer the client's close frame: the runtime does not for a hibernatable socket, and a
    // client then waits for the connection to drop (Node's ws: 10 s, so Ctrl-C hung that long).
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code)
    } catch {
      // already closed (or a code that cannot be sent back): nothing to answer
    }
    await this.#socketGone(ws)
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#wake('error')
    await this.#socketGone(ws)
  }

  /**
   * Lease alarm: hold the leases of connected sessions, evict what expired or outlived its
   * grace time (app-registry.ts), then re-arm.
   */
  override async alarm(): Promise<void> {
    this.#wake('alarm')
    this.#alarm.fired()
    await this.#registry.alarm(this.#sessions.lastSeen())
    await this.#alarm.sync(this.#registry.nextWakeMs())
  }

  /** Most sessions the app accepts (sessions.ts). The test subclass lowers it. */
  protected maxSessions(): number {
    return SESSIONS_PER_APP
  }

  /** Most held polls the app holds sockets for (waiters.ts). The test subclass lowers it. */
  protected maxHeldPolls(): number {
    return HELD_POLLS_PER_APP
  }

  /** The object's clock (ms). The test subclass shifts it to travel in time. */
  protected now(): number {
    return Date.now()
  }

  /** A socket closed: a session's instances may now wait out their grace time. */
  async #socketGone(ws: WebSocket): Promise<void> {
    if (this.#sessions.closed(ws)) await this.#alarm.sync(this.#registry.nextWakeMs())
  }

  #wake(event: string): void {
    if (this.#logWakes) console.log(JSON.stringify({ op: 'wake', event }))
  }

  /**
   * The app changed (a batch of writes, an eviction): wake held polls, push the change to
   * session watchers, cover the new leases.
   */
  async #announced(change: AppChange): Promise<void> {
    this.#waiters.notify()
    this.#sessions.push(change)
    try {
      await this.#alarm.sync(this.#registry.nextWakeMs())
    } catch (error) {
      this.#alarm.forget()
      throw error
    }
  }
}
