/**
 * A manual clock for tests of the pure core: time moves only when the test says so, and
 * never by sleeping. Milliseconds since the epoch, like Date.now().
 */
import type { Clock } from '../../src/registry/clock.ts'

/** 2023-11-14T22:13:20Z: stamps taken from it are 19-digit nanoseconds, as on the wire. */
export const T0_MS = 1_700_000_000_000

export class FakeClock implements Clock {
  #nowMs: number

  constructor(startMs: number = T0_MS) {
    this.#nowMs = startMs
  }

  now(): number {
    return this.#nowMs
  }

  /** Move time forward (or back, with a negative `ms`) and return the new time. */
  advance(ms: number): number {
    this.#nowMs += ms
    return this.#nowMs
  }
}
