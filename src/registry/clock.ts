/**
 * Time sources. `Clock` is the one seam through which the registry reads wall time;
 * `NanoClock` turns milliseconds into strictly increasing int64 nanosecond stamps.
 */

/** A wall clock in milliseconds since the epoch. */
export interface Clock {
  now(): number
}

const NS_PER_MS = 1_000_000n

/** The largest int64: timestamps and counters are int64 on the wire (PROTOCOL §1.7). */
export const INT64_MAX = (1n << 63n) - 1n
export const INT64_MIN = -(1n << 63n)

/**
 * `candidate` if it is larger than `current`, else `current + 1` (PROTOCOL §2.6), but never
 * past int64: from INT64_MAX (a client may push a counter there, §2.6) it falls back to
 * `fallback`, as the reference's wrap-around recovers on its next update.
 */
export function nextAfter(current: bigint, candidate: bigint, fallback: bigint): bigint {
  if (candidate > current) return candidate
  return current < INT64_MAX ? current + 1n : fallback
}

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
    this.#last = nextAfter(this.#last, candidate, candidate)
    return this.#last
  }

  /** Never issue a stamp at or below `ns` (after loading persisted state). */
  observe(ns: bigint): void {
    if (ns > this.#last) this.#last = ns
  }
}
