/**
 * What no client input may push the registry past: timestamps beyond the clock plus the skew,
 * metadata that grows past its limit through repeated sets, and an app past its byte budget.
 */
import { describe, expect, it } from 'vitest'
import { INT64_MAX, msToNs } from '../../src/registry/clock.ts'
import type { Instance } from '../../src/registry/model.ts'
import { Registry, type RegistryOptions } from '../../src/registry/registry.ts'
import { aCancelInput, aRegisterInput, aRegistryOptions, aSetInput } from '../support/builders.ts'
import { FakeClock } from '../support/fake-clock.ts'

const SKEW_MS = 60_000

function setup(overrides: Partial<RegistryOptions> = {}) {
  const clock = new FakeClock()
  const registry = new Registry(aRegistryOptions({ maxSkewMs: SKEW_MS, ...overrides }), clock.now())
  return { clock, registry }
}

const only = (registry: Registry, hostname = 'h1'): Instance => {
  const found = registry.instance('sh001', hostname)
  if (!found) throw new Error(`no instance ${hostname}`)
  return found
}

describe('client timestamps', () => {
  it('take a dirty_timestamp at most the skew past the clock, so the owner re-registers after it', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ dirtyTimestamp: INT64_MAX, version: 'rogue' }), clock.now())
    expect(only(registry).dirtyTimestamp).toBe(msToNs(clock.now() + SKEW_MS))
    // within the skew the far-future registration still wins; past it, the owner's
    registry.register(aRegisterInput({ version: 'owner' }), clock.advance(SKEW_MS - 1))
    expect(only(registry).version).toBe('rogue')
    registry.register(aRegisterInput({ version: 'owner' }), clock.advance(2))
    expect(only(registry).version).toBe('owner')
  })

  it('take a set_timestamp at most the skew past the clock', () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput(), clock.now())
    registry.set(aSetInput({ statuses: [2], setTimestamp: INT64_MAX }), clock.now())
    const ceiling = msToNs(clock.now() + SKEW_MS)
    expect(only(registry)).toMatchObject({ dirtyTimestamp: ceiling, latestTimestamp: ceiling })
    expect(registry.latestTimestamp).toBe(ceiling)
  })

  it("take a cancel's latest_timestamp at most the skew past the clock", () => {
    const { clock, registry } = setup()
    registry.register(aRegisterInput({ hostname: 'h1' }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2' }), clock.now())
    registry.cancel(aCancelInput({ hostname: 'h2', latestTimestamp: INT64_MAX }), clock.now())
    expect(registry.latestTimestamp).toBe(msToNs(clock.now() + SKEW_MS))
  })

  it('keep values within the skew as sent (the Go SDK sends its own clock)', () => {
    const { clock, registry } = setup()
    const near = msToNs(clock.now() + SKEW_MS / 2)
    registry.register(aRegisterInput({ dirtyTimestamp: near }), clock.now())
    expect(only(registry).dirtyTimestamp).toBe(near)
  })
})

describe('merged metadata', () => {
  it('is refused by set when the merge would pass the limit, naming metadata, and nothing changes', () => {
    const { clock, registry } = setup({ maxMetadataBytes: 100 })
    registry.register(aRegisterInput({ metadata: { a: 'x'.repeat(40) } }), clock.now())
    expect(registry.set(aSetInput({ metadata: [{ b: 'y'.repeat(40) }] }), clock.now()).ok).toBe(
      true
    )
    const before = only(registry)
    const latest = registry.latestTimestamp
    const result = registry.set(aSetInput({ metadata: [{ c: 'z'.repeat(40) }] }), clock.now())
    expect(result).toMatchObject({ ok: false, error: { reason: 'invalid', field: 'metadata' } })
    expect(result.ok || result.error.reason !== 'invalid' || result.error.message).toMatch(
      /^metadata: .*100 bytes/
    )
    expect(only(registry)).toBe(before)
    expect(registry.latestTimestamp).toBe(latest)
    // replacing a value by a shorter one still fits
    expect(registry.set(aSetInput({ metadata: [{ a: '' }] }), clock.now()).ok).toBe(true)
  })
})

describe('the byte budget', () => {
  /** Each instance costs its version's length plus one byte here. */
  const sizeOf = (i: Instance) => i.version.length + 1

  it('refuses a register or set that would take the app past maxBytes, and changes nothing', () => {
    const { clock, registry } = setup({ maxBytes: 30, sizeOf })
    registry.register(aRegisterInput({ hostname: 'h1', version: 'x'.repeat(14) }), clock.now())
    registry.register(aRegisterInput({ hostname: 'h2', version: 'x'.repeat(14) }), clock.now())
    const latest = registry.latestTimestamp
    const refused = registry.register(aRegisterInput({ hostname: 'h3', version: '' }), clock.now())
    expect(refused).toMatchObject({ ok: false, error: { reason: 'full' } })
    expect(refused.ok || refused.error.reason !== 'full' || refused.error.message).toMatch(
      /^APP_BYTES: /
    )
    const grown = registry.register(
      aRegisterInput({ hostname: 'h2', version: 'x'.repeat(15) }),
      clock.now()
    )
    expect(grown.ok).toBe(false)
    expect(registry.size).toBe(2)
    expect(registry.latestTimestamp).toBe(latest)
    // what shrinks an instance or removes one always fits
    expect(
      registry.register(aRegisterInput({ hostname: 'h2', version: 'x' }), clock.now()).ok
    ).toBe(true)
    expect(
      registry.register(aRegisterInput({ hostname: 'h3', version: 'x'.repeat(10) }), clock.now()).ok
    ).toBe(true)
    registry.cancel(aCancelInput({ hostname: 'h3' }), clock.now())
    expect(
      registry.register(aRegisterInput({ hostname: 'h4', version: 'x'.repeat(12) }), clock.now()).ok
    ).toBe(true)
  })

  it('counts what a set merges into the metadata', () => {
    const metadataSize = (i: Instance) => JSON.stringify(i.metadata ?? {}).length
    const { clock, registry } = setup({ maxBytes: 40, sizeOf: metadataSize })
    registry.register(aRegisterInput({ metadata: { a: '1' } }), clock.now())
    expect(registry.set(aSetInput({ metadata: [{ b: 'x'.repeat(20) }] }), clock.now()).ok).toBe(
      true
    )
    const refused = registry.set(aSetInput({ metadata: [{ c: 'x'.repeat(10) }] }), clock.now())
    expect(refused).toMatchObject({ ok: false, error: { reason: 'full' } })
  })
})
