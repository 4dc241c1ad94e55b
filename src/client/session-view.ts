/**
 * One app's watched instances over a session (docs/sessions.md "Watching"): a `view` replaces
 * them, a `delta` changes them only when its `from` is the cursor held. Also decides what
 * watchers are told: when the registry says the app is empty they get an empty snapshot, but
 * the first view after a reconnect never empties a non-empty list (a registry that restarted or
 * lost its state looks the same), the HTTP poller's rule. Pure apart from calling listeners.
 */
import type { Instance } from '../registry/model.ts'
import { type AppSnapshot, fingerprint, instanceCount } from './app-snapshot.ts'
import type { DeltaFrame, ViewFrame } from './session-frames.ts'

type Listener = (snapshot: AppSnapshot) => void

const key = (zone: string, hostname: string) => `${zone}\u0000${hostname}`

export class WatchedView {
  readonly appid: string
  readonly listeners = new Set<Listener>()
  readonly #instances = new Map<string, Instance>()
  #cursor = 0n
  #synced = false
  #delivered: { snapshot: AppSnapshot; fingerprint: string } | undefined

  constructor(appid: string) {
    this.appid = appid
  }

  /** The `latest_timestamp` the instances are at; 0 before the first view. */
  get cursor(): bigint {
    return this.#cursor
  }

  /** What watchers were last told. */
  latest(): AppSnapshot | undefined {
    return this.#delivered?.snapshot
  }

  /** Forget the app (its last watcher left): a later watch starts from a whole view. */
  reset(): void {
    this.#instances.clear()
    this.#cursor = 0n
    this.#synced = false
    this.#delivered = undefined
  }

  /** A `view`. `afterReconnect`: the first one answering the watch sent on a new connection. */
  applyView(frame: ViewFrame, afterReconnect: boolean): void {
    this.#instances.clear()
    for (const i of frame.instances) this.#instances.set(key(i.zone, i.hostname), i)
    this.#cursor = frame.latestTimestamp
    this.#synced = true
    this.deliver(this.#snapshot(), !afterReconnect)
  }

  /** A `delta`; false (and nothing changed) when it does not follow the cursor held. */
  applyDelta(frame: DeltaFrame): boolean {
    if (!this.#synced || frame.from !== this.#cursor) return false
    for (const d of frame.del) this.#instances.delete(key(d.zone, d.hostname))
    for (const i of frame.put) this.#instances.set(key(i.zone, i.hostname), i)
    this.#cursor = frame.latestTimestamp
    this.deliver(this.#snapshot(), true)
    return true
  }

  /**
   * Tell the listeners, unless nothing they act on changed, or `snapshot` would empty a
   * non-empty list and `mayEmpty` is false.
   */
  deliver(snapshot: AppSnapshot, mayEmpty: boolean): void {
    const previous = this.#delivered
    const emptying = instanceCount(snapshot) === 0 && previous && instanceCount(previous.snapshot)
    if (emptying && !mayEmpty) return
    const print = fingerprint(snapshot)
    this.#delivered = { snapshot, fingerprint: print }
    if (previous?.fingerprint === print) return
    for (const listener of [...this.listeners]) listener(snapshot)
  }

  #snapshot(): AppSnapshot {
    const byZone = new Map<string, Instance[]>()
    for (const i of this.#instances.values()) {
      const list = byZone.get(i.zone)
      if (list) list.push(i)
      else byZone.set(i.zone, [i])
    }
    // fromEntries, so that a zone named "__proto__" stays an own key
    const instances = Object.fromEntries(byZone)
    return { appid: this.appid, instances, latestTimestamp: this.#cursor }
  }
}
