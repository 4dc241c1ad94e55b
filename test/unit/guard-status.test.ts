/**
 * Guard.status: the figures the console and /metrics show (renews in the last window against
 * the expected number, and whether eviction pauses), read without moving the guard.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EXPECTATION_RESET_MS, Guard } from '../../src/registry/guard.ts'

const WINDOW_MS = 60_000

function aGuard(instances: number): Guard {
  const guard = new Guard(WINDOW_MS, 0)
  for (let i = 0; i < instances; i += 1) guard.added()
  return guard
}

describe('Guard.status', () => {
  it('has no renew figure before the first full window, and protects an app of 10 then', () => {
    expect(aGuard(10).status(WINDOW_MS - 1, 10)).toEqual({
      renews: null,
      expected: 20,
      protecting: true,
    })
    expect(aGuard(3).status(WINDOW_MS - 1, 3)).toEqual({
      renews: null,
      expected: 6,
      protecting: false,
    })
  })

  it('counts the renews of the last window, and sessions held alive as two renews each', () => {
    const guard = aGuard(12)
    for (let i = 0; i < 14; i += 1) guard.renewed(10_000)
    expect(guard.status(WINDOW_MS + 5, 12)).toEqual({ renews: 14, expected: 24, protecting: true })
    expect(guard.status(WINDOW_MS + 5, 12, 4)).toEqual({
      renews: 22,
      expected: 24,
      protecting: false,
    })
    expect(guard.status(3 * WINDOW_MS, 12).renews).toBe(0) // a whole window without any
  })

  it('shows the expectation the next reset would set', () => {
    const guard = aGuard(20)
    expect(guard.status(EXPECTATION_RESET_MS, 11).expected).toBe(22)
  })

  it('agrees with protecting and never changes what protecting decides', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 5 * WINDOW_MS }), { maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 20 * WINDOW_MS }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 30 }),
        (instances, renews, probes, alive) => {
          const read = aGuard(instances)
          const untouched = aGuard(instances)
          for (const at of [...renews].sort((a, b) => a - b)) {
            read.renewed(at)
            untouched.renewed(at)
          }
          let last = Math.max(0, ...renews)
          for (const probe of probes) {
            const at = last + probe
            last = at
            const status = read.status(at, instances, alive)
            read.status(at, instances, alive) // reading twice changes nothing
            expect(status.protecting).toBe(read.protecting(at, instances, alive))
            expect(untouched.protecting(at, instances, alive)).toBe(status.protecting)
          }
        }
      )
    )
  })
})
