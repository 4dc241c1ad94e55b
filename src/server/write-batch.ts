/**
 * Group commit for a registry object's writes. A write does not run at once: it joins a batch
 * that runs on the next timer turn with every write that arrived meanwhile, in arrival order,
 * in one synchronous block. Their SQLite statements then share one implicit transaction, so a
 * burst of registers costs one commit (one fsync) instead of one each, and the follow-up
 * (store the counter, wake held polls, re-arm the alarm) runs once per batch.
 *
 * Nothing is weakened: a write takes effect (memory and SQLite together) before its promise
 * settles, and the output gate still holds every reply until the commit is durable. Waiting
 * only moves the moment a write takes effect a little later, never after its answer. Reads
 * (fetch, renew) are not batched; they see a write once it has run.
 */
export class WriteBatch {
  readonly #after: () => Promise<void>
  #pending: ((done: Promise<void>) => void)[] | undefined

  /** `after` runs once after each batch's writes, before any of them settles. */
  constructor(after: () => Promise<void>) {
    this.#after = after
  }

  /** Run `write` (synchronous) in the next batch; settles with its result once `after` is done. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#pending === undefined) {
        this.#pending = []
        setTimeout(() => this.#flush(), 0)
      }
      this.#pending.push((done) => {
        try {
          const result = write()
          done.then(() => resolve(result), reject)
        } catch (error) {
          reject(error)
        }
      })
    })
  }

  #flush(): void {
    const writes = this.#pending ?? []
    this.#pending = undefined
    let settle: (after: Promise<void>) => void = () => {}
    const done = new Promise<void>((resolve) => {
      settle = resolve
    })
    for (const write of writes) write(done)
    settle(this.#after())
  }
}
