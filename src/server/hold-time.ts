/**
 * How long a held poll may wait (docs/protocol.md): the configured hold, shortened by the
 * caller's `x1-bmspy-timeout` (milliseconds; the reference subtracts 20 from values above 20).
 * A caller with no time left (0 or less) is answered at once; an empty or unreadable header is
 * ignored, as the reference ignores it.
 */

/** The reference subtracts this from the caller's x1-bmspy-timeout. */
const BMSPY_MARGIN_MS = 20

/** Milliseconds to hold a poll whose x1-bmspy-timeout header is `header` (null: none); 0 = at once. */
export function holdMs(header: string | null, pollHoldMs: number): number {
  const text = header?.trim() ?? ''
  const ms = text === '' ? Number.NaN : Number(text)
  if (!Number.isFinite(ms)) return pollHoldMs
  if (ms <= 0) return 0
  return Math.min(pollHoldMs, ms > BMSPY_MARGIN_MS ? ms - BMSPY_MARGIN_MS : ms)
}
