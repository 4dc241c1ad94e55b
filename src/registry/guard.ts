/**
 * Self-preservation ("guard"), per application. Counts renews as upstream registry/guard.go
 * does (docs/protocol.md), but pauses eviction only for a correlated loss: many instances of a
 * large enough app going silent together, which looks like a network event rather than deaths.
 * Upstream's rule alone (renews under 85 % of expected) also fires when the one instance of a
 * small app dies, which then stays listed for an hour. Pure: every method takes `nowMs`.
 */

/** Share of expected renews below which eviction pauses. */
export const GUARD_RATIO = 0.85
/**
 * Fewest instances an app must have (listed, and expected to renew) to be protected at all.
 * Below it a silence is taken for a death: with 1–3 instances upstream's ratio already fires
 * on a single death, and with up to 6 on one death plus one late renew.
 */
export const GUARD_MIN_INSTANCES = 10
/**
 * Fewest instances whose renews must be missing together (a shortfall of this many times the
 * renews expected of one) before eviction pauses: one or two dead instances and a late renew
 * never look like a partition. From 14 instances on, the 85 % ratio alone asks as much.
 */
export const GUARD_MIN_LOST = 3
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
   * Paused when the app has at least GUARD_MIN_INSTANCES and the last window's renews fell
   * both under 85 % of the expected number and short of it by GUARD_MIN_LOST instances' worth.
   */
  protecting(nowMs: number, instanceCount: number, alive = 0): boolean {
    this.#roll(nowMs)
    if (nowMs - this.#lastReset >= EXPECTATION_RESET_MS) {
      this.#expected = RENEWS_PER_WINDOW * instanceCount
      this.#lastReset = nowMs
    }
    return decide(this.#expected, this.#renewsLastWindow, instanceCount, alive).protecting
  }

  /**
   * What `protecting` would decide now, and on which figures, without moving the window or
   * the expectation: for the console and /metrics, which must not change what they show.
   */
  status(nowMs: number, instanceCount: number, alive = 0): GuardStatus {
    const elapsed = Math.floor((nowMs - this.#windowStart) / this.#windowMs)
    const lastWindow =
      elapsed <= 0 ? this.#renewsLastWindow : elapsed === 1 ? this.#renewsThisWindow : 0
    const expected =
      nowMs - this.#lastReset >= EXPECTATION_RESET_MS
        ? RENEWS_PER_WINDOW * instanceCount
        : this.#expected
    return decide(expected, lastWindow, instanceCount, alive)
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

/** The guard's figures for one window, as the console and /metrics show them (Eureka-style). */
export interface GuardStatus {
  /**
   * Renews counted in the last full window, instances held by a heartbeating session counting
   * as renewing as often as expected; null before the first full window.
   */
  renews: number | null
  /** Renews expected per window: two per instance, reset from the instance count every 15 min. */
  expected: number
  /** Whether eviction would pause now (self-preservation). */
  protecting: boolean
}

/**
 * The rule itself: paused when the app has at least GUARD_MIN_INSTANCES and the last window's
 * renews fell both under 85 % of `expected` and short of it by GUARD_MIN_LOST instances' worth.
 */
function decide(
  expected: number,
  renewsLastWindow: number,
  instanceCount: number,
  alive: number
): GuardStatus {
  const known = renewsLastWindow >= 0 || alive > 0
  const renews = known ? Math.max(0, renewsLastWindow) + alive * RENEWS_PER_WINDOW : null
  // both counts: the expectation outlives evictions, the instance count outlives cancels
  const size = Math.min(expected / RENEWS_PER_WINDOW, instanceCount)
  if (size < GUARD_MIN_INSTANCES) return { renews, expected, protecting: false }
  if (renews === null) return { renews, expected, protecting: true } // nothing known yet
  const lost = expected - renews
  const protecting =
    renews < Math.floor(expected * GUARD_RATIO) && lost >= GUARD_MIN_LOST * RENEWS_PER_WINDOW
  return { renews, expected, protecting }
}

/** Upstream's per-scan cap: never evict more than 15 % of the instances at once (at least 1). */
export const evictionCap = (size: number): number => size - Math.floor(size * GUARD_RATIO)
