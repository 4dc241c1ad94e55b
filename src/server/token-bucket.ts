/** A token bucket: `perSecond` on average, bursts of `burst`. Pure: the caller passes the time. */
export class TokenBucket {
  readonly #perMs: number
  readonly #burst: number
  #tokens: number
  #at: number
  /** Takes refused in a row. */
  refused = 0

  constructor(perSecond: number, burst: number, nowMs: number) {
    this.#perMs = perSecond / 1000
    this.#burst = burst
    this.#tokens = burst
    this.#at = nowMs
  }

  /** Take one token at `nowMs`; false when none is left. */
  take(nowMs: number): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + (nowMs - this.#at) * this.#perMs)
    this.#at = nowMs
    if (this.#tokens < 1) {
      this.refused += 1
      return false
    }
    this.#tokens -= 1
    this.refused = 0
    return true
  }
}
