/**
 * Encoded application views, cached. Each instance's JSON is cached by object identity (the
 * registry replaces an instance object whenever it changes), and each whole view by zone and
 * status mask until the registry's revision moves. A fetch of an unchanged 10,000-instance app
 * is then a string lookup, and a renew re-encodes one instance.
 */
import { encodeInstance, encodeSnapshot } from '../protocol/instance-codec.ts'
import type { Instance, SnapshotQuery } from '../registry/model.ts'
import type { Registry } from '../registry/registry.ts'

/** Only these status bits exist; the rest of a mask changes nothing. */
const STATUS_BITS = 3

export class SnapshotCache {
  readonly #registry: Registry
  readonly #instances = new WeakMap<Instance, string>()
  readonly #views = new Map<string, { revision: number; json: string }>()

  constructor(registry: Registry) {
    this.#registry = registry
  }

  /** The encoded view, or undefined when the app (or the asked zone) does not exist. */
  get(query: SnapshotQuery): string | undefined {
    const mask = query.statusMask & STATUS_BITS
    const key = `${mask}:${query.zone}`
    const revision = this.#registry.revision
    const cached = this.#views.get(key)
    if (cached?.revision === revision) return cached.json
    const snapshot = this.#registry.snapshot({ zone: query.zone, statusMask: mask })
    if (!snapshot) {
      this.#views.delete(key)
      return undefined
    }
    const json = encodeSnapshot(snapshot, this.encode)
    this.#views.set(key, { revision, json })
    return json
  }

  /** The zones a view can be asked for: each zone with instances, and '' (all of them). */
  zones(): string[] {
    return ['', ...this.#registry.zoneNames()]
  }

  /** One instance's JSON, cached while the instance is unchanged. */
  encode = (instance: Instance): string => {
    let json = this.#instances.get(instance)
    if (json === undefined) {
      json = encodeInstance(instance)
      this.#instances.set(instance, json)
    }
    return json
  }
}
