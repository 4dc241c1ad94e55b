/**
 * AppRegistry over a MemoryStore and a FakeClock: each write's sequence (persisted, recorded,
 * announced once per batch, catalog in step), stranger renews, the alarm's eviction and flush.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EMPTY_INSTANCE_JSON } from '../../src/protocol/instance-codec.ts'
import { AppRegistry } from '../../src/server/app-registry.ts'
import { MemoryStore } from '../../src/server/memory-store.ts'
import type { RegistryStore } from '../../src/server/registry-store.ts'
import { aCancelInput, aRegisterInput, aRenewInput, aSetInput } from '../support/builders.ts'
import { FakeClock, T0_MS } from '../support/fake-clock.ts'

const CONFIG = {
  evictAfterMs: 90_000,
  renewIntervalMs: 30_000,
  selfPreservation: true,
  sessionGraceMs: 10_000,
}

/** A store that logs each call by name, over a MemoryStore. */
function recording(inner: RegistryStore = new MemoryStore()): {
  store: RegistryStore
  calls: string[]
} {
  const calls: string[] = []
  const store = new Proxy(inner, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(String(name))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store, calls }
}

interface HarnessOptions {
  store?: RegistryStore
  clock?: FakeClock
  announce?: () => Promise<void>
  catalog?: () => Promise<void>
}

function harness(options: HarnessOptions = {}) {
  const memory = options.store ?? new MemoryStore()
  const { store, calls } = recording(memory)
  const clock = options.clock ?? new FakeClock()
  const events: string[] = []
  const registry = new AppRegistry({
    store,
    clock,
    config: CONFIG,
    announce: async () => {
      events.push('announce')
      await options.announce?.()
    },
    catalog: async (app, listed) => {
      events.push(`catalog.${listed ? 'add' : 'remove'} ${app.appid}/${app.env}`)
      await options.catalog?.()
    },
  })
  calls.length = 0 // the load
  return { registry, memory, calls, clock, events }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('AppRegistry writes', () => {
  it('register: persists, records, announces, lists the app in the catalog, remembers the app', async () => {
    const { registry, memory, calls, events } = harness()
    expect(await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')).toEqual({
      code: 0,
    })
    expect(calls).toEqual(['put', 'record', 'history', 'identify', 'latest'])
    expect(events).toEqual(['announce', 'catalog.add demo.a/dev'])
    const stored = memory.load()
    expect(stored).toMatchObject({
      appid: 'demo.a',
      env: 'dev',
      latestTimestamp: registry.latestTimestamp,
    })
    expect(stored.instances.map((i) => i.instance.hostname)).toEqual(['h1'])
    expect(memory.history(10)).toEqual([
      { atMs: T0_MS, op: 'register', zone: 'sh001', hostname: 'h1', actor: 'token:a' },
    ])
  })

  it('a burst of writes is one batch: announced once, the counter stored once, the catalog told once', async () => {
    const { registry, calls, events } = harness()
    const replies = await Promise.all([
      registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a'),
      registry.register(aRegisterInput({ hostname: 'h2' }), 'token:a'),
      registry.set(aSetInput({ hostnames: ['h1'], statuses: [2] }), 'token:admin'),
    ])
    expect(replies).toEqual([{ code: 0 }, { code: 0 }, { code: 0 }])
    expect(calls.filter((c) => c === 'latest')).toHaveLength(1)
    expect(calls.at(-1)).toBe('latest') // after every write of the batch
    expect(events).toEqual(['announce', 'catalog.add demo.a/dev'])
  })

  it('register that loses on dirty time: recorded and announced, nothing stored', async () => {
    const { registry, memory, calls } = harness()
    await registry.register(aRegisterInput({ dirtyTimestamp: 2_000n, version: 'new' }), 'token:a')
    calls.length = 0
    await registry.register(aRegisterInput({ dirtyTimestamp: 1_000n, version: 'old' }), 'token:b')
    expect(calls).toEqual(['record', 'latest'])
    expect(memory.load().instances[0]?.instance.version).toBe('new')
    expect(memory.history(1)[0]).toMatchObject({ op: 'register', actor: 'token:b' })
  })

  it('cancel: deletes, records, announces, and takes the emptied app off the catalog', async () => {
    const { registry, memory, calls, events } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    calls.length = 0
    events.length = 0
    expect(await registry.cancel(aCancelInput({ hostname: 'h1' }), 'token:a')).toEqual({ code: 0 })
    expect(calls).toEqual(['delete', 'record', 'latest'])
    expect(events).toEqual(['announce', 'catalog.remove demo.a/dev'])
    expect(memory.load().instances).toEqual([])
    expect(memory.history(1)[0]).toMatchObject({ op: 'cancel', hostname: 'h1', actor: 'token:a' })
    expect(registry.snapshot({ zone: '', statusMask: 3 })).toBeUndefined()
  })

  it('set: stores each changed instance and records one entry per hostname', async () => {
    const { registry, memory, calls, events } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    await registry.register(aRegisterInput({ hostname: 'h2' }), 'token:a')
    calls.length = 0
    events.length = 0
    const reply = await registry.set(
      aSetInput({ hostnames: ['h1', 'h2'], metadata: [{ w: '1' }, { w: '2' }] }),
      'token:admin'
    )
    expect(reply).toEqual({ code: 0 })
    expect(calls).toEqual(['put', 'put', 'record', 'latest'])
    expect(events).toEqual(['announce']) // still listed: the catalog is not called
    expect(memory.history(2).map((e) => `${e.op} ${e.hostname} ${e.actor}`)).toEqual([
      'set h2 token:admin',
      'set h1 token:admin',
    ])
    expect(memory.load().instances.map((i) => i.instance.metadata)).toEqual([
      { w: '1' },
      { w: '2' },
    ])
  })

  it('a failed write changes nothing: no store call, no announcement, its reply says why', async () => {
    const { registry, calls, events } = harness()
    expect(await registry.cancel(aCancelInput({ hostname: 'nobody' }), 'token:a')).toEqual({
      code: -404,
    })
    const set = await registry.set(aSetInput({ zone: 'sh009' }), 'token:a')
    expect(set.code).toBe(-400)
    expect(set.message).toContain('zone: sh009')
    expect(calls).toEqual([])
    expect(events).toEqual([])
  })

  it('a failed announcement fails the batch, and the next write announces again', async () => {
    let fail = true
    const { registry, calls, events } = harness({
      announce: async () => {
        if (fail) throw new Error('alarm storage down')
      },
    })
    await expect(registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')).rejects.toThrow(
      'alarm storage down'
    )
    fail = false
    calls.length = 0
    events.length = 0
    expect(registry.renew(aRenewInput({ hostname: 'h1' }), 'token:a').code).toBe(0) // it took effect
    await registry.history(1) // a batch without a change still announces the one left over
    expect(events).toEqual(['announce'])
    expect(calls).toEqual(['history', 'latest'])
    await registry.register(aRegisterInput({ hostname: 'h2' }), 'token:a')
    expect(events).toEqual(['announce', 'announce', 'catalog.add demo.a/dev'])
  })

  it('a failed catalog call is logged and tried again on the next write', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    let fail = true
    const { registry, events } = harness({
      catalog: async () => {
        if (fail) throw new Error('catalog down')
      },
    })
    expect(await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')).toEqual({
      code: 0,
    })
    expect(error).toHaveBeenCalledOnce()
    fail = false
    await registry.register(aRegisterInput({ hostname: 'h2' }), 'token:a')
    expect(events.filter((e) => e.startsWith('catalog'))).toEqual([
      'catalog.add demo.a/dev',
      'catalog.add demo.a/dev',
    ])
    await registry.register(aRegisterInput({ hostname: 'h3' }), 'token:a')
    expect(events.filter((e) => e.startsWith('catalog'))).toHaveLength(2) // listed: nothing to do
  })

  it('keeps catalog calls in order, each deciding when it runs: an app emptied meanwhile ends unlisted', async () => {
    const calls: (() => void)[] = []
    const { registry, events } = harness({
      catalog: () => new Promise<void>((resolve) => calls.push(resolve)),
    })
    const register = registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    await vi.waitFor(() => expect(calls).toHaveLength(1)) // the add is in flight
    const cancel = registry.cancel(aCancelInput({ hostname: 'h1' }), 'token:a')
    await vi.waitFor(() =>
      expect(events).toEqual(['announce', 'catalog.add demo.a/dev', 'announce'])
    ) // its batch ran
    calls[0]?.()
    await vi.waitFor(() => expect(calls).toHaveLength(2))
    calls[1]?.()
    expect(await Promise.all([register, cancel])).toEqual([{ code: 0 }, { code: 0 }])
    expect(events).toEqual([
      'announce',
      'catalog.add demo.a/dev',
      'announce',
      'catalog.remove demo.a/dev',
    ])
  })
})

describe('AppRegistry renew', () => {
  it('answers at once from memory, with no store call', async () => {
    const { registry, calls, clock } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    calls.length = 0
    clock.advance(1000)
    const reply = registry.renew(aRenewInput({ hostname: 'h1' }), 'token:a')
    expect(reply.code).toBe(0)
    expect(reply.data).toContain(`"renew_timestamp":${BigInt(T0_MS + 1000) * 1_000_000n}`)
    for (let i = 0; i < 100; i++) registry.renew(aRenewInput({ hostname: 'h1' }), 'token:a')
    await registry.history(1)
    expect(calls).toEqual(['history'])
  })

  it('answers an unknown instance with null (unknown zone) or the empty instance (unknown hostname)', async () => {
    const { registry } = harness()
    expect(registry.renew(aRenewInput(), 'token:a')).toEqual({ code: -404, data: 'null' })
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    expect(registry.renew(aRenewInput({ hostname: 'h2' }), 'token:a')).toEqual({
      code: -404,
      data: EMPTY_INSTANCE_JSON,
    })
  })

  it('answers a peer renew that disagrees with our instance', async () => {
    const { registry } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1', dirtyTimestamp: 5_000n }), 'token:a')
    const older = registry.renew(
      aRenewInput({ hostname: 'h1', replication: true, dirtyTimestamp: 1_000n }),
      'peer'
    )
    const newer = registry.renew(
      aRenewInput({ hostname: 'h1', replication: true, dirtyTimestamp: 9_000n }),
      'peer'
    )
    expect([older.code, newer.code]).toEqual([-409, -404])
    expect(older.data).toContain('"dirty_timestamp":5000')
  })

  it('records a stranger renewing an instance once, in a later batch, without announcing', async () => {
    const { registry, memory, events } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    events.length = 0
    for (const actor of ['token:b', 'token:b', 'token:a', 'token:b'])
      registry.renew(aRenewInput({ hostname: 'h1' }), actor)
    expect(memory.history(10).map((e) => e.op)).toEqual(['register']) // not yet: it joins the next batch
    const history = await registry.history(10)
    expect(history.map((e) => `${e.op} ${e.actor}`)).toEqual(['renew token:b', 'register token:a'])
    expect(events).toEqual([])
  })

  it('knows the recorded strangers again after a reload from the store', async () => {
    const memory = new MemoryStore()
    const first = harness({ store: memory }).registry
    await first.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    first.renew(aRenewInput({ hostname: 'h1' }), 'token:b')
    await first.history(1)
    const { registry } = harness({ store: memory })
    registry.renew(aRenewInput({ hostname: 'h1' }), 'token:b')
    registry.renew(aRenewInput({ hostname: 'h1' }), 'token:c')
    expect((await registry.history(10)).map((e) => `${e.op} ${e.actor}`)).toEqual([
      'renew token:c',
      'renew token:b',
      'register token:a',
    ])
  })
})

describe('AppRegistry alarm', () => {
  it('evicts an instance silent past the hour: deleted, recorded as evict by lease, announced, unlisted', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const { registry, memory, events, clock } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    events.length = 0
    clock.advance(3_600_000)
    await registry.alarm()
    expect(memory.load().instances).toEqual([])
    expect(memory.history(1)).toEqual([
      { atMs: T0_MS + 3_600_000, op: 'evict', zone: 'sh001', hostname: 'h1', actor: 'lease' },
    ])
    expect(events).toEqual(['announce', 'catalog.remove demo.a/dev'])
    expect(registry.snapshot({ zone: '', statusMask: 3 })).toBeUndefined()
    expect(registry.nextWakeMs()).toBeUndefined()
  })

  it('keeps a lone silent instance under self-preservation, without announcing', async () => {
    const { registry, memory, events, clock } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    events.length = 0
    clock.advance(300_000)
    await registry.alarm()
    expect(memory.load().instances).toHaveLength(1)
    expect(events).toEqual([])
  })

  it('writes back renew times that lag by a renew interval', async () => {
    const { registry, memory, calls, clock } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    clock.advance(30_000)
    registry.renew(aRenewInput({ hostname: 'h1' }), 'token:a')
    calls.length = 0
    await registry.alarm()
    expect(calls).toEqual(['renewed'])
    expect(memory.load().instances[0]?.persistedRenewMs).toBe(T0_MS + 30_000)
  })

  it('never throws: a storage failure is logged', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const broken = new MemoryStore()
    broken.renewed = () => {
      throw new Error('disk full')
    }
    const { registry } = harness({ store: broken })
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    await expect(registry.alarm()).resolves.toBeUndefined()
    expect(error).toHaveBeenCalledWith(expect.stringContaining('disk full'))
  })

  it('asks to wake at the first lease end', async () => {
    const { registry, clock } = harness()
    expect(registry.nextWakeMs()).toBeUndefined()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    clock.advance(10_000)
    await registry.register(aRegisterInput({ hostname: 'h2' }), 'token:a')
    expect(registry.nextWakeMs()).toBe(T0_MS + 90_000)
  })
})

describe('AppRegistry reads and reload', () => {
  it('reloads the same views and counter from the store', async () => {
    const memory = new MemoryStore()
    const { registry } = harness({ store: memory })
    await registry.register(aRegisterInput({ hostname: 'h1', metadata: { a: '1' } }), 'token:a')
    await registry.register(aRegisterInput({ hostname: 'h2', zone: 'sh002' }), 'token:a')
    await registry.cancel(aCancelInput({ hostname: 'h1' }), 'token:a')
    const reloaded = harness({ store: memory }).registry
    expect(reloaded.latestTimestamp).toBe(registry.latestTimestamp)
    expect(reloaded.snapshot({ zone: '', statusMask: 3 })).toBe(
      registry.snapshot({ zone: '', statusMask: 3 })
    )
    expect(reloaded.all()).toEqual(registry.all())
    expect(reloaded.app).toEqual({ appid: 'demo.a', env: 'dev' })
  })

  it('lists every instance with metadata null when it has none (fetch/all)', async () => {
    const { registry } = harness()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:a')
    expect(registry.all()).toHaveLength(1)
    expect(registry.all()[0]).toContain('"metadata":null')
    expect(registry.snapshot({ zone: 'sh001', statusMask: 3 })).toContain('"metadata":{}')
  })
})
