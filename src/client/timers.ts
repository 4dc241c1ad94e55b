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
