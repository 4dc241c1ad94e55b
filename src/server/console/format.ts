/**
 * How the console writes times, durations and counts: short, plain English, no locale (the
 * server does not know the reader's; the page's script rewrites absolute times into it).
 */

/** "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "in 4 s" for the future. */
export function ago(atMs: number, nowMs: number): string {
  const ms = nowMs - atMs
  if (ms < 0) return `in ${duration(-ms)}`
  if (ms < 1000) return 'just now'
  return `${duration(ms)} ago`
}

/** "800 ms", "12 s", "5 min", "3 h 5 min", "2 d 3 h". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s} s`
  const min = Math.floor(s / 60)
  if (min < 60) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`
  const d = Math.floor(h / 24)
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`
}

/** "2026-07-01 12:03:04 UTC". */
export function utc(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '—'
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`
}

/** ISO 8601, for `<time datetime>`. */
export const isoTime = (ms: number): string =>
  Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : ''

/** "1 instance", "3 instances". */
export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n} ${n === 1 ? one : many}`
