/**
 * One application's byte budget (APP_BYTES): the sum of what each instance adds to the app's
 * answers, as the server measures it (`sizeOf`, its encoding). Sizes are measured on the first
 * change that needs them, so an object that is only read never encodes anything for it. Pure.
 */
import type { Instance } from './model.ts'
import type { RegistryError } from './result.ts'

export class ByteBudget {
  readonly #max: number
  readonly #sizeOf: (instance: Instance) => number
  readonly #all: () => Iterable<Instance>
  /** Each instance's size by key; undefined until first needed. */
  #sizes: Map<string, number> | undefined
  /** The sum of #sizes. */
  #bytes = 0

  /** `all` lists the app's instances when their sizes are first needed. */
  constructor(max: number, sizeOf: (instance: Instance) => number, all: () => Iterable<Instance>) {
    this.#max = max
    this.#sizeOf = sizeOf
    this.#all = all
  }

  /**
   * Why storing `instances` (each replacing the one of its key) would break the budget, if it
   * would; otherwise their sizes become the app's, and the caller must store them. A change
   * that does not grow the app always fits, so an app over a lowered budget can still shrink.
   */
  admit(instances: readonly Instance[]): RegistryError | undefined {
    const sizes = this.#measured()
    const next = new Map(instances.map((i) => [keyOf(i), this.#sizeOf(i)]))
    let bytes = this.#bytes
    for (const [key, size] of next) bytes += size - (sizes.get(key) ?? 0)
    if (bytes > this.#max && bytes > this.#bytes) {
      const { appid, env } = instances[0] ?? { appid: '', env: '' }
      return {
        reason: 'full',
        message: `APP_BYTES: ${appid} (env ${env}) would hold ${bytes} bytes of instances, over its budget of ${this.#max}`,
      }
    }
    for (const [key, size] of next) sizes.set(key, size)
    this.#bytes = bytes
    return undefined
  }

  /** The instance left the app. */
  removed(instance: Instance): void {
    const key = keyOf(instance)
    this.#bytes -= this.#sizes?.get(key) ?? 0
    this.#sizes?.delete(key)
  }

  #measured(): Map<string, number> {
    if (this.#sizes === undefined) {
      this.#sizes = new Map()
      for (const i of this.#all()) {
        const size = this.#sizeOf(i)
        this.#sizes.set(keyOf(i), size)
        this.#bytes += size
      }
    }
    return this.#sizes
  }
}

const keyOf = (i: Instance) => `${i.zone}\u0000${i.hostname}`
