import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { INT64_MAX, msToNs } from '../../src/registry/clock.ts'
import type { Instance } from '../../src/registry/model.ts'
import { Registry, type RegistryOptions, renewStalenessMs } from '../../src/registry/registry.ts'
import {
  aCancelInput,
  aRegisterInput,
  aRegistryOptions,
  aRenewInput,
  aSetInput,
  aStoredInstance,
} from '../support/builders.ts'
import { FakeClock, T0_MS } from '../support/fake-clock.ts'

const EVICT_AFTER_MS = 90_000
const RENEW_INTERVAL_MS = 30_000
const MAX_SILENCE_MS = 3_600_000

function setup(overrides: Partial<RegistryOptions> = {}) {
  const clock = new FakeClock()
  const registry = new Registry(aRegistryOptions(overrides), clock.now())
  return { clock, registry }
}

/** The value of a Result that must be ok. */
function value<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok)
    throw new Error(
      `expected ok, got ${JSON.stringify(result.error, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`
    )
  return result.value
}

function only(registry: Registry, hostname = 'h1'): Instance {
  const instance = registry.all().find((i) => i.hostname === hostname)
  if (!instance) throw new Error(`no instance ${hostname}`)
  return instance
}

const hostnames = (instances: Instance[]) => instances.map((i) => i.hostname)

/** Register `h0` … `h<n-1>` at `atMs`; none of them renews unless the test says so. */
function registerMany(registry: Registry, n: number, atMs: number, prefix = 'h'): void {
  for (let i = 0; i < n; i += 1)
    registry.register(aRegisterInput({ hostname: `${prefix}${i}` }), atMs)
}

describe('Registry.register', () => {
  it('stamps every timestamp of a new instance with now in nanoseconds', () => {
    const { clock, registry } = setup()
    const { instance, stored } = value(registry.register(aRegisterInput(), clock.now()))
    const now = msToNs(T0_MS)
    expect(stored).toBe(true)
    expect(instance).toMatchObject({
      regTimestamp: now,
      upTimestamp: now,
      renewTimestamp: now,
      dirtyTimestamp: now,
      latestTimestamp: now,
    })
    expect(registry.latestTimestamp).toBe(now)
    expect(registry.size).toBe(1)
  })

  it('uses a positive dirty_timestamp parameter as the dirty timestamp', () => {
    const { clock, registry } = setup()
    const { instance } = value(
      registry.register(aRegisterInput({ dirtyTimestamp: 42n }), clock.now())
    )
    expect(instance.dirtyTimestamp).toBe(42n)
    expect(instance.latestTimestamp).toBe(msToNs(T0_MS))
  })

  it('keeps up_timestamp when an instance registers again', () => {
    const { clock, registry } = setup()
    const first = value(registry.register(aRegisterInput(), clock.now())).instance
    clock.advance(5_000)
    const second = value(
      registry.register(
        aRegisterInput({ addrs: ['http://10.0.0.2:8000'], metadata: { b: '2' } }),
        clock.now()
      )
    ).instance
    expect(second.upTimestamp).toBe(first.upTimestamp)
    expect(second.regTimestamp).toBe(msToNs(clock.now()))
    expect(second.renewTimestamp).toBe(msToNs(clock.now()))
    expect(second.addrs).toEqual(['http://10.0.0.2:8000'])
    expect(registry.size).toBe(1)
  })

  it('replaces metadata instead of merging it when an instance registers again', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ metadata: { a: '1' } }), clock.now())
    registry.register(aRegisterInput({ metadata: { b: '2' } }), clock.advance(1))
    expect(only(registry).metadata).toEqual({ b: '2' })
  })

  it('keeps the stored instance but still advances the counter when the dirty timestamp is older', () => {
    const { clock, registry } = setup()
    const first = value(registry.register(aRegisterInput(), clock.now())).instance
    const before = registry.latestTimestamp
    clock.advance(1_000)
    const revision = registry.revision
    const outcome = value(
      registry.register(aRegisterInput({ dirtyTimestamp: 1n, addrs: ['http://x:1'] }), clock.now())
    )
    expect(outcome.stored).toBe(false)
    expect(outcome.instance).toBe(first)
    expect(only(registry)).toEqual(first)
    expect(registry.latestTimestamp).toBeGreaterThan(before)
    // views carry the counter: a cache keyed by revision must not serve the old one
    expect(registry.revision).toBeGreaterThan(revision)
  })

  it('replaces the stored instance when the dirty timestamps are equal', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ dirtyTimestamp: 500n }), clock.now())
    const outcome = value(
      registry.register(aRegisterInput({ dirtyTimestamp: 500n, version: 'v2' }), clock.advance(1))
    )
    expect(outcome.stored).toBe(true)
    expect(only(registry).version).toBe('v2')
  })

  it('advances latest_timestamp strictly when registers arrive within one millisecond', () => {
    const { clock, registry } = setup()
    const seen: bigint[] = []
    for (const hostname of ['h1', 'h2', 'h1', 'h3']) {
      registry.register(aRegisterInput({ hostname }), clock.now())
      seen.push(registry.latestTimestamp)
    }
    const base = msToNs(T0_MS)
    expect(seen).toEqual([base, base + 1n, base + 2n, base + 3n])
  })

  it('advances latest_timestamp strictly when the clock goes backwards', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    const before = registry.latestTimestamp
    registry.register(aRegisterInput({ hostname: 'h2' }), clock.advance(-10_000))
    expect(registry.latestTimestamp).toBe(before + 1n)
    expect(only(registry, 'h2').regTimestamp).toBe(before + 1n)
  })

  it('answers full for a new hostname when the application holds maxInstances', () => {
    const { clock, registry } = setup({ maxInstances: 2 })
    value(registry.register(aRegisterInput({ hostname: 'h1' }), clock.now()))
    value(registry.register(aRegisterInput({ hostname: 'h2' }), clock.now()))
    const before = registry.latestTimestamp
    const result = registry.register(aRegisterInput({ hostname: 'h3' }), clock.now())
    expect(result).toMatchObject({ ok: false, error: { reason: 'full' } })
    expect(registry.size).toBe(2)
    expect(registry.latestTimestamp).toBe(before)
  })

  it('accepts a re-register of a known hostname when the application is full', () => {
    const { clock, registry } = setup({ maxInstances: 1 })
    registry.register(aRegisterInput(), clock.now())
    const result = registry.register(aRegisterInput({ version: 'v2' }), clock.advance(1))
    expect(result.ok).toBe(true)
    expect(only(registry).version).toBe('v2')
  })

  it('treats the same hostname in two zones as two instances', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ zone: 'sh001' }), clock.now())
    registry.register(aRegisterInput({ zone: 'sh002' }), clock.now())
    expect(registry.size).toBe(2)
  })
})

describe('Registry.renew', () => {
  it('updates renew_timestamp and leaves latest_timestamp unchanged', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    const latest = registry.latestTimestamp
    const revision = registry.revision
    clock.advance(30_000)
    const renewed = value(registry.renew(aRenewInput(), clock.now()))
    expect(renewed.renewTimestamp).toBe(msToNs(clock.now()))
    expect(renewed.latestTimestamp).toBe(latest)
    expect(registry.latestTimestamp).toBe(latest)
    expect(registry.revision).toBeGreaterThan(revision)
  })

  it('answers not_found none when the zone is unknown', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    expect(registry.renew(aRenewInput({ zone: 'sh009' }), clock.now())).toEqual({
      ok: false,
      error: { reason: 'not_found', detail: 'none' },
    })
  })

  it('answers not_found empty when the zone is known but the hostname is not', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    expect(registry.renew(aRenewInput({ hostname: 'nope' }), clock.now())).toEqual({
      ok: false,
      error: { reason: 'not_found', detail: 'empty' },
    })
  })

  it('ignores the dirty timestamp of a client renew', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    expect(registry.renew(aRenewInput({ dirtyTimestamp: 1n }), clock.now()).ok).toBe(true)
  })

  it('compares dirty timestamps of a replication renew: newer_elsewhere, conflict or ok', () => {
    const { clock, registry } = setup()
    const { instance } = value(registry.register(aRegisterInput(), clock.now()))
    const stored = instance.dirtyTimestamp
    const renew = (dirtyTimestamp: bigint) =>
      registry.renew(aRenewInput({ replication: true, dirtyTimestamp }), clock.advance(10))
    expect(renew(stored + 1n)).toMatchObject({ ok: false, error: { reason: 'newer_elsewhere' } })
    expect(renew(stored - 1n)).toMatchObject({ ok: false, error: { reason: 'conflict' } })
    expect(renew(0n)).toMatchObject({ ok: false, error: { reason: 'conflict' } })
    expect(renew(stored)).toMatchObject({ ok: true })
  })

  it('renews the instance even when a replication renew answers conflict', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    clock.advance(40_000)
    const result = registry.renew(
      aRenewInput({ replication: true, dirtyTimestamp: 1n }),
      clock.now()
    )
    if (result.ok || result.error.reason !== 'conflict') throw new Error('expected conflict')
    expect(result.error.instance.renewTimestamp).toBe(msToNs(clock.now()))
    expect(only(registry).renewTimestamp).toBe(msToNs(clock.now()))
  })
})

describe('Registry.cancel', () => {
  it('removes the instance and advances latest_timestamp', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2' }), clock.now())
    const before = registry.latestTimestamp
    const cancelled = value(registry.cancel(aCancelInput({ hostname: 'h2' }), clock.now()))
    expect(cancelled.hostname).toBe('h2')
    expect(hostnames(registry.all())).toEqual(['h1'])
    expect(registry.latestTimestamp).toBeGreaterThan(before)
  })

  it('takes a larger latest_timestamp parameter as the new counter', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2' }), clock.now())
    const ahead = msToNs(clock.now() + 30_000) // within the skew (registry-bounds.test.ts)
    registry.cancel(aCancelInput({ hostname: 'h2', latestTimestamp: ahead }), clock.now())
    expect(registry.latestTimestamp).toBe(ahead)
  })

  it('never takes a counter or a timestamp past int64: from INT64_MAX the next change falls back to the clock', () => {
    const { clock, registry } = setup()
    // a counter stored before client timestamps were bounded by the clock
    registry.load([aStoredInstance(clock.now(), { hostname: 'h1' })], INT64_MAX, 90_000)
    expect(registry.latestTimestamp).toBe(INT64_MAX)
    const { instance } = value(
      registry.register(aRegisterInput({ hostname: 'h3' }), clock.advance(1_000))
    )
    expect(instance.latestTimestamp).toBe(msToNs(clock.now()))
    expect(registry.latestTimestamp).toBe(msToNs(clock.now()))
    const renewed = value(registry.renew(aRenewInput({ hostname: 'h3' }), clock.advance(1_000)))
    expect(renewed.renewTimestamp).toBe(msToNs(clock.now()))
    const before = registry.latestTimestamp
    registry.register(aRegisterInput({ hostname: 'h4' }), clock.now())
    expect(registry.latestTimestamp).toBeGreaterThan(before)
  })

  it('adds one to the counter when the latest_timestamp parameter is not larger', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2' }), clock.now())
    const before = registry.latestTimestamp
    registry.cancel(aCancelInput({ hostname: 'h2', latestTimestamp: 5n }), clock.now())
    expect(registry.latestTimestamp).toBe(before + 1n)
  })

  it('answers not_found for an unknown instance and changes nothing', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    const before = registry.latestTimestamp
    expect(registry.cancel(aCancelInput({ hostname: 'nope' }), clock.now())).toMatchObject({
      ok: false,
      error: { reason: 'not_found' },
    })
    expect(registry.size).toBe(1)
    expect(registry.latestTimestamp).toBe(before)
  })

  it('drops the application and its counter when the last instance is cancelled', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    registry.cancel(aCancelInput(), clock.now())
    expect(registry.size).toBe(0)
    expect(registry.latestTimestamp).toBe(0n)
    expect(registry.snapshot({ zone: '', statusMask: 3 })).toBeUndefined()
  })

  it('drops an emptied zone from snapshots', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ zone: 'sh001' }), clock.now())
    registry.register(aRegisterInput({ zone: 'sh002' }), clock.now())
    registry.cancel(aCancelInput({ zone: 'sh002' }), clock.now())
    expect(Object.keys(registry.snapshot({ zone: '', statusMask: 3 })?.instances ?? {})).toEqual([
      'sh001',
    ])
    expect(registry.snapshot({ zone: 'sh002', statusMask: 3 })).toBeUndefined()
  })
})

describe('Registry.set', () => {
  it('merges metadata into the stored metadata', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ metadata: { a: '1', b: 'old' } }), clock.now())
    value(registry.set(aSetInput({ metadata: [{ b: '2', c: '3' }] }), clock.advance(1)))
    expect(only(registry).metadata).toEqual({ a: '1', b: '2', c: '3' })
  })

  it('merges metadata into an instance registered without metadata', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ metadata: null }), clock.now())
    registry.set(aSetInput({ metadata: [{ b: '2' }] }), clock.advance(1))
    expect(only(registry).metadata).toEqual({ b: '2' })
  })

  it('applies statuses and metadata by position', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2', status: 2 }), clock.now())
    value(
      registry.set(
        aSetInput({
          hostnames: ['h1', 'h2'],
          statuses: [2, 1],
          metadata: [{ weight: '5' }, { weight: '20' }],
        }),
        clock.advance(1)
      )
    )
    expect(only(registry, 'h1')).toMatchObject({ status: 2, metadata: { weight: '5' } })
    expect(only(registry, 'h2')).toMatchObject({ status: 1, metadata: { weight: '20' } })
  })

  it('stamps dirty and latest with set_timestamp, and up_timestamp only when the status becomes UP', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2', status: 2 }), clock.now())
    const h1Up = only(registry, 'h1').upTimestamp
    const at = msToNs(clock.now() + 10_000)
    registry.set(
      aSetInput({ hostnames: ['h1', 'h2'], statuses: [2, 1], setTimestamp: at }),
      clock.advance(1)
    )
    expect(only(registry, 'h1')).toMatchObject({
      dirtyTimestamp: at,
      latestTimestamp: at,
      upTimestamp: h1Up,
    })
    expect(only(registry, 'h2')).toMatchObject({
      dirtyTimestamp: at,
      latestTimestamp: at,
      upTimestamp: at,
    })
    expect(registry.latestTimestamp).toBe(at)
  })

  it('uses now as the set time when set_timestamp is 0', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    registry.set(aSetInput({ statuses: [2] }), clock.advance(7_000))
    expect(only(registry).dirtyTimestamp).toBe(msToNs(clock.now()))
  })

  it('uses any other set_timestamp as given, a negative one too (only 0 means now, PROTOCOL §3.9)', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    const before = registry.latestTimestamp
    registry.set(aSetInput({ statuses: [2], setTimestamp: -7n }), clock.advance(1))
    expect(only(registry).dirtyTimestamp).toBe(-7n)
    expect(registry.latestTimestamp).toBe(before + 1n)
  })

  it('advances latest_timestamp by one when set_timestamp is older than the counter', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    const before = registry.latestTimestamp
    value(registry.set(aSetInput({ statuses: [2], setTimestamp: 1_000n }), clock.now()))
    expect(registry.latestTimestamp).toBe(before + 1n)
  })

  it('checks every hostname before changing anything', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1', metadata: { a: '1' } }), clock.now())
    const before = only(registry)
    const latest = registry.latestTimestamp
    const result = registry.set(
      aSetInput({
        hostnames: ['h1', 'nope'],
        statuses: [2, 2],
        metadata: [{ b: '2' }, { b: '2' }],
      }),
      clock.advance(1)
    )
    expect(result).toMatchObject({ ok: false, error: { reason: 'invalid', field: 'hostname' } })
    expect(only(registry)).toEqual(before)
    expect(registry.latestTimestamp).toBe(latest)
  })

  it('answers invalid zone when the zone is unknown', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    expect(registry.set(aSetInput({ zone: 'sh009' }), clock.now())).toMatchObject({
      ok: false,
      error: { reason: 'invalid', field: 'zone' },
    })
  })

  it('answers invalid zone when the application is empty', () => {
    const { clock, registry } = setup()
    expect(registry.set(aSetInput(), clock.now())).toMatchObject({
      ok: false,
      error: { field: 'zone' },
    })
  })
})

describe('Registry.snapshot', () => {
  function twoStatuses() {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'up', status: 1 }), clock.now())
    registry.register(aRegisterInput({ hostname: 'waiting', status: 2 }), clock.now())
    return registry
  }
  const listed = (registry: Registry, statusMask: number) =>
    hostnames(registry.snapshot({ zone: '', statusMask })?.instances.sh001 ?? []).sort()

  it('keeps a zone named __proto__ as a zone', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ zone: '__proto__' }), clock.now())
    const all = registry.snapshot({ zone: '', statusMask: 3 })?.instances ?? {}
    expect(Object.keys(all)).toEqual(['__proto__'])
    expect(hostnames(Object.getOwnPropertyDescriptor(all, '__proto__')?.value ?? [])).toEqual([
      'h1',
    ])
    expect(
      Object.keys(registry.snapshot({ zone: '__proto__', statusMask: 3 })?.instances ?? {})
    ).toEqual(['__proto__'])
  })

  it('filters instances by the status bit mask', () => {
    const registry = twoStatuses()
    expect(listed(registry, 1)).toEqual(['up'])
    expect(listed(registry, 2)).toEqual(['waiting'])
    expect(listed(registry, 3)).toEqual(['up', 'waiting'])
  })

  it('lists a zone with an empty array when the mask matches nothing', () => {
    const registry = twoStatuses()
    expect(registry.snapshot({ zone: '', statusMask: 4 })?.instances).toEqual({ sh001: [] })
  })

  it('shows only the asked zone', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ zone: 'sh001', hostname: 'a' }), clock.now())
    registry.register(aRegisterInput({ zone: 'sh002', hostname: 'b' }), clock.now())
    expect(
      Object.keys(registry.snapshot({ zone: '', statusMask: 1 })?.instances ?? {}).sort()
    ).toEqual(['sh001', 'sh002'])
    const only2 = registry.snapshot({ zone: 'sh002', statusMask: 1 })
    expect(Object.keys(only2?.instances ?? {})).toEqual(['sh002'])
    expect(hostnames(only2?.instances.sh002 ?? [])).toEqual(['b'])
  })

  it('is undefined for a zone the application does not have', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    expect(registry.snapshot({ zone: 'sh009', statusMask: 3 })).toBeUndefined()
  })

  it('is undefined for an empty application', () => {
    const { registry } = setup()
    expect(registry.snapshot({ zone: '', statusMask: 3 })).toBeUndefined()
  })

  it('carries the application latest_timestamp', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    expect(registry.snapshot({ zone: '', statusMask: 1 })?.latestTimestamp).toBe(
      registry.latestTimestamp
    )
  })
})

describe('Registry.evictExpired', () => {
  it('evicts an instance evictAfterMs after its last renew, not before', () => {
    const { clock, registry } = setup({ selfPreservation: false })
    registry.register(aRegisterInput(), clock.now())
    clock.advance(50_000)
    registry.renew(aRenewInput(), clock.now())
    expect(registry.evictExpired(clock.now() + EVICT_AFTER_MS - 1)).toEqual([])
    expect(registry.size).toBe(1)
    expect(hostnames(registry.evictExpired(clock.now() + EVICT_AFTER_MS))).toEqual(['h1'])
    expect(registry.size).toBe(0)
  })

  it('counts the lease from a re-register', () => {
    const { clock, registry } = setup({ selfPreservation: false })
    registry.register(aRegisterInput(), clock.now())
    registry.register(aRegisterInput(), clock.advance(60_000))
    expect(registry.evictExpired(T0_MS + EVICT_AFTER_MS)).toEqual([])
  })

  it('advances latest_timestamp when it evicts', () => {
    const { clock, registry } = setup({ selfPreservation: false })
    registry.register(aRegisterInput({ hostname: 'dead' }), clock.now())
    clock.advance(60_000)
    registry.register(aRegisterInput({ hostname: 'live' }), clock.now())
    const before = registry.latestTimestamp
    clock.advance(30_000)
    expect(hostnames(registry.evictExpired(clock.now()))).toEqual(['dead'])
    expect(registry.latestTimestamp).toBeGreaterThan(before)
    expect(registry.latestTimestamp).toBe(msToNs(clock.now()))
  })

  it('leaves latest_timestamp and revision alone when nothing expired', () => {
    const { clock, registry } = setup({ selfPreservation: false })
    registry.register(aRegisterInput(), clock.now())
    const latest = registry.latestTimestamp
    const revision = registry.revision
    registry.evictExpired(clock.advance(1_000))
    expect(registry.latestTimestamp).toBe(latest)
    expect(registry.revision).toBe(revision)
  })

  it('evicts every expired instance at once when selfPreservation is false', () => {
    const { clock, registry } = setup({ selfPreservation: false })
    for (let i = 0; i < 20; i += 1)
      registry.register(aRegisterInput({ hostname: `h${i}` }), clock.now())
    clock.advance(EVICT_AFTER_MS)
    expect(registry.evictExpired(clock.now())).toHaveLength(20)
    expect(registry.size).toBe(0)
  })

  it('keeps an expired instance of an app of 10 or more during the first guard window', () => {
    // A lease shorter than the guard window (2 × renew interval) expires inside the first window.
    const { registry } = setup({ evictAfterMs: 40_000 })
    registry.register(aRegisterInput({ hostname: 'dead' }), T0_MS)
    registerMany(registry, 10, T0_MS, 'live')
    for (const at of [10_000, 30_000]) {
      for (let i = 0; i < 10; i += 1)
        registry.renew(aRenewInput({ hostname: `live${i}` }), T0_MS + at)
    }
    expect(registry.evictExpired(T0_MS + 59_999)).toEqual([])
    // the second window sees 20 renews ≥ floor(22 × 0.85) = 18
    expect(hostnames(registry.evictExpired(T0_MS + 60_000))).toEqual(['dead'])
  })

  it('evicts the lone silent instance of an app one lease after its last renew', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    expect(registry.evictExpired(clock.advance(EVICT_AFTER_MS - 1))).toEqual([])
    expect(hostnames(registry.evictExpired(clock.advance(1)))).toEqual(['h1'])
  })

  /** `live0…` renewing at +10 s and +40 s and `dead0…` never, registered at T0; scan at +90 s. */
  function liveAndDead(live: number, dead: number) {
    const { clock, registry } = setup()
    registerMany(registry, live, clock.now(), 'live')
    registerMany(registry, dead, clock.now(), 'dead')
    for (const at of [10_000, 40_000]) {
      for (let i = 0; i < live; i += 1)
        registry.renew(aRenewInput({ hostname: `live${i}` }), T0_MS + at)
    }
    return { registry, scanAt: clock.advance(EVICT_AFTER_MS) }
  }

  it('evicts two dead instances of a 10-instance app: a loss too small to be a partition', () => {
    // 16 renews < floor(20 × 0.85) = 17, but only 2 instances' worth are missing (3 needed)
    const { registry, scanAt } = liveAndDead(8, 2)
    expect(hostnames(registry.evictExpired(scanAt))).toEqual(['dead0', 'dead1'])
  })

  it('keeps the silent instances of a 10-instance app when 3 fall silent together', () => {
    const { registry, scanAt } = liveAndDead(7, 3)
    expect(registry.evictExpired(scanAt)).toEqual([])
    expect(registry.size).toBe(10)
  })

  it('evicts in the first guard window when selfPreservation is false', () => {
    const { clock, registry } = setup({ evictAfterMs: 40_000, selfPreservation: false })
    registry.register(aRegisterInput(), clock.now())
    expect(hostnames(registry.evictExpired(clock.advance(40_000)))).toEqual(['h1'])
  })

  /**
   * 20 instances (expected 40 renews per window, threshold floor(40 × 0.85) = 34): 19 renew at
   * +10 s, `extra` of them again at +40 s; `dead` never renews. Scan at +90 s.
   */
  function guarded(extra: number) {
    const { clock, registry } = setup()
    for (let i = 0; i < 19; i += 1)
      registry.register(aRegisterInput({ hostname: `live${i}` }), clock.now())
    registry.register(aRegisterInput({ hostname: 'dead' }), clock.now())
    clock.advance(10_000)
    for (let i = 0; i < 19; i += 1)
      registry.renew(aRenewInput({ hostname: `live${i}` }), clock.now())
    clock.advance(30_000)
    for (let i = 0; i < extra; i += 1)
      registry.renew(aRenewInput({ hostname: `live${i}` }), clock.now())
    clock.advance(50_000)
    return { clock, registry }
  }

  it('keeps expired instances when renews in the last window fall below 85 % of expected', () => {
    const { clock, registry } = guarded(14) // 33 renews < 34
    expect(registry.evictExpired(clock.now())).toEqual([])
    expect(registry.size).toBe(20)
  })

  it('evicts expired instances when renews in the last window reach 85 % of expected', () => {
    const { clock, registry } = guarded(15) // 34 renews = threshold
    expect(hostnames(registry.evictExpired(clock.now()))).toEqual(['dead'])
    expect(registry.size).toBe(19)
  })

  it('evicts instances silent past maxSilenceMs even under self-preservation', () => {
    const { clock, registry } = setup()
    registerMany(registry, 10, clock.now())
    expect(registry.evictExpired(clock.advance(EVICT_AFTER_MS))).toEqual([])
    expect(registry.evictExpired(T0_MS + MAX_SILENCE_MS - 1)).toEqual([])
    // at most size − floor(size × 0.85) = 2 per scan
    expect(hostnames(registry.evictExpired(T0_MS + MAX_SILENCE_MS))).toEqual(['h0', 'h1'])
  })

  /**
   * 20 instances; 15 live renew three times in the first window (45 renews ≥ 34, so no
   * protection); dead0..dead4 have lease starts 1 s apart (dead0 oldest) and never renew.
   */
  function fiveDead(selfPreservation: boolean) {
    const { clock, registry } = setup({ selfPreservation })
    for (let i = 0; i < 15; i += 1)
      registry.register(aRegisterInput({ hostname: `live${i}` }), clock.now())
    // registered newest first, so that storage order differs from silence order
    for (let i = 4; i >= 0; i -= 1)
      registry.register(aRegisterInput({ hostname: `dead${i}` }), T0_MS + i * 1_000)
    for (const at of [10_000, 30_000, 50_000]) {
      for (let i = 0; i < 15; i += 1)
        registry.renew(aRenewInput({ hostname: `live${i}` }), T0_MS + at)
    }
    clock.advance(94_000)
    return { clock, registry }
  }

  it('evicts at most size − floor(size × 0.85) per scan, longest-silent first', () => {
    const { clock, registry } = fiveDead(true)
    expect(hostnames(registry.evictExpired(clock.now()))).toEqual(['dead0', 'dead1', 'dead2'])
    // size 17 → cap 17 − floor(14.45) = 3, two are left
    expect(hostnames(registry.evictExpired(clock.now()))).toEqual(['dead3', 'dead4'])
    expect(registry.size).toBe(15)
  })

  it('ignores the per-scan cap when selfPreservation is false', () => {
    const { clock, registry } = fiveDead(false)
    expect(hostnames(registry.evictExpired(clock.now())).sort()).toEqual([
      'dead0',
      'dead1',
      'dead2',
      'dead3',
      'dead4',
    ])
  })

  it('evicts WAITING instances too', () => {
    const { clock, registry } = setup({ selfPreservation: false })
    registry.register(aRegisterInput({ status: 2 }), clock.now())
    expect(registry.evictExpired(clock.advance(EVICT_AFTER_MS))).toHaveLength(1)
  })
})

describe('Registry.nextWakeMs', () => {
  it('is undefined for an empty application', () => {
    const { clock, registry } = setup()
    expect(registry.nextWakeMs(clock.now())).toBeUndefined()
  })

  it('is the earliest lease end', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2' }), clock.advance(10_000))
    registry.renew(aRenewInput({ hostname: 'h1' }), clock.advance(10_000))
    expect(registry.nextWakeMs(clock.now())).toBe(T0_MS + 10_000 + EVICT_AFTER_MS)
  })

  it('is the end of the guard window when a lease has already ended', () => {
    const { clock, registry } = setup()
    registerMany(registry, 10, clock.now())
    clock.advance(EVICT_AFTER_MS + 5_000) // 95 s: in the second 60 s window
    expect(registry.evictExpired(clock.now())).toEqual([]) // protected
    expect(registry.nextWakeMs(clock.now())).toBe(T0_MS + 120_000)
  })
})

describe('Registry.renewsToPersist', () => {
  it('returns nothing right after a register (the register itself is written)', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    expect(registry.renewsToPersist()).toEqual([])
  })

  it('returns a renew only once it lags the persisted one by renewIntervalMs', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    registry.renew(aRenewInput(), clock.advance(RENEW_INTERVAL_MS - 1))
    expect(registry.renewsToPersist()).toEqual([])
    registry.renew(aRenewInput(), clock.advance(1))
    expect(registry.renewsToPersist()).toEqual([
      { zone: 'sh001', hostname: 'h1', renewMs: T0_MS + RENEW_INTERVAL_MS },
    ])
  })

  it('marks what it returns as persisted', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    registry.renew(aRenewInput(), clock.advance(RENEW_INTERVAL_MS))
    expect(registry.renewsToPersist()).toHaveLength(1)
    expect(registry.renewsToPersist()).toEqual([])
    registry.renew(aRenewInput(), clock.advance(RENEW_INTERVAL_MS))
    expect(registry.renewsToPersist().map((r) => r.hostname)).toEqual(['h1'])
  })

  it('returns only the lagging instances', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2' }), clock.advance(20_000))
    registry.renew(aRenewInput({ hostname: 'h1' }), clock.advance(15_000))
    registry.renew(aRenewInput({ hostname: 'h2' }), clock.now())
    expect(registry.renewsToPersist().map((r) => r.hostname)).toEqual(['h1'])
  })

  it('measures the lag from the persisted renew of a loaded instance', () => {
    const { clock, registry } = setup()
    const renewedAt = T0_MS - 60_000
    registry.load(
      [aStoredInstance(renewedAt, { renewTimestamp: msToNs(renewedAt) })],
      msToNs(renewedAt),
      EVICT_AFTER_MS
    )
    expect(registry.renewsToPersist()).toEqual([])
    registry.renew(aRenewInput(), clock.now())
    expect(registry.renewsToPersist()).toEqual([{ zone: 'sh001', hostname: 'h1', renewMs: T0_MS }])
  })
})

describe('Registry.load', () => {
  const persistedRenewMs = T0_MS - 20_000
  const stored = () =>
    aStoredInstance(persistedRenewMs, {
      renewTimestamp: msToNs(persistedRenewMs),
      latestTimestamp: msToNs(T0_MS - 100_000),
    })

  it('restores instances and the application counter', () => {
    const { registry } = setup()
    registry.load([stored()], 1_699_999_999_000_000_123n, EVICT_AFTER_MS)
    expect(registry.size).toBe(1)
    expect(registry.latestTimestamp).toBe(1_699_999_999_000_000_123n)
    expect(registry.snapshot({ zone: '', statusMask: 1 })?.instances.sh001).toHaveLength(1)
  })

  it('grants a grace lease: evicts no earlier than persistedRenewMs + staleness + evictAfterMs', () => {
    const { registry } = setup({ selfPreservation: false })
    const staleness = renewStalenessMs(EVICT_AFTER_MS)
    registry.load([stored()], msToNs(T0_MS - 100_000), staleness)
    const leaseEnd = persistedRenewMs + staleness + EVICT_AFTER_MS
    expect(registry.evictExpired(leaseEnd - 1)).toEqual([])
    expect(hostnames(registry.evictExpired(leaseEnd))).toEqual(['h1'])
  })

  it('never evicts an instance that renewed within its lease before the reload', () => {
    // The real last renew is up to one staleness after the persisted one.
    const lease = fc.integer({ min: 0, max: EVICT_AFTER_MS - 1 })
    fc.assert(
      fc.property(lease, lease, lease, (lag, reloadAfter, scanAfter) => {
        const realRenewMs = persistedRenewMs + lag
        const reloadAt = realRenewMs + reloadAfter
        const registry = new Registry(aRegistryOptions({ selfPreservation: false }), reloadAt)
        registry.load([stored()], msToNs(T0_MS - 100_000), renewStalenessMs(EVICT_AFTER_MS))
        const scanAt = Math.min(reloadAt + scanAfter, realRenewMs + EVICT_AFTER_MS - 1)
        expect(registry.evictExpired(scanAt)).toEqual([])
      })
    )
  })

  it('issues stamps above every loaded timestamp even when the wall clock is behind', () => {
    const { clock, registry } = setup()
    const future = msToNs(T0_MS + 3_600_000)
    registry.load(
      [
        aStoredInstance(T0_MS, {
          hostname: 'old',
          renewTimestamp: future,
          latestTimestamp: future,
        }),
      ],
      future,
      EVICT_AFTER_MS
    )
    const { instance } = value(registry.register(aRegisterInput({ hostname: 'new' }), clock.now()))
    expect(instance.regTimestamp).toBe(future + 1n)
    expect(registry.latestTimestamp).toBe(future + 1n)
  })

  it('counts loaded instances in the self-preservation expectation', () => {
    // 12 loaded instances expect 24 renews per window (threshold 20): 6 of them renewing turn
    // protection on; without the loaded ones counted, nothing would be expected or protected.
    const { clock, registry } = setup()
    const names = Array.from({ length: 12 }, (_, i) => `h${i}`)
    registry.load(
      names.map((hostname) => aStoredInstance(T0_MS, { hostname })),
      msToNs(T0_MS),
      0
    )
    for (const at of [10_000, 50_000]) {
      for (const hostname of names.slice(0, 6))
        registry.renew(aRenewInput({ hostname }), T0_MS + at)
    }
    expect(registry.evictExpired(clock.advance(EVICT_AFTER_MS))).toEqual([])
    expect(registry.size).toBe(12)
  })
})

describe('Registry latest_timestamp', () => {
  type Op =
    | { kind: 'register' | 'renew' | 'cancel'; host: number; dt: number }
    | { kind: 'set'; host: number; dt: number; at: bigint }
    | { kind: 'cancelAt'; host: number; dt: number; at: bigint }
    | { kind: 'evict'; dt: number }

  const host = fc.integer({ min: 0, max: 3 })
  const dt = fc.integer({ min: -5_000, max: 120_000 })
  const at = fc.bigInt({ min: 0n, max: 2_000_000_000_000_000_000n })
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constantFrom('register' as const, 'renew' as const, 'cancel' as const),
      host,
      dt,
    }),
    fc.record({ kind: fc.constant('set' as const), host, dt, at }),
    fc.record({ kind: fc.constant('cancelAt' as const), host, dt, at }),
    fc.record({ kind: fc.constant('evict' as const), dt })
  )

  it('strictly increases on every change and stays put on renews and failures', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.boolean(), (ops, selfPreservation) => {
        const { clock, registry } = setup({ selfPreservation })
        for (const o of ops) {
          const now = clock.advance(o.dt)
          const before = registry.latestTimestamp
          const revision = registry.revision
          let changed: boolean
          if (o.kind === 'register')
            changed = registry.register(aRegisterInput({ hostname: `h${o.host}` }), now).ok
          else if (o.kind === 'renew') {
            registry.renew(aRenewInput({ hostname: `h${o.host}` }), now)
            changed = false
          } else if (o.kind === 'cancel')
            changed = registry.cancel(aCancelInput({ hostname: `h${o.host}` }), now).ok
          else if (o.kind === 'cancelAt') {
            changed = registry.cancel(
              aCancelInput({ hostname: `h${o.host}`, latestTimestamp: o.at }),
              now
            ).ok
          } else if (o.kind === 'set') {
            changed = registry.set(
              aSetInput({ hostnames: [`h${o.host}`], statuses: [2], setTimestamp: o.at }),
              now
            ).ok
          } else changed = registry.evictExpired(now).length > 0
          if (registry.size === 0) expect(registry.latestTimestamp).toBe(0n)
          else if (changed) expect(registry.latestTimestamp).toBeGreaterThan(before)
          else {
            expect(registry.latestTimestamp).toBe(before)
            if (o.kind !== 'renew') expect(registry.revision).toBe(revision)
          }
          for (const i of registry.all())
            expect(i.latestTimestamp).toBeLessThanOrEqual(registry.latestTimestamp)
        }
      })
    )
  })
})
