/**
 * `client.watch()`'s async iterable: snapshots of the watched apps as their source (an app's
 * session, or the shared poller) delivers them, starting with any already known. Coalescing: a consumer that falls behind gets each
 * app's latest snapshot, not every intermediate one. Ends on `signal` abort or `break`.
 */
import type { AppSnapshot } from './app-snapshot.ts'

/** Where snapshots come from: the HTTP poller, or per app its session. */
export interface SnapshotSource {
  /** Deliver `appid`'s changes to `listener` until the returned function is called. */
  subscribe(appid: string, listener: (snapshot: AppSnapshot) => void): () => void
  /** The last snapshot delivered for `appid`, if any. */
  latest(appid: string): AppSnapshot | undefined
}

export class WatchStream implements AsyncIterableIterator<AppSnapshot> {
  readonly #pending = new Map<string, AppSnapshot>()
  readonly #unsubscribe: (() => void)[] = []
  #waiting: ((result: IteratorResult<AppSnapshot>) => void) | undefined
  readonly #onEnd: (() => void) | undefined
  #done = false

  /** `onEnd` is called once when a started iteration ends (abort, `break`, `return()`). */
  constructor(
    source: SnapshotSource,
    appids: readonly string[],
    signal?: AbortSignal,
    onEnd?: () => void
  ) {
    this.#onEnd = onEnd
    if (signal?.aborted) {
      this.#done = true // nothing subscribed, so nothing for onEnd to undo
      return
    }
    for (const appid of new Set(appids)) {
      this.#unsubscribe.push(source.subscribe(appid, (snapshot) => this.#push(snapshot)))
      const known = source.latest(appid)
      if (known) this.#push(known)
    }
    signal?.addEventListener('abort', () => void this.return(), { once: true })
  }

  next(): Promise<IteratorResult<AppSnapshot>> {
    const first = this.#pending.values().next()
    if (!first.done) {
      this.#pending.delete(first.value.appid)
      return Promise.resolve({ value: first.value, done: false })
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve) => {
      this.#waiting = resolve
    })
  }

  return(): Promise<IteratorResult<AppSnapshot>> {
    if (!this.#done) {
      this.#done = true
      for (const unsubscribe of this.#unsubscribe) unsubscribe()
      this.#pending.clear()
      const waiting = this.#waiting
      this.#waiting = undefined
      waiting?.({ value: undefined, done: true })
      this.#onEnd?.()
    }
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  #push(snapshot: AppSnapshot): void {
    if (this.#done) return
    const waiting = this.#waiting
    if (waiting) {
      this.#waiting = undefined
      waiting({ value: snapshot, done: false })
      return
    }
    this.#pending.delete(snapshot.appid)
    this.#pending.set(snapshot.appid, snapshot)
  }
}
