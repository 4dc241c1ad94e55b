/**
 * Which session owns which instance, and what that does to their leases (docs/sessions.md,
 * "When a session ends"). An owned instance needs no renews while its session heartbeats: the
 * lease alarm holds its lease at the session's last heartbeat. When the session's socket closes
 * the instances get a grace time to be taken back, then are evicted; in a wave of closes they
 * fall back to an ordinary lease instead. Ownership and close times are stored, so a wake-up
 * from hibernation continues where the last one stopped. Platform-free; the caller passes time.
 */
import type { Registry } from '../registry/registry.ts'
import type { InstanceRef } from './change-log.ts'
import { CloseWave, WAVE } from './close-wave.ts'
import type { RegistryStore, SessionOwner, StoredOwner } from './registry-store.ts'

const keyOf = (zone: string, hostname: string) => `${zone}\u0000${hostname}`

interface Closed {
  atMs: number
  wave: boolean
}

export class SessionLeases {
  readonly #store: RegistryStore
  readonly #registry: Registry
  readonly #graceMs: number
  /** Owner session by instance key. */
  readonly #owners = new Map<string, { ref: InstanceRef; session: string }>()
  /** Instance keys by owner session. */
  readonly #owned = new Map<string, Set<string>>()
  /** Sessions whose socket closed while they owned instances. */
  readonly #closed = new Map<string, Closed>()
  readonly #wave = new CloseWave()

  /**
   * Ownership as stored. Leases restart at the close time for closed sessions, and now for the
   * rest (still connected, or dropped by a restart of this object): the next `hold` corrects them.
   */
  constructor(
    store: RegistryStore,
    registry: Registry,
    graceMs: number,
    owners: StoredOwner[],
    nowMs: number
  ) {
    this.#store = store
    this.#registry = registry
    this.#graceMs = graceMs
    for (const o of owners) {
      if (!registry.instance(o.zone, o.hostname)) {
        store.own(o.zone, o.hostname, null) // the instance went without its owner row
        continue
      }
      this.#link(o.zone, o.hostname, o.session)
      if (o.closedMs !== null) this.#closed.set(o.session, { atMs: o.closedMs, wave: o.wave })
      registry.hold(o.zone, o.hostname, o.closedMs ?? nowMs)
    }
  }

  /** The session that owns the instance, if one does. */
  ownerOf(zone: string, hostname: string): string | undefined {
    return this.#owners.get(keyOf(zone, hostname))?.session
  }

  /** How many instances `session` owns. */
  countOf(session: string): number {
    return this.#owned.get(session)?.size ?? 0
  }

  /** How many sessions own instances. */
  get sessions(): number {
    return this.#owned.size
  }

  /**
   * Whether all `instances` of the app are owned by sessions with no close seen: then only a
   * silent socket (no close, no heartbeat) can end one, which the alarm may check less often.
   */
  holdsAll(instances: number): boolean {
    return this.#closed.size === 0 && this.#owners.size === instances
  }

  /** Whether some session that owns instances, not known to have closed, is not in `connected`. */
  absentFrom(connected: ReadonlySet<string>): boolean {
    for (const session of this.#owned.keys()) {
      if (!this.#closed.has(session) && !connected.has(session)) return true
    }
    return false
  }

  /** Make `session` the instance's owner, or (undefined) leave it to HTTP renews. */
  setOwner(zone: string, hostname: string, session: string | undefined): void {
    if (this.ownerOf(zone, hostname) === session) return
    this.forget(zone, hostname)
    if (session === undefined) {
      this.#store.own(zone, hostname, null)
      return
    }
    this.#link(zone, hostname, session)
    this.#store.own(zone, hostname, this.#stored(session))
  }

  /** The instance is gone (cancelled, evicted, taken over): drop its owner, if any. */
  forget(zone: string, hostname: string): void {
    const key = keyOf(zone, hostname)
    const owner = this.#owners.get(key)
    if (!owner) return
    this.#owners.delete(key)
    const keys = this.#owned.get(owner.session)
    keys?.delete(key)
    if (keys?.size === 0) {
      this.#owned.delete(owner.session)
      this.#closed.delete(owner.session)
    }
    this.#store.own(zone, hostname, null)
  }

  /** `session` connected (again) at `nowMs`: its instances are its own again, without a change. */
  opened(session: string, nowMs: number): void {
    if (this.#closed.delete(session)) this.#persist(session)
    this.#holdAll(session, nowMs)
  }

  /** `session`'s socket closed at `nowMs`. Says whether its instances now wait out a grace time. */
  closed(session: string, nowMs: number): boolean {
    if (!this.#owned.has(session) || this.#closed.has(session)) return false
    const wave = this.#wave.closed(nowMs, this.sessions)
    if (wave) {
      // every session that closed within the window is part of the wave: none is evicted
      for (const [other, closed] of this.#closed) {
        if (closed.wave || nowMs - closed.atMs >= WAVE.windowMs) continue
        closed.wave = true
        this.#persist(other)
      }
    }
    this.#closed.set(session, { atMs: nowMs, wave })
    this.#persist(session)
    this.#holdAll(session, nowMs)
    return !wave
  }

  /**
   * The lease alarm's view of the sockets: `lastSeen` holds each connected session's last
   * heartbeat (ms). Their instances' leases start there. An owner neither connected nor known
   * to have closed lost its socket without a close seen yet (its close event is still to come,
   * or a restart of this object dropped it): it counts as closing now, so a restart that drops
   * many sessions is a wave. Returns how many instances heartbeat within `windowMs`.
   */
  hold(lastSeen: ReadonlyMap<string, number>, nowMs: number, windowMs: number): number {
    let alive = 0
    for (const [session, keys] of this.#owned) {
      const seen = lastSeen.get(session)
      if (seen === undefined) {
        this.closed(session, nowMs)
        continue
      }
      if (this.#closed.delete(session)) this.#persist(session)
      this.#holdAll(session, seen)
      if (nowMs - seen < windowMs) alive += keys.size
    }
    return alive
  }

  /** Instances whose session closed more than the grace time ago, outside a wave. */
  graceOver(nowMs: number): InstanceRef[] {
    const due: InstanceRef[] = []
    for (const [session, closed] of this.#closed) {
      if (closed.wave || nowMs - closed.atMs < this.#graceMs) continue
      for (const key of this.#owned.get(session) ?? []) {
        const owner = this.#owners.get(key)
        if (owner) due.push(owner.ref)
      }
    }
    return due
  }

  /** When the next grace time ends (ms), if one is running. */
  nextGraceEnd(): number | undefined {
    let next: number | undefined
    for (const closed of this.#closed.values()) {
      if (closed.wave) continue
      const end = closed.atMs + this.#graceMs
      if (next === undefined || end < next) next = end
    }
    return next
  }

  #link(zone: string, hostname: string, session: string): void {
    const key = keyOf(zone, hostname)
    this.#owners.set(key, { ref: { zone, hostname }, session })
    let keys = this.#owned.get(session)
    if (!keys) {
      keys = new Set()
      this.#owned.set(session, keys)
    }
    keys.add(key)
  }

  #holdAll(session: string, atMs: number): void {
    for (const key of this.#owned.get(session) ?? []) {
      const owner = this.#owners.get(key)
      if (owner) this.#registry.hold(owner.ref.zone, owner.ref.hostname, atMs)
    }
  }

  #stored(session: string): SessionOwner {
    const closed = this.#closed.get(session)
    return { session, closedMs: closed?.atMs ?? null, wave: closed?.wave ?? false }
  }

  /** Write the session's state onto each of its instances' owner rows. */
  #persist(session: string): void {
    const owner = this.#stored(session)
    for (const key of this.#owned.get(session) ?? []) {
      const ref = this.#owners.get(key)?.ref
      if (ref) this.#store.own(ref.zone, ref.hostname, owner)
    }
  }
}
