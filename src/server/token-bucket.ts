/**
 * A token bucket: `perSecond` on average, bursts of `burst`, and a count of the takes refused
 * in the last 10 s (a client that keeps going past its budget). Pure: the caller passes the time.
 */
const REFUSAL_WINDOW_MS = 10_000

export class TokenBucket {
  readonly #perMs: number
  readonly #burst: number
  #tokens: number
  #at: number
  #windowStart: number
  /** Takes refused since the current 10 s window began. */
  refused = 0

  constructor(perSecond: number, burst: number, nowMs: number) {
    this.#perMs = perSecond / 1000
    this.#burst = burst
    this.#tokens = burst
    this.#at = nowMs
    this.#windowStart = nowMs
  }

  /** Take one token at `nowMs`; false when none is left. */
  take(nowMs: number): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + (nowMs - this.#at) * this.#perMs)
    this.#at = nowMs
    if (nowMs - this.#windowStart >= REFUSAL_WINDOW_MS) {
      this.#windowStart = nowMs
      this.refused = 0
    }
    if (this.#tokens < 1) {
      this.refused += 1
      return false
    }
    this.#tokens -= 1
    return true
  }
}
