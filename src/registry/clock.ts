/**
 * Time sources. `Clock` is the one seam through which the registry reads wall time;
 * `NanoClock` turns milliseconds into strictly increasing int64 nanosecond stamps.
 */

/** A wall clock in milliseconds since the epoch. */
export interface Clock {
  now(): number
}

const NS_PER_MS = 1_000_000n

/** Milliseconds → nanoseconds (bigint). */
export const msToNs = (ms: number): bigint => BigInt(Math.floor(ms)) * NS_PER_MS

/** Nanoseconds → milliseconds (rounded down). */
export const nsToMs = (ns: bigint): number => Number(ns / NS_PER_MS)

/**
 * Issues nanosecond timestamps that never repeat and never go backwards, even when the
 * millisecond clock stands still (production Date.now() only advances on I/O).
 */
export class NanoClock {
  #last = 0n

  /** The next stamp for wall time `nowMs`. */
  stamp(nowMs: number): bigint {
    const candidate = msToNs(nowMs)
    this.#last = candidate > this.#last ? candidate : this.#last + 1n
    return this.#last
  }

  /** Never issue a stamp at or below `ns` (after loading persisted state). */
  observe(ns: bigint): void {
    if (ns > this.#last) this.#last = ns
  }
}
