/**
 * Waiting, for the tests and the benchmark alike: a plain pause, and polling a check until it
 * holds. One implementation, so that every wait in the repository times out the same way and
 * names what it was waiting for.
 */
import { setTimeout as pause } from 'node:timers/promises'

/** Resolve after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => pause(ms)

/**
 * Resolve with `check`'s first truthy value, checking every `intervalMs` (after each falsy
 * check); reject once `timeoutMs` have passed, naming `what`.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 50
): Promise<NonNullable<T>> {
  const started = performance.now()
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (performance.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
    await sleep(intervalMs)
  }
}
