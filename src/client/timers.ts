/**
 * Time as the SDK sees it: `setTimeout`/`clearTimeout` injected so renew loops, backoff and
 * request deadlines run under fake timers in tests. Defaults to the platform's (Node, browsers
 * and Workers all have them).
 */

/** The timer functions the SDK uses. Handles are opaque. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The platform's timers, looked up on each call (so test frameworks that patch them work). */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
}

/** Wait `ms`; resolves early (never rejects) when `signal` aborts. */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      timers.clearTimeout(handle)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const handle = timers.setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * A signal that aborts when `outer` does (with its reason) or after `ms` (with `reason()`), and
 * `clear` to stop the timer once it is no longer needed.
 */
export function deadlineSignal(
  timers: Timers,
  ms: number,
  outer: AbortSignal | undefined,
  reason: () => unknown
): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController()
  const forward = () => controller.abort(outer?.reason)
  if (outer?.aborted) forward()
  outer?.addEventListener('abort', forward, { once: true })
  const handle = timers.setTimeout(() => controller.abort(reason()), ms)
  const clear = () => {
    timers.clearTimeout(handle)
    outer?.removeEventListener('abort', forward)
  }
  return { signal: controller.signal, clear }
}
