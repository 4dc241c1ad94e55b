/**
 * The Durable Object for one application (appid + env). Owns the I/O: SQLite, the lease
 * alarm, the sockets of held polls, the catalog entry. Every registry rule lives in
 * registry/; this class forwards, persists, announces and re-arms.
 */
import { DurableObject } from 'cloudflare:workers'
import { ECODE, errorToEcode } from '../protocol/ecode.ts'
import { EMPTY_INSTANCE_JSON, encodeInstance } from '../protocol/instance-codec.ts'
import { LIMITS } from '../protocol/limits.ts'
import { type Reply, replyBody } from '../protocol/reply.ts'
import type {
  CancelInput,
  RegisterInput,
  RenewInput,
  SetInput,
  SnapshotQuery,
} from '../registry/model.ts'
import { Registry, renewStalenessMs } from '../registry/registry.ts'
import type { RegistryError } from '../registry/result.ts'
import { catalogOf } from './registry-stub.ts'
import { CONFIG } from './runtime-config.ts'
import { SnapshotCache } from './snapshot-cache.ts'
import { InstanceWriters } from './instance-writers.ts'
import { HISTORY_ROWS, type HistoryEntry } from './registry-store.ts'
import { SqlStore } from './sql-store.ts'
import { Waiters } from './waiters.ts'
import { WriteBatch } from './write-batch.ts'

/** Alarms are never set closer together than this (each one is a billed request). */
const ALARM_MIN_GAP_MS = Math.min(1000, CONFIG.evictAfterMs / 10)

export class RegistryObject extends DurableObject<Env> {
  readonly #store: SqlStore
  readonly #registry: Registry
  readonly #snapshots: SnapshotCache
  readonly #waiters: Waiters
  /** Built on the first write: the objects woken only to read never replay the history. */
  #writersLoaded: InstanceWriters | undefined
  readonly #writes = new WriteBatch(() => this.#announce())
  /** A write changed the app since the last announcement (see #announce). */
  #unannounced = false
  /** Whether the catalog lists this app, as far as this object knows (undefined: not known). */
  #listed: boolean | undefined
  /** Catalog updates, one after another: calls through different stubs may arrive in any order. */
  #catalogUpdates: Promise<void> = Promise.resolve()
  #app: { appid: string; env: string } | undefined
  /** The alarm time as last set (ms, object clock); undefined = not read yet. */
  #armedAt: number | null | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const now = this.now()
    this.#store = new SqlStore(ctx.storage.sql)
    const stored = this.#store.load()
    this.#registry = new Registry(
      { ...CONFIG, maxSilenceMs: 3_600_000, maxInstances: LIMITS.instancesPerApp },
      now
    )
    this.#registry.load(stored.instances, stored.latestTimestamp, renewStalenessMs(CONFIG.evictAfterMs))
    if (stored.appid !== undefined && stored.env !== undefined) this.#app = { appid: stored.appid, env: stored.env }
    this.#snapshots = new SnapshotCache(this.#registry)
    this.#waiters = new Waiters(ctx, this.#snapshots, () => this.#registry.latestTimestamp)
  }

  // The write methods answer with the whole response body: a string crosses RPC more cheaply
  // than an object (the runtime gives every returned object a disposer function).

  /** POST /discovery/register; `actor` (a token id) goes into the app's history. */
  register(input: RegisterInput, actor: string): Promise<string> {
    return this.#write(() => this.#register(input, actor))
  }

  /**
   * POST /discovery/renew: memory only; the renew time reaches storage in the next flush. A
   * renew by another token than the instance's last writer is recorded in the history.
   */
  renew(input: RenewInput, actor: string): string {
    return replyBody(this.#renew(input, actor))
  }

  /** POST /discovery/cancel */
  cancel(input: CancelInput, actor: string): Promise<string> {
    return this.#write(() => this.#cancel(input, actor))
  }

  /** POST /discovery/set */
  set(input: SetInput, actor: string): Promise<string> {
    return this.#write(() => this.#set(input, actor))
  }

  /** A write in the next batch (write-batch.ts), then the catalog in step, then its answer. */
  async #write(write: () => Reply): Promise<string> {
    const reply = await this.#writes.run(write)
    await this.#syncCatalog()
    return replyBody(reply)
  }

  #register(input: RegisterInput, actor: string): Reply {
    const wasEmpty = this.#registry.size === 0
    const now = this.now()
    const result = this.#registry.register(input, now)
    if (!result.ok) return failure(result.error)
    this.#unannounced = true
    if (result.value.stored) this.#store.put(result.value.instance)
    this.#store.record([{ atMs: now, op: 'register', zone: input.zone, hostname: input.hostname, actor }])
    this.#writers().registered(input.zone, input.hostname, actor)
    if (wasEmpty) this.#identify(input.appid, input.env)
    return { code: ECODE.OK }
  }

  #renew(input: RenewInput, actor: string): Reply {
    const now = this.now()
    const result = this.#registry.renew(input, now)
    if (result.ok) {
      if (this.#writers().renewedBy(input.zone, input.hostname, actor)) this.#recordLater({ atMs: now, op: 'renew', zone: input.zone, hostname: input.hostname, actor })
      return { code: ECODE.OK, data: encodeInstance(result.value) }
    }
    const error = result.error
    if (error.reason === 'not_found') {
      return { code: ECODE.NOTHING_FOUND, data: error.detail === 'empty' ? EMPTY_INSTANCE_JSON : 'null' }
    }
    return failure(error)
  }

  #cancel(input: CancelInput, actor: string): Reply {
    const now = this.now()
    const result = this.#registry.cancel(input, now)
    if (!result.ok) return { code: errorToEcode(result.error) }
    this.#unannounced = true
    this.#store.delete(result.value)
    this.#store.record([{ atMs: now, op: 'cancel', zone: input.zone, hostname: input.hostname, actor }])
    this.#writers().forget(input.zone, input.hostname)
    return { code: ECODE.OK }
  }

  #set(input: SetInput, actor: string): Reply {
    const now = this.now()
    const result = this.#registry.set(input, now)
    if (!result.ok) return failure(result.error)
    this.#unannounced = true
    for (const instance of result.value) this.#store.put(instance)
    this.#store.record(result.value.map((i) => ({ atMs: now, op: 'set' as const, zone: i.zone, hostname: i.hostname, actor })))
    return { code: ECODE.OK }
  }

  /**
   * GET /discovery/fetch (named `snapshot`: `fetch` is the object's HTTP handler): the encoded
   * view, or undefined when the app or zone has none. A string, as the writes answer.
   */
  snapshot(query: SnapshotQuery): string | undefined {
    return this.#snapshots.get(query)
  }

  /** The app's newest changes and who made them (GET /discovery/history). */
  async history(limit: number): Promise<HistoryEntry[]> {
    return this.#writes.run(() => this.#store.history(limit)) // behind the entries still to be written
  }

  /** Every instance as encoded JSON, unfiltered, metadata `null` when none (fetch/all). */
  async all(): Promise<string[]> {
    return this.#registry.all().map((i) => encodeInstance(i, 'null'))
  }

  /** WebSocket upgrades from the Worker's held polls (see waiters.ts). */
  override async fetch(request: Request): Promise<Response> {
    return this.#waiters.accept(request)
  }

  /** Lease alarm: evict what expired (subject to the guard), flush renews, re-arm. Never throws. */
  override async alarm(): Promise<void> {
    this.#armedAt = null
    try {
      const now = this.now()
      const evicted = this.#registry.evictExpired(now)
      for (const instance of evicted) this.#store.delete(instance)
      this.#store.record(evicted.map((i) => ({ atMs: now, op: 'evict' as const, zone: i.zone, hostname: i.hostname, actor: 'lease' })))
      for (const i of evicted) this.#writers().forget(i.zone, i.hostname)
      this.#store.renewed(this.#registry.renewsToPersist())
      if (evicted.length > 0) {
        console.log(JSON.stringify({ op: 'evict', ...this.#app, hostnames: evicted.map((i) => i.hostname) }))
        this.#store.latest(this.#registry.latestTimestamp)
        this.#waiters.notify()
        await this.#syncCatalog()
      }
    } catch (error) {
      console.error(JSON.stringify({ op: 'alarm', ...this.#app, error: String(error) }))
    }
    await this.#syncAlarm()
  }

  /** The object's clock (ms). The test subclass shifts it to travel in time. */
  protected now(): number {
    return Date.now()
  }

  /**
   * After a batch of writes that changed the app: persist the counter, wake held polls, and
   * make sure the alarm covers the new leases.
   */
  async #announce(): Promise<void> {
    if (!this.#unannounced) return
    this.#unannounced = false
    try {
      this.#store.latest(this.#registry.latestTimestamp)
      this.#waiters.notify()
      await this.#syncAlarm()
    } catch (error) {
      // the batch's writers get -500 and retry; their retry (or any write) announces again
      this.#unannounced = true
      this.#armedAt = undefined
      throw error
    }
  }

  #identify(appid: string, env: string): void {
    if (this.#app?.appid === appid && this.#app.env === env) return
    this.#app = { appid, env }
    this.#store.identify(appid, env)
  }

  #writers(): InstanceWriters {
    this.#writersLoaded ??= new InstanceWriters(this.#store.history(HISTORY_ROWS))
    return this.#writersLoaded
  }

  /**
   * Bring the catalog (the list of apps, for fetch/all) in step with whether the app has
   * instances. Updates run one after another and each reads the state when it runs, so a
   * register and a cancel in one batch can never leave the catalog listing an empty app. A
   * failure is logged; the next write tries again.
   */
  #syncCatalog(): Promise<void> {
    this.#catalogUpdates = this.#catalogUpdates.then(async () => {
      const listed = this.#registry.size > 0
      try {
        if (listed === this.#listed || !this.#app) return
        await catalogOf(this.env)[listed ? 'add' : 'remove'](this.#app.appid, this.#app.env)
        this.#listed = listed
      } catch (error) {
        this.#listed = undefined
        console.error(JSON.stringify({ op: `catalog.${listed ? 'add' : 'remove'}`, ...this.#app, error: String(error) }))
      }
    })
    return this.#catalogUpdates
  }

  /**
   * A history entry written in the next write batch rather than now: a renew by a stranger
   * (instance-writers.ts) then shares a commit, and its reply does not wait for one.
   */
  #recordLater(entry: HistoryEntry): void {
    this.#writes.run(() => this.#store.record([entry])).catch((error: unknown) => {
      console.error(JSON.stringify({ op: 'history', ...this.#app, error: String(error) }))
    })
  }

  /** One alarm at the next wake-up; only moved earlier between alarms, never on renew. */
  async #syncAlarm(): Promise<void> {
    const now = this.now()
    const next = this.#registry.nextWakeMs(now)
    if (this.#armedAt === undefined) {
      const real = await this.ctx.storage.getAlarm()
      this.#armedAt = real === null ? null : real + (now - Date.now())
    }
    if (next === undefined) {
      if (this.#armedAt !== null) await this.ctx.storage.deleteAlarm()
      this.#armedAt = null
      return
    }
    if (this.#armedAt !== null && this.#armedAt <= next) return
    const at = Math.max(next, now + ALARM_MIN_GAP_MS)
    await this.ctx.storage.setAlarm(at - (now - Date.now()))
    this.#armedAt = at
  }
}


/** A registry failure as a reply; data-carrying failures (renew) are mapped by their caller. */
function failure(error: RegistryError): Reply {
  switch (error.reason) {
    case 'invalid':
    case 'full':
      return { code: errorToEcode(error), message: error.message }
    case 'newer_elsewhere':
    case 'conflict':
      return { code: errorToEcode(error), data: encodeInstance(error.instance) }
    case 'not_found':
      return { code: errorToEcode(error) }
  }
}
