/**
 * Who last wrote each instance, so that a renew from a different token than that writer is
 * recorded in the app's history: a trace of one token keeping alive an instance another token
 * registered, at no cost to ordinary renews (a map lookup; no write). Rebuilt from the history
 * when the object loads; an instance whose last write has left the history is learned from its
 * next renew without a record (recording them all would be one commit per instance after every
 * restart).
 */
import type { HistoryEntry } from './sql-store.ts'

const keyOf = (zone: string, hostname: string) => `${zone}\n${hostname}`

export class InstanceWriters {
  readonly #byInstance = new Map<string, string>()

  /** `history`: newest first, as SqlStore.history answers. */
  constructor(history: readonly HistoryEntry[]) {
    for (let i = history.length - 1; i >= 0; i--) {
      const e = history[i] as HistoryEntry
      if (e.op === 'cancel' || e.op === 'evict') this.forget(e.zone, e.hostname)
      else this.wrote(e.zone, e.hostname, e.actor)
    }
  }

  wrote(zone: string, hostname: string, actor: string): void {
    this.#byInstance.set(keyOf(zone, hostname), actor)
  }

  forget(zone: string, hostname: string): void {
    this.#byInstance.delete(keyOf(zone, hostname))
  }

  /** Whether a renew by `actor` is worth a history record; remembers `actor` either way. */
  renewedBy(zone: string, hostname: string, actor: string): boolean {
    const key = keyOf(zone, hostname)
    const last = this.#byInstance.get(key)
    if (last === actor) return false
    this.#byInstance.set(key, actor)
    return last !== undefined
  }
}
