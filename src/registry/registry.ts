/**
 * The registry of one application (appid + env): instances by zone and hostname, leases,
 * the application change counter and self-preservation. Upstream: registry/registry.go.
 * Pure: no storage, no clock, no platform; every time-dependent method takes `nowMs`.
 * Instances are immutable values: every change stores a new object, so callers may cache
 * per-instance work (encoding) by object identity.
 */
import { ByteBudget } from './byte-budget.ts'
import { msToNs, NanoClock, nextAfter, nsToMs } from './clock.ts'
import { evictionCap, Guard, type GuardStatus } from './guard.ts'
import {
  type AppView,
  type CancelInput,
  type Instance,
  type InstanceKey,
  type RegisterInput,
  type RenewInput,
  type SetInput,
  type SnapshotQuery,
  STATUS_UP,
  type StoredInstance,
} from './model.ts'
import { err, ok, type RegistryError, type Result } from './result.ts'
import { utf8Length } from './utf8.ts'

export interface RegistryOptions {
  /** An instance silent this long is evicted (upstream: 90 s). */
  evictAfterMs: number
  /** How often clients renew (upstream: 30 s); the guard's window is two of these. */
  renewIntervalMs: number
  /** Pause eviction when renews drop below 85 % of the expected rate. */
  selfPreservation: boolean
  /** Silent this long, an instance is evicted even under self-preservation (upstream: 1 h). */
  maxSilenceMs: number
  /** Most instances one application may hold. */
  maxInstances: number
  /**
   * How far past the clock a client's timestamp (dirty, set, a cancel's latest) is taken (ms);
   * a later one is taken as now plus this, so it cannot outrank every later write for ever.
   */
  maxSkewMs: number
  /** Most UTF-8 bytes one instance's metadata may take as JSON, after a set's merge too. */
  maxMetadataBytes: number
  /** The app's byte budget (APP_BYTES): the sum of `sizeOf` over its instances. */
  maxBytes: number
  /** What one instance adds to the app's answers, in bytes (the server measures its encoding). */
  sizeOf: (instance: Instance) => number
}

/** What a register did, for the caller to persist and announce. */
export interface RegisterOutcome {
  /** The instance now stored (the older one when the incoming registration lost on dirty time). */
  instance: Instance
  /** Whether the stored instance changed (false when the incoming registration was older). */
  stored: boolean
}

/** A renew time to write back to storage. */
export interface RenewToPersist {
  zone: string
  hostname: string
  renewMs: number
}

const keyOf = (zone: string, hostname: string) => `${zone}\u0000${hostname}`

export class Registry {
  readonly #options: RegistryOptions
  readonly #zones = new Map<string, Map<string, Instance>>()
  /** Lease start (ms) per instance: last renew, or a grace start after a reload. */
  readonly #leaseStart = new Map<string, number>()
  /** The smallest lease start, kept so nextWakeMs is O(1); undefined = recompute. */
  #minLeaseStart: number | undefined = Number.POSITIVE_INFINITY
  /** Renew time (ms) last written to storage per instance. */
  readonly #persistedRenew = new Map<string, number>()
  readonly #stamps = new NanoClock()
  readonly #guard: Guard
  #latest = 0n
  #size = 0
  #revision = 0
  readonly #budget: ByteBudget

  constructor(options: RegistryOptions, nowMs: number) {
    this.#options = options
    this.#guard = new Guard(2 * options.renewIntervalMs, nowMs)
    this.#budget = new ByteBudget(options.maxBytes, options.sizeOf, () => this.all())
  }

  /** Number of instances over all zones. */
  get size(): number {
    return this.#size
  }

  /** The application change counter (0n while the application does not exist). */
  get latestTimestamp(): bigint {
    return this.#latest
  }

  /** Bumped by every change, renews included: a cache key for encoded snapshots. */
  get revision(): number {
    return this.#revision
  }

  /**
   * Restore persisted state. A persisted renew time may lag the real last renew by up to
   * `renewStalenessMs`, so leases restart from there: a reload never evicts an instance that
   * renewed within its lease.
   */
  load(stored: StoredInstance[], latestTimestamp: bigint, renewStalenessMs: number): void {
    for (const { instance, persistedRenewMs } of stored) {
      this.#put(instance)
      const key = keyOf(instance.zone, instance.hostname)
      this.#setLeaseStart(key, persistedRenewMs + renewStalenessMs)
      this.#persistedRenew.set(key, persistedRenewMs)
      this.#guard.added()
      this.#stamps.observe(instance.latestTimestamp)
      this.#stamps.observe(instance.renewTimestamp)
    }
    this.#latest = latestTimestamp
    this.#stamps.observe(latestTimestamp)
  }

  /** Register or re-register an instance (PROTOCOL §3.1, §2.5). Always advances the counter. */
  register(input: RegisterInput, nowMs: number): Result<RegisterOutcome, RegistryError> {
    const old = this.#get(input.zone, input.hostname)
    if (!old && this.#size >= this.#options.maxInstances) {
      return err({
        reason: 'full',
        message: `appid: ${input.appid} already has ${this.#options.maxInstances} instances (the limit)`,
      })
    }
    const now = this.#stamps.stamp(nowMs)
    const dirty = input.dirtyTimestamp > 0n ? this.#bounded(input.dirtyTimestamp, nowMs) : now
    let instance: Instance
    let stored = true
    if (old && dirty < old.dirtyTimestamp) {
      instance = old
      stored = false
    } else {
      instance = {
        region: input.region,
        zone: input.zone,
        env: input.env,
        appid: input.appid,
        hostname: input.hostname,
        addrs: input.addrs,
        version: input.version,
        metadata: input.metadata,
        status: input.status,
        regTimestamp: now,
        upTimestamp: old ? old.upTimestamp : now,
        renewTimestamp: now,
        dirtyTimestamp: dirty,
        latestTimestamp: now,
      }
      const over = this.#budget.admit([instance])
      if (over) return err(over)
      if (!old) this.#guard.added()
      this.#put(instance)
      this.#touchLease(instance, nowMs)
    }
    this.#advance(now, nowMs)
    return ok({ instance, stored })
  }

  /** Heartbeat (PROTOCOL §3.2). Never advances the counter. */
  renew(input: RenewInput, nowMs: number): Result<Instance, RegistryError> {
    const zone = this.#zones.get(input.zone)
    const old = zone?.get(input.hostname)
    if (!old) return err({ reason: 'not_found', detail: zone ? 'empty' : 'none' })
    const instance: Instance = { ...old, renewTimestamp: this.#stamps.stamp(nowMs) }
    this.#put(instance)
    this.#touchLease(instance, nowMs, false)
    this.#guard.renewed(nowMs)
    if (input.replication) {
      if (input.dirtyTimestamp > instance.dirtyTimestamp) {
        return err({ reason: 'newer_elsewhere', instance })
      }
      if (input.dirtyTimestamp < instance.dirtyTimestamp)
        return err({ reason: 'conflict', instance })
    }
    return ok(instance)
  }

  /**
   * A session's heartbeat, seen by the owner at `atMs`: the lease starts there, even when that
   * is earlier than a renew seen since (the session, not HTTP, keeps the instance alive). The
   * renew time shown in views follows; it is never written back (a session's lease does not
   * survive the session, so storage need not know it).
   */
  hold(zone: string, hostname: string, atMs: number): void {
    const old = this.#get(zone, hostname)
    if (!old) return
    const key = keyOf(zone, hostname)
    if (this.#leaseStart.get(key) === atMs) return
    this.#setLeaseStart(key, atMs)
    const renewMs = nsToMs(old.renewTimestamp)
    if (atMs > renewMs) {
      const instance: Instance = { ...old, renewTimestamp: this.#stamps.stamp(atMs) }
      this.#put(instance)
      this.#persistedRenew.set(key, atMs) // nothing to flush
    }
  }

  /**
   * Evict these instances now, whatever their lease (a session that ended and did not come
   * back): like cancels for the guard, since their owners are known to be gone.
   */
  evict(keys: readonly { zone: string; hostname: string }[], nowMs: number): Instance[] {
    const evicted: Instance[] = []
    for (const { zone, hostname } of keys) {
      const old = this.#get(zone, hostname)
      if (!old) continue
      this.#remove(old)
      this.#guard.cancelled()
      evicted.push(old)
    }
    if (evicted.length > 0) this.#advance(this.#stamps.stamp(nowMs), nowMs)
    return evicted
  }

  /** Deregister (PROTOCOL §3.3). */
  cancel(input: CancelInput, nowMs: number): Result<Instance, RegistryError> {
    const old = this.#get(input.zone, input.hostname)
    if (!old) return err({ reason: 'not_found', detail: 'none' })
    this.#remove(old)
    this.#guard.cancelled()
    this.#advance(
      input.latestTimestamp > 0n
        ? this.#bounded(input.latestTimestamp, nowMs)
        : this.#stamps.stamp(nowMs),
      nowMs
    )
    return ok(old)
  }

  /**
   * Change status and/or merge metadata of several instances (PROTOCOL §3.9). All-or-nothing:
   * every hostname is checked before anything changes. Advances the counter (§2.6 allows it).
   */
  set(input: SetInput, nowMs: number): Result<Instance[], RegistryError> {
    const zone = this.#zones.get(input.zone)
    if (!zone) {
      return err({
        reason: 'invalid',
        field: 'zone',
        message: `zone: ${input.zone} is not a zone of appid ${input.appid} (env ${input.env})`,
      })
    }
    const olds: Instance[] = []
    for (const hostname of input.hostnames) {
      const old = zone.get(hostname)
      if (!old) {
        return err({
          reason: 'invalid',
          field: 'hostname',
          message: `hostname: ${hostname} is not registered in zone ${input.zone}`,
        })
      }
      olds.push(old)
    }
    const now = this.#stamps.stamp(nowMs)
    const at = input.setTimestamp !== 0n ? this.#bounded(input.setTimestamp, nowMs) : now
    const changed: Instance[] = []
    for (const [i, old] of olds.entries()) {
      const patch = input.metadata[i]
      const metadata = patch ? { ...old.metadata, ...patch } : old.metadata
      if (patch && utf8Length(JSON.stringify(metadata)) > this.#options.maxMetadataBytes) {
        return err({
          reason: 'invalid',
          field: 'metadata',
          message: `metadata: merged into ${old.hostname}'s it would be longer than ${this.#options.maxMetadataBytes} bytes`,
        })
      }
      changed.push({
        ...old,
        status: input.statuses[i] ?? old.status,
        metadata,
        upTimestamp: input.statuses[i] === STATUS_UP ? at : old.upTimestamp,
        dirtyTimestamp: at,
        latestTimestamp: at,
      })
    }
    const over = this.#budget.admit(changed)
    if (over) return err(over)
    for (const instance of changed) this.#put(instance)
    this.#advance(at, nowMs)
    return ok(changed)
  }

  /** The application view for a zone and status mask; undefined when it does not exist. */
  snapshot(query: SnapshotQuery): AppView | undefined {
    if (this.#size === 0) return undefined
    const zones = query.zone === '' ? [...this.#zones.keys()] : [query.zone]
    const lists: [string, Instance[]][] = []
    for (const name of zones) {
      const zone = this.#zones.get(name)
      if (!zone) return undefined
      lists.push([name, [...zone.values()].filter((i) => (i.status & query.statusMask) !== 0)])
    }
    // fromEntries: a zone named "__proto__" stays an own key
    return { instances: Object.fromEntries(lists), latestTimestamp: this.#latest }
  }

  /** One instance, if registered. */
  instance(zone: string, hostname: string): Instance | undefined {
    return this.#get(zone, hostname)
  }

  /** The zones that have instances. */
  zoneNames(): string[] {
    return [...this.#zones.keys()]
  }

  /** Every instance, unfiltered. */
  all(): Instance[] {
    return [...this.#zones.values()].flatMap((zone) => [...zone.values()])
  }

  /**
   * Evict instances whose lease ran out (PROTOCOL §4.6): under self-preservation only those
   * silent past `maxSilenceMs`; at most upstream's per-scan cap, longest-silent first.
   * `heldByLiveSessions`: instances whose session heartbeat within the guard's window; they
   * count for the guard as instances that renewed as often as expected.
   */
  evictExpired(nowMs: number, heldByLiveSessions = 0): Instance[] {
    const protecting =
      this.#options.selfPreservation &&
      this.#guard.protecting(nowMs, this.#size, heldByLiveSessions)
    const silence = protecting ? this.#options.maxSilenceMs : this.#options.evictAfterMs
    const expired = this.all()
      .map((instance) => ({ instance, start: this.#leaseStartOf(instance) }))
      .filter(({ start }) => nowMs - start >= silence)
      .sort((a, b) => a.start - b.start)
    const cap = this.#options.selfPreservation ? evictionCap(this.#size) : expired.length
    const evicted = expired.slice(0, cap).map(({ instance }) => instance)
    if (evicted.length === 0) return evicted
    for (const instance of evicted) this.#remove(instance)
    this.#advance(this.#stamps.stamp(nowMs), nowMs)
    return evicted
  }

  /**
   * Self-preservation as the next scan would see it (`heldByLiveSessions` as for evictExpired),
   * read-only; `protecting` is false whenever self-preservation is off.
   */
  guardStatus(nowMs: number, heldByLiveSessions = 0): GuardStatus & { enabled: boolean } {
    const status = this.#guard.status(nowMs, this.#size, heldByLiveSessions)
    const enabled = this.#options.selfPreservation
    return { ...status, protecting: enabled && status.protecting, enabled }
  }

  /**
   * When the owner should next call evictExpired (and flush renews): the earliest lease end,
   * or the next guard window while expired instances are being kept.
   */
  nextWakeMs(nowMs: number): number | undefined {
    if (this.#leaseStart.size === 0) return undefined
    // Usually no lease has ended: then the earliest lease end is the answer, without a scan.
    const earliestEnd = this.#earliestLeaseStart() + this.#options.evictAfterMs
    if (earliestEnd > nowMs) return earliestEnd
    let next = Number.POSITIVE_INFINITY
    for (const start of this.#leaseStart.values()) {
      const end = start + this.#options.evictAfterMs
      next = Math.min(next, end > nowMs ? end : this.#guard.windowEnd(nowMs))
    }
    return Number.isFinite(next) ? next : undefined
  }

  /**
   * Renews worth writing back: those whose stored renew lags by one renew interval or more.
   * Marks them persisted; the caller writes them in one batch when the lease alarm fires. So a
   * renew costs no write, and since that alarm fires no later than one lease after the last
   * write, a stored renew lags the truth by less than one lease (see `renewStalenessMs`).
   */
  renewsToPersist(): RenewToPersist[] {
    const due: RenewToPersist[] = []
    for (const instance of this.all()) {
      const key = keyOf(instance.zone, instance.hostname)
      const renewMs = nsToMs(instance.renewTimestamp)
      const persisted = this.#persistedRenew.get(key) ?? 0
      if (renewMs - persisted >= this.#options.renewIntervalMs) {
        due.push({ zone: instance.zone, hostname: instance.hostname, renewMs })
        this.#persistedRenew.set(key, renewMs)
      }
    }
    return due
  }

  #setLeaseStart(key: string, startMs: number): void {
    const old = this.#leaseStart.get(key)
    this.#leaseStart.set(key, startMs)
    if (this.#minLeaseStart === undefined) return
    if (old === this.#minLeaseStart && startMs > old) this.#minLeaseStart = undefined
    else if (startMs < this.#minLeaseStart) this.#minLeaseStart = startMs
  }

  #deleteLeaseStart(key: string): void {
    const old = this.#leaseStart.get(key)
    this.#leaseStart.delete(key)
    if (old !== undefined && old === this.#minLeaseStart) this.#minLeaseStart = undefined
  }

  #earliestLeaseStart(): number {
    if (this.#minLeaseStart === undefined) {
      let min = Number.POSITIVE_INFINITY
      for (const start of this.#leaseStart.values()) if (start < min) min = start
      this.#minLeaseStart = min
    }
    return this.#minLeaseStart
  }

  #leaseStartOf(instance: Instance): number {
    return this.#leaseStart.get(keyOf(instance.zone, instance.hostname)) ?? 0
  }

  #get(zone: string, hostname: string): Instance | undefined {
    return this.#zones.get(zone)?.get(hostname)
  }

  #put(instance: Instance): void {
    let zone = this.#zones.get(instance.zone)
    if (!zone) {
      zone = new Map()
      this.#zones.set(instance.zone, zone)
    }
    if (!zone.has(instance.hostname)) this.#size += 1
    zone.set(instance.hostname, instance)
    this.#revision += 1
  }

  #remove(instance: Instance): void {
    const zone = this.#zones.get(instance.zone)
    if (!zone?.delete(instance.hostname)) return
    this.#size -= 1
    this.#revision += 1
    if (zone.size === 0) this.#zones.delete(instance.zone)
    const key = keyOf(instance.zone, instance.hostname)
    this.#budget.removed(instance)
    this.#deleteLeaseStart(key)
    this.#persistedRenew.delete(key)
  }

  /** A client's timestamp, taken at most maxSkewMs past the clock. */
  #bounded(ns: bigint, nowMs: number): bigint {
    const ceiling = msToNs(nowMs + this.#options.maxSkewMs)
    return ns > ceiling ? ceiling : ns
  }

  #touchLease(instance: Instance, nowMs: number, written = true): void {
    const key = keyOf(instance.zone, instance.hostname)
    this.#setLeaseStart(key, nowMs)
    if (written) this.#persistedRenew.set(key, nowMs)
  }

  /** PROTOCOL §2.6: new = candidate > current ? candidate : current + 1; gone with the app. */
  #advance(candidate: bigint, nowMs: number): void {
    // the views carry the counter: a change of the counter alone is a new revision too
    this.#revision += 1
    if (this.#size === 0) {
      this.#latest = 0n
      return
    }
    this.#latest = nextAfter(this.#latest, candidate, msToNs(nowMs))
    this.#stamps.observe(this.#latest)
  }
}

/** How far a persisted renew time may lag the real one (see Registry.renewsToPersist). */
export const renewStalenessMs = (evictAfterMs: number): number => evictAfterMs

export type { InstanceKey }
