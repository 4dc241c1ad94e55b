/**
 * An app's recent changes, for session watchers (docs/sessions.md, "Watching"): each batch of
 * writes (or an eviction) as the instances it put and removed, between two values of the app's
 * change counter. A watcher that is behind gets the changes since its cursor merged into one
 * delta; one whose cursor the log no longer reaches gets the whole view. Bounded, in memory.
 */
import type { Instance } from '../registry/model.ts'

/** How many changes the log keeps. */
export const CHANGE_LOG_ENTRIES = 256

/** An instance by its key in the app. */
export interface InstanceRef {
  zone: string
  hostname: string
}

/** What one announcement changed: counter `from` → `to`. */
export interface AppChange {
  from: bigint
  to: bigint
  /** Instances added or changed, as they are now. */
  put: Instance[]
  /** Instances removed. */
  del: InstanceRef[]
}

const keyOf = (r: InstanceRef) => `${r.zone}\u0000${r.hostname}`

export class ChangeLog {
  readonly #entries: AppChange[] = []
  readonly #capacity: number

  constructor(capacity = CHANGE_LOG_ENTRIES) {
    this.#capacity = capacity
  }

  append(change: AppChange): void {
    this.#entries.push(change)
    if (this.#entries.length > this.#capacity) this.#entries.shift()
  }

  /**
   * Every change from `cursor` to `latest` as one, or undefined when the log does not reach
   * back to `cursor` (or the changes it holds do not chain up to `latest`).
   */
  since(cursor: bigint, latest: bigint): AppChange | undefined {
    if (cursor === latest) return { from: cursor, to: latest, put: [], del: [] }
    let start = this.#entries.length - 1
    while (start >= 0 && this.#entries[start]?.from !== cursor) start--
    if (start < 0) return undefined
    const chain = this.#entries.slice(start)
    for (let i = 1; i < chain.length; i++) {
      if (chain[i]?.from !== chain[i - 1]?.to) return undefined
    }
    if (chain.at(-1)?.to !== latest) return undefined
    return merge(chain)
  }
}

/** Consecutive changes as one: the last thing that happened to each instance wins. */
export function merge(changes: readonly AppChange[]): AppChange {
  const last = new Map<string, Instance | InstanceRef>()
  for (const change of changes) {
    for (const ref of change.del) {
      const key = keyOf(ref)
      last.delete(key) // re-inserted: the map keeps the order of the last change
      last.set(key, { zone: ref.zone, hostname: ref.hostname })
    }
    for (const instance of change.put) {
      const key = keyOf(instance)
      last.delete(key)
      last.set(key, instance)
    }
  }
  const put: Instance[] = []
  const del: InstanceRef[] = []
  for (const value of last.values()) {
    if ('addrs' in value) put.push(value)
    else del.push(value)
  }
  return { from: changes[0]?.from ?? 0n, to: changes.at(-1)?.to ?? 0n, put, del }
}
