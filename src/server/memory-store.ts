/**
 * A RegistryStore in memory: for Node unit tests, and for fakes of the registry namespace that
 * keep one store per app name (a new AppRegistry over the same store is an object waking up).
 * Behaves as SqlStore does (same contract test); must not be used in production, since
 * nothing survives the isolate.
 */
import type { Instance } from '../registry/model.ts'
import type { RenewToPersist } from '../registry/registry.ts'
import {
  HISTORY_ROWS,
  type HistoryEntry,
  type RegistryStore,
  type SessionOwner,
  type StoredApp,
} from './registry-store.ts'

const keyOf = (zone: string, hostname: string) => `${zone}\n${hostname}`

/** An app kept in maps; instances are stored as given (they are immutable values). */
export class MemoryStore implements RegistryStore {
  readonly #instances = new Map<string, { instance: Instance; renewMs: number }>()
  /** Oldest first. */
  #history: HistoryEntry[] = []
  readonly #owners = new Map<string, { zone: string; hostname: string; owner: SessionOwner }>()
  #latest = 0n
  #app: { appid: string; env: string } | undefined

  load(): StoredApp {
    const instances = [...this.#instances.values()].map((row) => ({
      instance: row.instance,
      persistedRenewMs: row.renewMs,
    }))
    let latestTimestamp = this.#latest
    for (const { instance } of instances) {
      if (instance.latestTimestamp > latestTimestamp) latestTimestamp = instance.latestTimestamp
    }
    const owners = [...this.#owners.values()].map((o) => ({
      zone: o.zone,
      hostname: o.hostname,
      ...o.owner,
    }))
    return { appid: this.#app?.appid, env: this.#app?.env, latestTimestamp, instances, owners }
  }

  identify(appid: string, env: string): void {
    this.#app = { appid, env }
  }

  put(instance: Instance): void {
    const key = keyOf(instance.zone, instance.hostname)
    this.#instances.delete(key) // a replaced row goes last, as with INSERT OR REPLACE
    this.#instances.set(key, { instance, renewMs: Number(instance.renewTimestamp / 1_000_000n) })
  }

  delete(instance: Instance): void {
    this.#instances.delete(keyOf(instance.zone, instance.hostname))
  }

  renewed(renews: RenewToPersist[]): void {
    for (const r of renews) {
      const row = this.#instances.get(keyOf(r.zone, r.hostname))
      if (row) row.renewMs = r.renewMs
    }
  }

  record(entries: HistoryEntry[]): void {
    for (const e of entries) this.#history.push({ ...e })
    if (this.#history.length > HISTORY_ROWS)
      this.#history.splice(0, this.#history.length - HISTORY_ROWS)
  }

  history(limit: number): HistoryEntry[] {
    return this.#history
      .slice(Math.max(0, this.#history.length - limit)) // not slice(-limit): limit 0 is none
      .reverse()
      .map((e) => ({ ...e }))
  }

  latest(latestTimestamp: bigint): void {
    this.#latest = latestTimestamp
  }

  own(zone: string, hostname: string, owner: SessionOwner | null): void {
    const key = keyOf(zone, hostname)
    if (owner) this.#owners.set(key, { zone, hostname, owner: { ...owner } })
    else this.#owners.delete(key)
  }
}
