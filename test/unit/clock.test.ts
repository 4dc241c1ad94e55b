import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { msToNs, NanoClock, nsToMs } from '../../src/registry/clock.ts'
import { FakeClock, T0_MS } from '../support/fake-clock.ts'

describe('NanoClock.stamp', () => {
  it('turns milliseconds into nanoseconds', () => {
    expect(new NanoClock().stamp(T0_MS)).toBe(1_700_000_000_000_000_000n)
  })

  it('adds one nanosecond when the millisecond clock stands still', () => {
    const clock = new NanoClock()
    expect([clock.stamp(T0_MS), clock.stamp(T0_MS), clock.stamp(T0_MS)]).toEqual([
      1_700_000_000_000_000_000n,
      1_700_000_000_000_000_001n,
      1_700_000_000_000_000_002n,
    ])
  })

  it('adds one nanosecond when the millisecond clock goes backwards', () => {
    const clock = new NanoClock()
    clock.stamp(T0_MS)
    expect(clock.stamp(T0_MS - 60_000)).toBe(1_700_000_000_000_000_001n)
  })

  it('is strictly increasing for any sequence of wall times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4_000_000_000_000 }), { minLength: 1, maxLength: 200 }),
        (times) => {
          const clock = new NanoClock()
          const stamps = times.map((t) => clock.stamp(t))
          for (let i = 1; i < stamps.length; i += 1)
            expect(stamps[i]).toBeGreaterThan(stamps[i - 1] as bigint)
          for (const [i, s] of stamps.entries())
            expect(s).toBeGreaterThanOrEqual(msToNs(times[i] as number))
        }
      )
    )
  })
})

describe('NanoClock.observe', () => {
  it('never issues a stamp at or below an observed one', () => {
    const clock = new NanoClock()
    clock.observe(1_800_000_000_000_000_000n)
    expect(clock.stamp(T0_MS)).toBe(1_800_000_000_000_000_001n)
  })

  it('ignores an observed stamp below the last one', () => {
    const clock = new NanoClock()
    clock.stamp(T0_MS)
    clock.observe(5n)
    expect(clock.stamp(T0_MS + 1)).toBe(1_700_000_000_001_000_000n)
  })
})

describe('msToNs and nsToMs', () => {
  it('round-trips whole milliseconds and rounds fractions down', () => {
    expect(msToNs(T0_MS)).toBe(1_700_000_000_000_000_000n)
    expect(msToNs(1.9)).toBe(1_000_000n)
    expect(nsToMs(1_700_000_000_000_999_999n)).toBe(T0_MS)
  })
})

describe('FakeClock', () => {
  it('moves only when advanced', () => {
    const clock = new FakeClock(1_000)
    expect(clock.now()).toBe(1_000)
    expect(clock.advance(250)).toBe(1_250)
    expect(clock.now()).toBe(1_250)
  })
})
