/**
 * Who registered each instance, so that a renew by another token (a stranger) is recorded in
 * the app's history: a trace of one token keeping alive an instance another token registered,
 * at no cost to ordinary renews (a map lookup; no write). Each stranger is recorded once per
 * instance until another one turns up. Rebuilt from the history when the object loads; an
 * instance whose register has left the history takes its next renewer as its owner, unrecorded
 * (recording them all would be a history row per instance after every restart).
 */
import type { HistoryEntry } from './registry-store.ts'

const keyOf = (zone: string, hostname: string) => `${zone}\n${hostname}`

interface Writers {
  owner: string
  /** The last stranger recorded renewing it. */
  stranger?: string
}

export class InstanceWriters {
  readonly #byInstance = new Map<string, Writers>()

  /** `history`: newest first, as RegistryStore.history answers. */
  constructor(history: readonly HistoryEntry[]) {
    for (let i = history.length - 1; i >= 0; i--) {
      const e = history[i] as HistoryEntry
      if (e.op === 'register') this.registered(e.zone, e.hostname, e.actor)
      else if (e.op === 'cancel' || e.op === 'evict') this.forget(e.zone, e.hostname)
      else if (e.op === 'renew') this.renewedBy(e.zone, e.hostname, e.actor)
    }
  }

  registered(zone: string, hostname: string, actor: string): void {
    this.#byInstance.set(keyOf(zone, hostname), { owner: actor })
  }

  forget(zone: string, hostname: string): void {
    this.#byInstance.delete(keyOf(zone, hostname))
  }

  /** Whether a renew by `actor` is worth a history record: a stranger not yet recorded. */
  renewedBy(zone: string, hostname: string, actor: string): boolean {
    const key = keyOf(zone, hostname)
    const writers = this.#byInstance.get(key)
    if (writers === undefined) {
      this.#byInstance.set(key, { owner: actor })
      return false
    }
    if (actor === writers.owner || actor === writers.stranger) return false
    writers.stranger = actor
    return true
  }
}
