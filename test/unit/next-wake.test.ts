/**
 * Registry.nextWakeMs keeps the earliest lease start instead of scanning every lease on each
 * register (an O(n) scan per register slowed large apps). Checked against a plain model of the
 * leases over random sequences of registers, renews, cancels and time steps.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Registry } from '../../src/registry/registry.ts'
import { aCancelInput, aRegisterInput, aRegistryOptions, aRenewInput } from '../support/builders.ts'
import { FakeClock } from '../support/fake-clock.ts'

const EVICT_AFTER_MS = 90_000

type Op = { kind: 'register' | 'renew' | 'cancel'; host: number } | { kind: 'advance'; ms: number }

const write = fc.constantFrom('register' as const, 'renew' as const, 'cancel' as const)
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: write, host: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) })
)

describe('Registry.nextWakeMs', () => {
  it('is the earliest lease end while no lease has ended, as a full scan says', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const clock = new FakeClock()
        const options = aRegistryOptions({ evictAfterMs: EVICT_AFTER_MS })
        const registry = new Registry(options, clock.now())
        const leases = new Map<string, number>()
        for (const o of ops) {
          if (o.kind === 'advance') clock.advance(o.ms)
          else {
            const hostname = `h${o.host}`
            const now = clock.now()
            if (o.kind === 'register') {
              registry.register(aRegisterInput({ hostname }), now)
              leases.set(hostname, now)
            } else if (o.kind === 'renew') {
              if (registry.renew(aRenewInput({ hostname }), now).ok) leases.set(hostname, now)
            } else if (registry.cancel(aCancelInput({ hostname }), now).ok) leases.delete(hostname)
          }
          const next = registry.nextWakeMs(clock.now())
          if (leases.size === 0) {
            expect(next).toBeUndefined()
            continue
          }
          const earliest = Math.min(...leases.values()) + EVICT_AFTER_MS
          if (earliest > clock.now()) expect(next).toBe(earliest)
          else expect(next).toBeGreaterThan(clock.now())
        }
      })
    )
  })
})
