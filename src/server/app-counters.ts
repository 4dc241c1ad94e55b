/**
 * Counters of an app's changes since its object started (for /metrics): registers, cancels,
 * sets and evictions. They are counted where every change is already recorded, the history
 * (`RegistryStore.record`), by wrapping the store; so no write path changes and nothing extra is
 * stored. Kept in memory: they restart at 0 when the object loads again, which Prometheus reads
 * as a counter reset (the object's start time is exported next to them).
 */
import type { HistoryEntry, RegistryStore } from './registry-store.ts'

/** Changes counted since the object started. */
export interface AppCounts {
  registers: number
  cancels: number
  sets: number
  /** Evictions by cause: `lease` (silent past its lease), `session` (its session did not return). */
  evictions: { lease: number; session: number }
}

/** An app's change counters; `count` takes history entries as they are recorded. */
export class AppCounters {
  readonly #counts: AppCounts = {
    registers: 0,
    cancels: 0,
    sets: 0,
    evictions: { lease: 0, session: 0 },
  }

  /** Count recorded changes (renews by another token are history entries, not changes). */
  count(entries: readonly HistoryEntry[]): void {
    for (const entry of entries) {
      if (entry.op === 'register') this.#counts.registers += 1
      else if (entry.op === 'cancel') this.#counts.cancels += 1
      else if (entry.op === 'set') this.#counts.sets += 1
      else if (entry.op === 'evict') {
        if (entry.actor === 'session') this.#counts.evictions.session += 1
        else this.#counts.evictions.lease += 1
      }
    }
  }

  /** A copy of the counts now. */
  snapshot(): AppCounts {
    return { ...this.#counts, evictions: { ...this.#counts.evictions } }
  }
}

/**
 * `store` with every recorded history entry also counted by `counters`. A record belongs to a
 * write batch that SQLite commits as one; if that commit failed the object would be reset by
 * the runtime, and its counters with it, so a count never outlives a write that did not happen.
 */
export function countingStore(store: RegistryStore, counters: AppCounters): RegistryStore {
  return {
    load: () => store.load(),
    identify: (appid, env) => store.identify(appid, env),
    put: (instance) => store.put(instance),
    delete: (instance) => store.delete(instance),
    renewed: (renews) => store.renewed(renews),
    record: (entries) => {
      store.record(entries)
      counters.count(entries)
    },
    history: (limit) => store.history(limit),
    latest: (latestTimestamp) => store.latest(latestTimestamp),
    own: (zone, hostname, owner) => store.own(zone, hostname, owner),
  }
}
