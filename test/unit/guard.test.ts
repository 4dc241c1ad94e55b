import { describe, expect, it } from 'vitest'
import {
  EXPECTATION_RESET_MS,
  evictionCap,
  GUARD_MIN_INSTANCES,
  GUARD_MIN_LOST,
  GUARD_RATIO,
  Guard,
} from '../../src/registry/guard.ts'

const WINDOW_MS = 60_000

/** A guard that expects `instances` × 2 renews per window, started at 0. */
function aGuard(instances: number): Guard {
  const guard = new Guard(WINDOW_MS, 0)
  for (let i = 0; i < instances; i += 1) guard.added()
  return guard
}

function renew(guard: Guard, times: number, atMs: number): void {
  for (let i = 0; i < times; i += 1) guard.renewed(atMs)
}

describe('Guard.protecting', () => {
  it('uses the thresholds docs/operations.md documents', () => {
    expect([GUARD_RATIO, GUARD_MIN_INSTANCES, GUARD_MIN_LOST]).toEqual([0.85, 10, 3])
  })

  it('never protects an app of fewer than 10 instances, not even in the first window', () => {
    for (const n of [0, 1, 3, 9]) {
      const guard = aGuard(n)
      expect(guard.protecting(WINDOW_MS - 1, n), `${n} in the first window`).toBe(false)
      expect(guard.protecting(2 * WINDOW_MS, n), `${n} after a silent window`).toBe(false)
    }
  })

  it('lets the lone instance of an app that stopped renewing be evicted', () => {
    const guard = aGuard(1)
    renew(guard, 2, 10_000)
    expect(guard.protecting(WINDOW_MS, 1)).toBe(false)
    expect(guard.protecting(2 * WINDOW_MS, 1)).toBe(false) // the second window had none
  })

  it('protects an app of 10 or more during the first window, even after many renews', () => {
    const guard = aGuard(10)
    renew(guard, 100, 1_000)
    expect(guard.protecting(WINDOW_MS - 1, 10)).toBe(true)
  })

  it('protects when the last window saw fewer than floor(0.85 × expected) renews', () => {
    const guard = aGuard(20) // expected 40, threshold 34
    renew(guard, 33, 30_000)
    expect(guard.protecting(WINDOW_MS, 20)).toBe(true)
  })

  it('does not protect when the last window saw exactly the threshold', () => {
    const guard = aGuard(20)
    renew(guard, 34, 30_000)
    expect(guard.protecting(WINDOW_MS, 20)).toBe(false)
  })

  it("needs 3 instances' worth of renews missing, besides the ratio", () => {
    // 10 instances: expected 20, threshold 17; each instance renews twice per window
    const counts = [16, 15, 14].map((renews) => {
      const guard = aGuard(10)
      renew(guard, renews, 30_000)
      return [renews, guard.protecting(WINDOW_MS, 10)]
    })
    // 16: one dead; 15: one dead and one late renew; 14: three silent together
    expect(counts).toEqual([
      [16, false],
      [15, false],
      [14, true],
    ])
  })

  it('needs the app to list 10 instances, not only to expect them', () => {
    const guard = aGuard(12)
    expect(guard.protecting(WINDOW_MS, 9)).toBe(false)
    expect(guard.protecting(WINDOW_MS, 10)).toBe(true)
  })

  it('counts instances held alive by a session as renewing', () => {
    const guard = aGuard(20) // expected 40, threshold 34; no renew at all
    expect(guard.protecting(WINDOW_MS, 20, 20)).toBe(false)
    expect(guard.protecting(WINDOW_MS, 20, 17)).toBe(false) // 34 renews' worth
    expect(guard.protecting(WINDOW_MS, 20, 16)).toBe(true)
  })

  it('judges by the last complete window, not the current one', () => {
    const guard = aGuard(20)
    renew(guard, 34, 30_000)
    renew(guard, 100, WINDOW_MS + 1_000) // counted for the window after
    expect(guard.protecting(WINDOW_MS + 59_999, 20)).toBe(false)
    expect(guard.protecting(2 * WINDOW_MS, 20)).toBe(false)
    expect(guard.protecting(3 * WINDOW_MS, 20)).toBe(true) // the third window had no renews
  })

  it('protects after a gap of more than one window without renews', () => {
    const guard = aGuard(20)
    renew(guard, 40, 30_000)
    expect(guard.protecting(2 * WINDOW_MS + 5, 20)).toBe(true)
  })

  it('counts renews on window boundaries in the new window', () => {
    const guard = aGuard(10)
    renew(guard, 20, WINDOW_MS)
    expect(guard.protecting(WINDOW_MS, 10)).toBe(true) // the first window had none
    expect(guard.protecting(2 * WINDOW_MS, 10)).toBe(false)
  })

  it('lowers the expectation by 2 per cancel, not below 0', () => {
    const guard = aGuard(12) // expected 24, threshold 20
    guard.cancelled()
    guard.cancelled() // expected 20, threshold 17
    renew(guard, 17, 10_000)
    expect(guard.protecting(WINDOW_MS, 10)).toBe(false)
    for (let i = 0; i < 15; i += 1) guard.cancelled() // expected 0, not −10
    for (let i = 0; i < 10; i += 1) guard.added() // expected 20 again
    expect(guard.protecting(2 * WINDOW_MS, 10)).toBe(true) // the second window had no renews
  })

  it('resets the expectation to 2 × the instance count every 15 minutes', () => {
    const guard = aGuard(20) // expected 40
    renew(guard, 20, EXPECTATION_RESET_MS - WINDOW_MS + 1)
    // before the reset the last window had none; after it 10 instances expect 20 renews, as seen
    expect(guard.protecting(EXPECTATION_RESET_MS - 1, 10)).toBe(true)
    expect(guard.protecting(EXPECTATION_RESET_MS, 10)).toBe(false)
  })
})

describe('Guard.windowEnd', () => {
  it('is the end of the window containing now', () => {
    const guard = new Guard(WINDOW_MS, 1_000)
    expect(guard.windowEnd(1_000)).toBe(1_000 + WINDOW_MS)
    expect(guard.windowEnd(1_000 + WINDOW_MS)).toBe(1_000 + 2 * WINDOW_MS)
    expect(guard.windowEnd(1_000 + 5 * WINDOW_MS + 7)).toBe(1_000 + 6 * WINDOW_MS)
  })
})

describe('evictionCap', () => {
  it('is size − floor(size × 0.85), as upstream', () => {
    expect(GUARD_RATIO).toBe(0.85)
    const caps = [1, 2, 6, 7, 10, 20, 100, 1000].map((size) => [size, evictionCap(size)])
    expect(caps).toEqual([
      [1, 1],
      [2, 1],
      [6, 1],
      [7, 2],
      [10, 2],
      [20, 3],
      [100, 15],
      [1000, 150],
    ])
  })

  it('is 0 for an empty registry', () => {
    expect(evictionCap(0)).toBe(0)
  })
})
