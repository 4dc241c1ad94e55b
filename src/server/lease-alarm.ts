/**
 * The registry object's one alarm, on the object's clock (which the test subclass shifts):
 * read once per wake-up, only moved earlier between alarms, never closer to now than a gap
 * (each alarm is a billed request, re-armed with a billed row).
 */
export class LeaseAlarm {
  readonly #storage: DurableObjectStorage
  readonly #now: () => number
  readonly #gapMs: number
  /** The alarm time as last set (ms, object clock); null = none, undefined = not read yet. */
  #armedAt: number | null | undefined

  constructor(storage: DurableObjectStorage, now: () => number, gapMs: number) {
    this.#storage = storage
    this.#now = now
    this.#gapMs = gapMs
  }

  /** The alarm fired: none is set until the next call. */
  fired(): void {
    this.#armedAt = null
  }

  /** What was set is not known any more (a write failed): read it again next time. */
  forget(): void {
    this.#armedAt = undefined
  }

  /** One alarm at `next` (ms, object clock; undefined: none needed), unless one comes sooner. */
  async sync(next: number | undefined): Promise<void> {
    const armedAt = await this.#time()
    if (next === undefined) {
      if (armedAt !== null) await this.#storage.deleteAlarm()
      this.#armedAt = null
      return
    }
    if (armedAt !== null && armedAt <= next) return
    await this.#set(Math.max(next, this.#now() + this.#gapMs))
  }

  /** Make the alarm fire by `at` at the latest. */
  async by(at: number): Promise<void> {
    const armedAt = await this.#time()
    if (armedAt === null || armedAt > at) await this.#set(at)
  }

  async #set(at: number): Promise<void> {
    await this.#storage.setAlarm(at - (this.#now() - Date.now()))
    this.#armedAt = at
  }

  async #time(): Promise<number | null> {
    if (this.#armedAt === undefined) {
      const real = await this.#storage.getAlarm()
      this.#armedAt = real === null ? null : real + (this.#now() - Date.now())
    }
    return this.#armedAt
  }
}
