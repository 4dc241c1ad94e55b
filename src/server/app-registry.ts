/**
 * One application's registry with its storage: the write sequence (registry call → persist →
 * history → audit line → writers → announce), group commit, stranger renews, the catalog
 * decision and the alarm's eviction, once for every write. Platform-free: storage, time, the
 * wake-up of held polls and the catalog call come in through options, so it runs in Node as in
 * the object.
 */
import { ECODE, errorReply } from '../protocol/ecode.ts'
import { encodeInstance, instanceAnswerBytes } from '../protocol/instance-codec.ts'
import { LIMITS } from '../protocol/limits.ts'
import type { Reply } from '../protocol/reply.ts'
import type { Clock } from '../registry/clock.ts'
import type { GuardStatus } from '../registry/guard.ts'
import type {
  CancelInput,
  Instance,
  RegisterInput,
  RenewInput,
  SetInput,
  SnapshotQuery,
} from '../registry/model.ts'
import { Registry, renewStalenessMs } from '../registry/registry.ts'
import { audit, auditRefusal } from './audit-log.ts'
import type { AppChange, InstanceRef } from './change-log.ts'
import { APP_BYTES_DEFAULT, type Config } from './config.ts'
import { InstanceWriters } from './instance-writers.ts'
import { HISTORY_ROWS, type HistoryEntry, type RegistryStore } from './registry-store.ts'
import { SessionLeases } from './session-leases.ts'
import { SnapshotCache } from './snapshot-cache.ts'
import { WriteBatch } from './write-batch.ts'

/** Silent this long, an instance is evicted even under self-preservation (upstream: 1 h). */
const MAX_SILENCE_MS = 3_600_000
/** Most instances one session may own. */
export const INSTANCES_PER_SESSION = 64

/** An application: appid + env. */
export interface AppName {
  appid: string
  env: string
}

export interface AppRegistryOptions {
  store: RegistryStore
  /** The object's clock (ms); the only source of `now`. */
  clock: Clock
  config: Pick<
    Config,
    'evictAfterMs' | 'renewIntervalMs' | 'selfPreservation' | 'sessionGraceMs' | 'sessionCheckMs'
  > &
    Partial<Pick<Config, 'appBytes'>>
  /**
   * The app changed (`change`) and its counter is stored: wake held polls and session
   * watchers, make the alarm cover the new leases. Once per batch of writes, and after an
   * eviction. A rejection fails the batch.
   */
  announce: (change: AppChange) => Promise<void>
  /** Add the app to the catalog (`listed`) or remove it. Never two at once. */
  catalog: (app: AppName, listed: boolean) => Promise<void>
}

/** The application's registry, its storage and its follow-ups; what the object forwards to. */
export class AppRegistry {
  readonly #store: RegistryStore
  readonly #clock: Clock
  readonly #registry: Registry
  readonly #snapshots: SnapshotCache
  readonly #onChange: (change: AppChange) => Promise<void>
  readonly #sessions: SessionLeases
  readonly #renewIntervalMs: number
  /** How often the alarm checks for silent sessions when sessions hold every lease. */
  readonly #sessionCheckMs: number
  /** The counter as last announced: where the next change starts from. */
  #announcedLatest: bigint
  /** What changed since the last announcement, by instance key (the last change wins). */
  readonly #pending = new Map<string, Instance | InstanceRef>()
  readonly #catalog: (app: AppName, listed: boolean) => Promise<void>
  /** Built on the first write: the objects woken only to read never replay the history. */
  #writersLoaded: InstanceWriters | undefined
  readonly #writes = new WriteBatch(() => this.#announce())
  /** A write changed the app since the last announcement (see #announce). */
  #unannounced = false
  /** Whether the catalog lists this app, as far as this object knows (undefined: not known). */
  #listed: boolean | undefined
  /** Catalog updates, one after another: calls through different stubs may arrive in any order. */
  #catalogUpdates: Promise<void> = Promise.resolve()
  #app: AppName | undefined

  /** Loads the app from `store`. */
  constructor(options: AppRegistryOptions) {
    this.#store = options.store
    this.#clock = options.clock
    this.#onChange = options.announce
    this.#catalog = options.catalog
    const { config } = options
    const stored = this.#store.load()
    this.#registry = new Registry(
      {
        ...config,
        maxSilenceMs: MAX_SILENCE_MS,
        maxInstances: LIMITS.instancesPerApp,
        maxSkewMs: LIMITS.clockSkewMs,
        maxMetadataBytes: LIMITS.metadataBytes,
        maxBytes: config.appBytes ?? APP_BYTES_DEFAULT,
        // measured on the views' own cached encoding, so a register encodes its instance once
        sizeOf: (i) => instanceAnswerBytes(this.#snapshots.encode(i), i.zone),
      },
      this.#clock.now()
    )
    this.#registry.load(
      stored.instances,
      stored.latestTimestamp,
      renewStalenessMs(config.evictAfterMs)
    )
    if (stored.appid !== undefined && stored.env !== undefined)
      this.#app = { appid: stored.appid, env: stored.env }
    this.#announcedLatest = this.#registry.latestTimestamp
    this.#renewIntervalMs = config.renewIntervalMs
    this.#sessionCheckMs = config.sessionCheckMs
    this.#sessions = new SessionLeases(
      this.#store,
      this.#registry,
      config.sessionGraceMs,
      stored.owners,
      this.#clock.now()
    )
    this.#snapshots = new SnapshotCache(this.#registry)
  }

  /** The encoded views, for held polls (waiters.ts). */
  get snapshots(): SnapshotCache {
    return this.#snapshots
  }

  /** The application change counter. */
  get latestTimestamp(): bigint {
    return this.#registry.latestTimestamp
  }

  /** Which application this is, once one of its instances has registered. */
  get app(): AppName | undefined {
    return this.#app
  }

  /**
   * Register; `actor` (a token id) goes into the history. Settles once committed and announced.
   * With `session`, the session owns the instance (session-leases.ts), and registering an
   * instance exactly as it is only takes it over: nothing is written to history or announced.
   */
  register(input: RegisterInput, actor: string, session?: string): Promise<Reply> {
    return this.#write(() => {
      const { zone, hostname } = input
      const now = this.#clock.now()
      if (session !== undefined) {
        const refused = this.#sessionRefusal(session, zone, hostname)
        if (refused) return auditRefusal('register', input, [hostname], actor, now, refused)
        const old = this.#registry.instance(zone, hostname)
        if (old && sameRegistration(old, input)) {
          this.#sessions.setOwner(zone, hostname, session)
          this.#registry.hold(zone, hostname, now)
          audit('register', old, actor, now, 'claimed')
          return { code: ECODE.OK }
        }
      }
      const wasEmpty = this.#registry.size === 0
      const result = this.#registry.register(input, now)
      if (!result.ok) {
        const reply = errorReply(result.error, 'register')
        return auditRefusal('register', input, [hostname], actor, now, reply)
      }
      const { instance, stored } = result.value
      this.#commit('register', actor, now, [instance], stored)
      if (stored) this.#sessions.setOwner(zone, hostname, session)
      if (wasEmpty) this.#identify(input.appid, input.env)
      return { code: ECODE.OK }
    })
  }

  /**
   * Whether an owner session is neither `connected` nor known to have closed: after a restart,
   * which drops every socket without a close (the caller then arms the alarm to notice).
   */
  sessionsAbsent(connected: ReadonlySet<string>): boolean {
    return this.#sessions.absentFrom(connected)
  }

  /** A session connected (again): its instances are its own again, nothing announced. */
  sessionOpened(session: string): void {
    this.#sessions.opened(session, this.#clock.now())
  }

  /**
   * A session's socket closed. Says whether its instances now wait out a grace time (the
   * caller then makes the alarm cover its end).
   */
  sessionClosed(session: string): boolean {
    return this.#sessions.closed(session, this.#clock.now())
  }

  /**
   * Renew: memory only, synchronous; the renew time reaches storage in the alarm's flush. A
   * renew by another token than the instance's last writer is recorded with the next batch.
   */
  renew(input: RenewInput, actor: string): Reply {
    const now = this.#clock.now()
    const result = this.#registry.renew(input, now)
    if (!result.ok) return errorReply(result.error, 'renew')
    if (this.#writers().renewedBy(input.zone, input.hostname, actor)) {
      audit('renew', input, actor, now, 'ok')
      this.#recordLater({
        atMs: now,
        op: 'renew',
        zone: input.zone,
        hostname: input.hostname,
        actor,
      })
    }
    return { code: ECODE.OK, data: encodeInstance(result.value) }
  }

  /** Cancel (deregister). */
  cancel(input: CancelInput, actor: string): Promise<Reply> {
    return this.#write(() => {
      const now = this.#clock.now()
      const result = this.#registry.cancel(input, now)
      if (!result.ok) {
        const reply = errorReply(result.error, 'cancel')
        return auditRefusal('cancel', input, [input.hostname], actor, now, reply)
      }
      this.#commit('cancel', actor, now, [result.value])
      return { code: ECODE.OK }
    })
  }

  /** Change status and/or metadata of several instances. */
  set(input: SetInput, actor: string): Promise<Reply> {
    return this.#write(() => {
      const now = this.#clock.now()
      const result = this.#registry.set(input, now)
      if (!result.ok) {
        const reply = errorReply(result.error, 'set')
        return auditRefusal('set', input, input.hostnames, actor, now, reply)
      }
      this.#commit('set', actor, now, result.value)
      return { code: ECODE.OK }
    })
  }

  /** The encoded view, or undefined when the app or zone has none. */
  snapshot(query: SnapshotQuery): string | undefined {
    return this.#snapshots.get(query)
  }

  /** The newest `limit` history entries, newest first, behind the writes still to be run. */
  history(limit: number): Promise<HistoryEntry[]> {
    return this.#writes.run(() => this.#store.history(limit))
  }

  /** Every instance as encoded JSON, unfiltered, metadata `null` when none (fetch/all). */
  all(): string[] {
    return this.#registry.all().map((i) => encodeInstance(i, 'null'))
  }

  /** Every instance as stored, for the console and /metrics (app-report.ts); changes nothing. */
  instances(): Instance[] {
    return this.#registry.all()
  }

  /**
   * Self-preservation as the next alarm would see it, read-only: connected sessions that
   * heartbeat within the guard's window (`lastSeen`, as for `alarm`) count as renewing.
   */
  guardStatus(lastSeen: ReadonlyMap<string, number>): GuardStatus & { enabled: boolean } {
    const now = this.#clock.now()
    let alive = 0
    for (const [session, seen] of lastSeen) {
      if (now - seen < 2 * this.#renewIntervalMs) alive += this.#sessions.countOf(session)
    }
    return this.#registry.guardStatus(now, alive)
  }

  /** When the alarm should next fire (ms, clock time); undefined = no alarm needed. */
  nextWakeMs(): number | undefined {
    const now = this.#clock.now()
    let lease = this.#registry.nextWakeMs(now)
    // every lease held by a connected session: a check for silent sockets is all that is due
    if (lease !== undefined && this.#sessions.holdsAll(this.#registry.size))
      lease = Math.max(lease, now + this.#sessionCheckMs)
    const grace = this.#sessions.nextGraceEnd()
    if (grace === undefined) return lease
    return lease === undefined ? grace : Math.min(lease, grace)
  }

  /**
   * The lease alarm's work: hold the leases of connected sessions at their last heartbeat
   * (`lastSeen`, ms by session id), evict the instances of sessions whose grace time ended and
   * what expired (subject to the guard), flush renew times, and after an eviction announce and
   * update the catalog. Never throws: a failure is logged.
   */
  async alarm(lastSeen: ReadonlyMap<string, number> = new Map()): Promise<void> {
    try {
      const now = this.#clock.now()
      const alive = this.#sessions.hold(lastSeen, now, 2 * this.#renewIntervalMs)
      const orphans = this.#registry.evict(this.#sessions.graceOver(now), now)
      if (orphans.length > 0) this.#commit('evict', 'session', now, orphans)
      const evicted = this.#registry.evictExpired(now, alive)
      if (evicted.length > 0) this.#commit('evict', 'lease', now, evicted)
      evicted.push(...orphans)
      this.#store.renewed(this.#registry.renewsToPersist())
      if (evicted.length > 0) {
        await this.#announce()
        await this.#syncCatalog()
      }
    } catch (error) {
      console.error(JSON.stringify({ op: 'alarm', ...this.#app, error: String(error) }))
    }
  }

  /** A write in the next batch (write-batch.ts), then the catalog in step, then its answer. */
  async #write(write: () => Reply): Promise<Reply> {
    const reply = await this.#writes.run(write)
    await this.#syncCatalog()
    return reply
  }

  /**
   * The one write sequence, for every change: persist the instances (`persist` false: a
   * register that lost on dirty time stores nothing), record them in the history and the audit
   * log, keep the instance writers in step, and leave the change to announce after the batch.
   */
  #commit(
    op: Exclude<HistoryEntry['op'], 'renew'>,
    actor: string,
    now: number,
    instances: readonly Instance[],
    persist = true
  ): void {
    const gone = op === 'cancel' || op === 'evict'
    if (persist && gone) for (const i of instances) this.#store.delete(i)
    else if (persist) for (const i of instances) this.#store.put(i)
    this.#store.record(
      instances.map((i) => ({ atMs: now, op, zone: i.zone, hostname: i.hostname, actor }))
    )
    for (const i of instances) audit(op, i, actor, now, persist ? 'ok' : 'stale')
    // after the record: writers built now replay it, which is the same as the call below
    if (op === 'register')
      for (const i of instances) this.#writers().registered(i.zone, i.hostname, actor)
    else if (gone) for (const i of instances) this.#writers().forget(i.zone, i.hostname)
    for (const i of instances) {
      const key = `${i.zone}\u0000${i.hostname}`
      this.#pending.delete(key) // re-inserted: the order is that of the last change
      this.#pending.set(key, gone ? { zone: i.zone, hostname: i.hostname } : i)
      if (gone) this.#sessions.forget(i.zone, i.hostname)
    }
    this.#unannounced = true
  }

  /**
   * After a batch of writes (or an eviction) that changed the app: store the counter, then
   * let the object wake held polls and re-arm. On failure the next batch announces again.
   */
  async #announce(): Promise<void> {
    if (!this.#unannounced) return
    this.#unannounced = false
    const change: AppChange = {
      from: this.#announcedLatest,
      to: this.#registry.latestTimestamp,
      put: [],
      del: [],
    }
    for (const value of this.#pending.values()) {
      if ('addrs' in value) change.put.push(value)
      else change.del.push(value)
    }
    try {
      this.#store.latest(change.to)
      await this.#onChange(change)
      this.#announcedLatest = change.to
      this.#pending.clear()
    } catch (error) {
      this.#unannounced = true // the batch's writers get -500 and retry; any write announces again
      throw error
    }
  }

  /** Why `session` may not register this instance, if it may not. */
  #sessionRefusal(session: string, zone: string, hostname: string): Reply | undefined {
    if (this.#sessions.ownerOf(zone, hostname) === session) return undefined
    if (this.#sessions.countOf(session) < INSTANCES_PER_SESSION) return undefined
    return {
      code: ECODE.REQUEST_ERR,
      message: `session: owns ${INSTANCES_PER_SESSION} instances (the limit); open another session`,
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
        await this.#catalog(this.#app, listed)
        this.#listed = listed
      } catch (error) {
        this.#listed = undefined
        console.error(
          JSON.stringify({
            op: `catalog.${listed ? 'add' : 'remove'}`,
            ...this.#app,
            error: String(error),
          })
        )
      }
    })
    return this.#catalogUpdates
  }

  /**
   * A history entry written in the next write batch rather than now: a renew by a stranger
   * (instance-writers.ts) then shares a commit, and its reply does not wait for one.
   */
  #recordLater(entry: HistoryEntry): void {
    this.#writes
      .run(() => this.#store.record([entry]))
      .catch((error: unknown) => {
        console.error(JSON.stringify({ op: 'history', ...this.#app, error: String(error) }))
      })
  }
}

/** Whether a register would store the instance exactly as it is (apart from timestamps). */
function sameRegistration(old: Instance, input: RegisterInput): boolean {
  return (
    old.region === input.region &&
    old.version === input.version &&
    old.status === input.status &&
    old.addrs.length === input.addrs.length &&
    old.addrs.every((addr, i) => addr === input.addrs[i]) &&
    sameMetadata(old.metadata, input.metadata)
  )
}

function sameMetadata(a: Instance['metadata'], b: Instance['metadata']): boolean {
  if (a === null || b === null) return a === b
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}
