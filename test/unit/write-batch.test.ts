import { describe, expect, it } from 'vitest'
import { WriteBatch } from '../../src/server/write-batch.ts'

describe('WriteBatch', () => {
  it('runs writes that arrive together in arrival order, then `after` once, before any settles', async () => {
    const log: string[] = []
    const batch = new WriteBatch(async () => {
      log.push('after')
    })
    const results = Promise.all(
      [1, 2, 3].map((n) =>
        batch
          .run(() => {
            log.push(`w${n}`)
            return n * 10
          })
          .then((r) => {
            log.push(`settled${n}`)
            return r
          })
      )
    )
    expect(log).toEqual([]) // nothing runs in the caller's turn
    expect(await results).toEqual([10, 20, 30])
    expect(log).toEqual(['w1', 'w2', 'w3', 'after', 'settled1', 'settled2', 'settled3'])
  })

  it('starts a new batch for writes that arrive after one has run', async () => {
    let afters = 0
    const batch = new WriteBatch(async () => {
      afters += 1
    })
    await batch.run(() => 1)
    await Promise.all([batch.run(() => 2), batch.run(() => 3)])
    expect(afters).toBe(2)
  })

  it('rejects only the write that threw; the others still take effect', async () => {
    const batch = new WriteBatch(async () => {})
    const outcomes = await Promise.allSettled([
      batch.run(() => 'a'),
      batch.run(() => {
        throw new Error('bad write')
      }),
      batch.run(() => 'c'),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  })

  it('rejects every write of the batch when `after` fails', async () => {
    const batch = new WriteBatch(() => Promise.reject(new Error('alarm failed')))
    const outcomes = await Promise.allSettled([batch.run(() => 1), batch.run(() => 2)])
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true)
  })
})
