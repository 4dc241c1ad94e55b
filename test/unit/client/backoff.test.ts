import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../../src/client/backoff.ts'
import { seededRandom } from './fakes.ts'

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the ceiling, drawn from the upper half of each step', () => {
    const options = { initialMs: 100, maxMs: 1000 }
    expect(backoffDelay(1, options, () => 0)).toBe(50)
    expect(backoffDelay(1, options, () => 0.999999)).toBeCloseTo(100)
    expect(backoffDelay(2, options, () => 0)).toBe(100)
    expect(backoffDelay(4, options, () => 0)).toBe(400)
    expect(backoffDelay(5, options, () => 0)).toBe(500) // step capped at 1000
    expect(backoffDelay(500, options, () => 0.999999)).toBeCloseTo(1000)
  })

  it('defaults to 1 s doubling to 30 s', () => {
    expect(backoffDelay(1, {}, () => 0)).toBe(500)
    expect(backoffDelay(99, {}, () => 0)).toBe(15_000)
  })

  it('jitters: clients that failed together spread their retries over the upper half', () => {
    const random = seededRandom(7)
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3, { initialMs: 1000 }, random))
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000)
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000)
    const firstHalf = delays.filter((d) => d < 3000).length / delays.length
    expect(Math.abs(firstHalf - 0.5)).toBeLessThan(0.05)
  })
})
