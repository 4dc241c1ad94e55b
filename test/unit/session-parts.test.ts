/** The pure parts of sessions: the change log, wave detection, the frame rate bucket. */
import { describe, expect, it } from 'vitest'
import { type AppChange, ChangeLog, merge } from '../../src/server/change-log.ts'
import { CloseWave } from '../../src/server/close-wave.ts'
import { TokenBucket } from '../../src/server/token-bucket.ts'
import { anInstance } from '../support/builders.ts'

const change = (from: bigint, to: bigint, put: string[], del: string[] = []): AppChange => ({
  from,
  to,
  put: put.map((hostname) => anInstance({ hostname })),
  del: del.map((hostname) => ({ zone: 'sh001', hostname })),
})

const hostnamesOf = (c: AppChange | undefined) => ({
  put: c?.put.map((i) => i.hostname),
  del: c?.del.map((r) => r.hostname),
})

describe('ChangeLog', () => {
  it('merges the changes since a cursor, the last change of each instance winning', () => {
    const log = new ChangeLog()
    log.append(change(0n, 10n, ['a', 'b']))
    log.append(change(10n, 20n, [], ['a']))
    log.append(change(20n, 30n, ['c', 'a']))
    expect(hostnamesOf(log.since(10n, 30n))).toEqual({ put: ['c', 'a'], del: [] })
    expect(hostnamesOf(log.since(20n, 30n))).toEqual({ put: ['c', 'a'], del: [] })
    expect(log.since(0n, 30n)).toMatchObject({ from: 0n, to: 30n })
    expect(log.since(30n, 30n)).toEqual({ from: 30n, to: 30n, put: [], del: [] })
  })

  it('says when it cannot answer: a cursor it never saw, lost entries, a gap', () => {
    const log = new ChangeLog(2)
    log.append(change(0n, 10n, ['a']))
    log.append(change(10n, 20n, ['b']))
    log.append(change(20n, 30n, ['c']))
    expect(log.since(0n, 30n)).toBeUndefined() // dropped: the log keeps 2
    expect(log.since(15n, 30n)).toBeUndefined()
    expect(log.since(10n, 30n)).toBeDefined()
    expect(log.since(10n, 40n)).toBeUndefined() // a change the log never got
    const gap = new ChangeLog()
    gap.append(change(0n, 10n, ['a']))
    gap.append(change(11n, 20n, ['b']))
    expect(gap.since(0n, 20n)).toBeUndefined()
  })

  it('merge: a removal after a put removes, a put after a removal puts', () => {
    const merged = merge([
      change(0n, 1n, ['a']),
      change(1n, 2n, [], ['a', 'b']),
      change(2n, 3n, ['b']),
    ])
    expect(hostnamesOf(merged)).toEqual({ put: ['b'], del: ['a'] })
  })
})

describe('CloseWave', () => {
  it('is a wave at the third close within 5 s, when that is a fifth of the owners', () => {
    const wave = new CloseWave()
    expect(wave.closed(0, 10)).toBe(false)
    expect(wave.closed(1000, 10)).toBe(false)
    expect(wave.closed(4999, 10)).toBe(true)
  })

  it('is no wave when the closes are spread out, or a small share of many sessions', () => {
    const spread = new CloseWave()
    expect(spread.closed(0, 10)).toBe(false)
    expect(spread.closed(3000, 10)).toBe(false)
    expect(spread.closed(6000, 10)).toBe(false) // the first left the window
    const many = new CloseWave()
    for (let i = 0; i < 19; i++) expect(many.closed(i, 100)).toBe(false)
    expect(many.closed(19, 100)).toBe(true) // 20 of 100
  })

  it('a lone session, or two, closing is never a wave', () => {
    const wave = new CloseWave()
    expect(wave.closed(0, 1)).toBe(false)
    expect(wave.closed(0, 2)).toBe(false)
  })
})

describe('TokenBucket', () => {
  it('allows a burst, then the average rate', () => {
    const bucket = new TokenBucket(20, 100, 0)
    for (let i = 0; i < 100; i++) expect(bucket.take(0)).toBe(true)
    expect(bucket.take(0)).toBe(false)
    expect(bucket.take(50)).toBe(true) // 50 ms at 20/s: one token
    expect(bucket.take(50)).toBe(false)
  })

  it('counts the refusals of the last 10 s, however they mix with takes allowed', () => {
    const bucket = new TokenBucket(20, 1, 0)
    for (let t = 0; t < 5000; t += 25) bucket.take(t) // 40 a second against 20
    expect(bucket.refused).toBe(100)
    bucket.take(10_000)
    expect(bucket.refused).toBe(0)
  })
})
