import { describe, expect, it } from 'vitest'
import {
  createPicker,
  instanceWeight,
  pickOfTwo,
  pickWeighted,
  zoneCandidates,
} from '../../../src/client/picker.ts'
import type { Instance } from '../../../src/registry/model.ts'
import { anInstance, seededRandom } from './fakes.ts'

const N = 20_000

function counts(draw: () => Instance | undefined): Record<string, number> {
  const out: Record<string, number> = {}
  for (let i = 0; i < N; i++) {
    const instance = draw()
    if (instance) out[instance.hostname] = (out[instance.hostname] ?? 0) + 1
  }
  return out
}

const weighted = (hostname: string, weight: string | undefined, zone = 'sh001') =>
  anInstance({ hostname, zone, metadata: weight === undefined ? {} : { weight } })

describe('instanceWeight', () => {
  it('reads metadata.weight and falls back to 10 when it is missing, zero, negative or not a number', () => {
    expect(instanceWeight(weighted('a', '25'))).toBe(25)
    for (const bad of [undefined, '0', '-3', 'heavy', ''])
      expect(instanceWeight(weighted('a', bad))).toBe(10)
    expect(instanceWeight(anInstance({ metadata: null }))).toBe(10)
  })
})

describe('zoneCandidates', () => {
  const a1 = weighted('a1', undefined, 'sh001')
  const a2 = anInstance({ hostname: 'a2', zone: 'sh001', status: 2 })
  const b1 = weighted('b1', undefined, 'sh002')

  it('keeps only the healthy instances of the caller zone when it has some', () => {
    expect(zoneCandidates({ sh001: [a1, a2], sh002: [b1] }, 'sh001')).toEqual([a1])
  })

  it('spills over to every zone when the caller zone has no healthy instance', () => {
    expect(zoneCandidates({ sh001: [a2], sh002: [b1] }, 'sh001')).toEqual([b1])
    expect(zoneCandidates([a1, b1], 'sh009').map((i) => i.hostname)).toEqual(['a1', 'b1'])
  })

  it('takes a snapshot, a by-zone record or a flat list, and a custom health check', () => {
    expect(zoneCandidates({ instances: { sh001: [a1] } }, 'sh001')).toEqual([a1])
    expect(zoneCandidates([a1, a2], 'sh001', () => true)).toEqual([a1, a2])
  })
})

describe('pickWeighted', () => {
  it('draws instances in proportion to their weights', () => {
    const random = seededRandom(1)
    const list = [
      weighted('a', '10'),
      weighted('b', '30'),
      weighted('c', undefined),
      weighted('d', '50'),
    ]
    const seen = counts(() => pickWeighted(list, random))
    const total = 10 + 30 + 10 + 50
    for (const [host, weight] of [
      ['a', 10],
      ['b', 30],
      ['c', 10],
      ['d', 50],
    ] as const) {
      expect(seen[host]! / N).toBeCloseTo(weight / total, 1)
      expect(Math.abs(seen[host]! / N - weight / total)).toBeLessThan(0.015)
    }
  })

  it('returns undefined for no instances and the only one for one', () => {
    expect(pickWeighted([], Math.random)).toBeUndefined()
    const only = weighted('only', '1')
    expect(pickWeighted([only], () => 0.999)).toBe(only)
  })
})

describe('pickOfTwo', () => {
  const list = ['a', 'b', 'c', 'd'].map((h) => weighted(h, undefined))

  it('is the weighted draw when nothing is in flight', () => {
    const random = seededRandom(2)
    const seen = counts(() => pickOfTwo(list, () => 0, random))
    for (const host of ['a', 'b', 'c', 'd'])
      expect(Math.abs(seen[host]! / N - 0.25)).toBeLessThan(0.015)
  })

  it('never picks the most loaded of several instances, and favours the least loaded', () => {
    const random = seededRandom(3)
    const load: Record<string, number> = { a: 0, b: 1, c: 2, d: 9 }
    const seen = counts(() => pickOfTwo(list, (i) => load[i.hostname]!, random))
    expect(seen.d ?? 0).toBe(0)
    // a wins every pair it is in: 3 of the 6 pairs → half the picks
    expect(Math.abs(seen.a! / N - 0.5)).toBeLessThan(0.015)
    expect(seen.a!).toBeGreaterThan(seen.b!)
    expect(seen.b!).toBeGreaterThan(seen.c!)
  })

  it('compares load per unit of weight', () => {
    const heavy = weighted('heavy', '100')
    const light = weighted('light', '10')
    // heavy: (5+1)/100 = 0.06 beats light: (0+1)/10 = 0.1
    const random = seededRandom(4)
    const seen = counts(() => pickOfTwo([heavy, light], (i) => (i === heavy ? 5 : 0), random))
    expect(seen.heavy).toBe(N)
  })
})

describe('createPicker', () => {
  it('picks in the caller zone, counts calls in flight and spreads them', () => {
    const picker = createPicker({ zone: 'sh001', random: seededRandom(5) })
    picker.update({
      instances: {
        sh001: [weighted('a', undefined), weighted('b', undefined)],
        sh002: [weighted('x', undefined, 'sh002')],
      },
    })
    expect(picker.candidates.map((i) => i.hostname)).toEqual(['a', 'b'])
    const held = Array.from({ length: 10 }, () => picker.pick()!)
    const perHost: Record<string, number> = {}
    for (const pick of held)
      perHost[pick.instance.hostname] = (perHost[pick.instance.hostname] ?? 0) + 1
    // with only two candidates, two-choices always compares both: the counts stay level
    expect(perHost).toEqual({ a: 5, b: 5 })
    for (const pick of held) {
      pick.done()
      pick.done() // idempotent
    }
    const after = counts(() => {
      const pick = picker.pick()
      pick?.done()
      return pick?.instance
    })
    expect(Math.abs(after.a! / N - 0.5)).toBeLessThan(0.02)
  })

  it('returns undefined when no instance is healthy', () => {
    const picker = createPicker({ zone: 'sh001' })
    picker.update([anInstance({ status: 2 })])
    expect(picker.pick()).toBeUndefined()
  })
})
