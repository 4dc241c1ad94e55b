/**
 * Self-preservation ("guard"), per application. Mirrors upstream registry/guard.go
 * (PROTOCOL.md §4.7): count renews per window; when fewer arrive than 85 % of the expected
 * number, stop evicting, because a network blip must never empty a service's instance list.
 * Pure: every method takes `nowMs`.
 */

/** Share of expected renews below which eviction pauses. */
export const GUARD_RATIO = 0.85
/** Expected renews per instance per window (one window = two renew intervals, as upstream). */
const RENEWS_PER_WINDOW = 2
/** How often the expectation is recomputed from the instance count (upstream: 15 min). */
export const EXPECTATION_RESET_MS = 15 * 60_000

export class Guard {
  readonly #windowMs: number
  #windowStart: number
  #renewsThisWindow = 0
  /** -1 until one full window has passed: nothing is known yet, so protect. */
  #renewsLastWindow = -1
  #expected = 0
  #lastReset: number

  constructor(windowMs: number, nowMs: number) {
    this.#windowMs = windowMs
    this.#windowStart = nowMs
    this.#lastReset = nowMs
  }

  /** An instance was newly inserted. */
  added(): void {
    this.#expected += RENEWS_PER_WINDOW
  }

  /** An instance was cancelled explicitly (evictions do not lower the expectation). */
  cancelled(): void {
    this.#expected = Math.max(0, this.#expected - RENEWS_PER_WINDOW)
  }

  /** A renew arrived. */
  renewed(nowMs: number): void {
    this.#roll(nowMs)
    this.#renewsThisWindow += 1
  }

  /**
   * Whether eviction is paused now, given how many instances the app has; `alive` of them are
   * known alive without renews (held by a session that heartbeats) and count as renewing.
   */
  protecting(nowMs: number, instanceCount: number, alive = 0): boolean {
    this.#roll(nowMs)
    if (nowMs - this.#lastReset >= EXPECTATION_RESET_MS) {
      this.#expected = RENEWS_PER_WINDOW * instanceCount
      this.#lastReset = nowMs
    }
    const threshold = Math.floor(this.#expected * GUARD_RATIO)
    if (this.#renewsLastWindow < 0 && alive === 0) return true // nothing known yet
    return Math.max(0, this.#renewsLastWindow) + alive * RENEWS_PER_WINDOW < threshold
  }

  /** When the current window ends: protection is re-evaluated then. */
  windowEnd(nowMs: number): number {
    this.#roll(nowMs)
    return this.#windowStart + this.#windowMs
  }

  #roll(nowMs: number): void {
    const elapsed = Math.floor((nowMs - this.#windowStart) / this.#windowMs)
    if (elapsed <= 0) return
    this.#renewsLastWindow = elapsed === 1 ? this.#renewsThisWindow : 0
    this.#renewsThisWindow = 0
    this.#windowStart += elapsed * this.#windowMs
  }
}

/** Upstream's per-scan cap: never evict more than 15 % of the instances at once (at least 1). */
export const evictionCap = (size: number): number => size - Math.floor(size * GUARD_RATIO)
