/**
 * Capped exponential backoff with jitter, for the renew and watch loops after a failure. Pure:
 * the random source is passed in.
 */

/** Backoff bounds: the first delay and the ceiling (milliseconds). */
export interface BackoffOptions {
  /** Delay after the first failure; default 1000 ms (the Go SDK's fixed 1 s). */
  initialMs?: number
  /** Ceiling; default 30 000 ms. */
  maxMs?: number
}

const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 30_000 } as const

/**
 * The delay before retry number `attempt` (1 = after the first failure): `initialMs·2^(attempt-1)`
 * capped at `maxMs`, then drawn uniformly from its upper half ("equal jitter"), so clients that
 * failed together do not retry together, and a delay never drops below half its step.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number
): number {
  const initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs
  const step = Math.min(max, initial * 2 ** Math.max(0, Math.min(attempt - 1, 30)))
  return step / 2 + random() * (step / 2)
}
