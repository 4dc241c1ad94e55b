import { describe, expect, it } from 'vitest'
import { holdMs } from '../../../src/server/hold-time.ts'

describe('holdMs', () => {
  it('is the configured hold without a usable header', () => {
    for (const header of [null, '', '  ', 'abc', '1e', 'NaN', 'Infinity'])
      expect(holdMs(header, 30_000)).toBe(30_000)
  })

  it('is the header less 20 ms, as the reference takes it, never past the configured hold', () => {
    expect(holdMs('40000', 30_000)).toBe(30_000)
    expect(holdMs('2000', 30_000)).toBe(1980)
    expect(holdMs(' 2000 ', 30_000)).toBe(1980)
    expect(holdMs('15', 30_000)).toBe(15)
  })

  it('is 0 (answer at once) when the caller has no time left', () => {
    for (const header of ['0', '-1', '-40000', '0.0']) expect(holdMs(header, 30_000)).toBe(0)
  })
})
