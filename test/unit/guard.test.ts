import { describe, expect, it } from 'vitest'
import { EXPECTATION_RESET_MS, evictionCap, GUARD_RATIO, Guard } from '../../src/registry/guard.ts'

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
  it('protects during the first window even after many renews', () => {
    const guard = aGuard(1)
    renew(guard, 100, 1_000)
    expect(guard.protecting(WINDOW_MS - 1, 1)).toBe(true)
  })

  it('protects during the first window even when no renew is expected', () => {
    expect(aGuard(0).protecting(WINDOW_MS - 1, 0)).toBe(true)
    expect(aGuard(0).protecting(WINDOW_MS, 0)).toBe(false)
  })

  it('protects when the last window saw fewer than floor(0.85 × expected) renews', () => {
    const guard = aGuard(10) // expected 20, threshold 17
    renew(guard, 16, 30_000)
    expect(guard.protecting(WINDOW_MS, 10)).toBe(true)
  })

  it('does not protect when the last window saw exactly the threshold', () => {
    const guard = aGuard(10)
    renew(guard, 17, 30_000)
    expect(guard.protecting(WINDOW_MS, 10)).toBe(false)
  })

  it('judges by the last complete window, not the current one', () => {
    const guard = aGuard(10)
    renew(guard, 17, 30_000)
    renew(guard, 100, WINDOW_MS + 1_000) // counted for the window after
    expect(guard.protecting(WINDOW_MS + 59_999, 10)).toBe(false)
    expect(guard.protecting(2 * WINDOW_MS, 10)).toBe(false)
    expect(guard.protecting(3 * WINDOW_MS, 10)).toBe(true) // the third window had no renews
  })

  it('protects after a gap of more than one window without renews', () => {
    const guard = aGuard(10)
    renew(guard, 20, 30_000)
    expect(guard.protecting(2 * WINDOW_MS + 5, 10)).toBe(true)
  })

  it('counts renews on window boundaries in the new window', () => {
    const guard = aGuard(1) // threshold 1
    guard.renewed(WINDOW_MS)
    expect(guard.protecting(WINDOW_MS, 1)).toBe(true) // the first window had none
    expect(guard.protecting(2 * WINDOW_MS, 1)).toBe(false)
  })

  it('lowers the expectation by 2 per cancel, not below 0', () => {
    const guard = aGuard(2) // expected 4, threshold 3
    guard.cancelled() // expected 2, threshold 1
    renew(guard, 1, 10_000)
    expect(guard.protecting(WINDOW_MS, 1)).toBe(false)
    guard.cancelled()
    guard.cancelled() // expected 0, not −2
    guard.added() // expected 2 again, threshold 1
    expect(guard.protecting(2 * WINDOW_MS, 1)).toBe(true) // the second window had no renews
  })

  it('resets the expectation to 2 × the instance count every 15 minutes', () => {
    const guard = aGuard(10) // expected 20, threshold 17
    const last = EXPECTATION_RESET_MS - WINDOW_MS
    renew(guard, 2, last + 1)
    // before the reset 2 renews are far below 17; after it the count is 1 instance → threshold 1
    expect(guard.protecting(EXPECTATION_RESET_MS - 1, 1)).toBe(true)
    expect(guard.protecting(EXPECTATION_RESET_MS, 1)).toBe(false)
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
