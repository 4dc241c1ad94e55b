/**
 * Session-owned instances in AppRegistry (session-leases.ts) over a MemoryStore and a
 * FakeClock: takeover without announcement, grace eviction, waves, leases held at the last
 * heartbeat, restarts, and the changes announced to watchers.
 */
import { describe, expect, it } from 'vitest'
import { AppRegistry } from '../../src/server/app-registry.ts'
import type { AppChange } from '../../src/server/change-log.ts'
import { MemoryStore } from '../../src/server/memory-store.ts'
import { aRegisterInput } from '../support/builders.ts'
import { FakeClock } from '../support/fake-clock.ts'

const GRACE_MS = 10_000
const CHECK_MS = 600_000

function harness(
  options: { store?: MemoryStore; clock?: FakeClock; selfPreservation?: boolean } = {}
) {
  const store = options.store ?? new MemoryStore()
  const clock = options.clock ?? new FakeClock()
  const changes: AppChange[] = []
  const registry = new AppRegistry({
    store,
    clock,
    config: {
      evictAfterMs: 90_000,
      renewIntervalMs: 30_000,
      selfPreservation: options.selfPreservation ?? false,
      sessionGraceMs: GRACE_MS,
      sessionCheckMs: CHECK_MS,
    },
    announce: async (change) => {
      changes.push(change)
    },
    catalog: async () => {},
  })
  const hostnames = () =>
    registry
      .all()
      .map((json) => /"hostname":"([^"]*)"/.exec(json)?.[1])
      .sort()
  return { registry, store, clock, changes, hostnames }
}

const input = (hostname: string, extra = {}) => aRegisterInput({ hostname, ...extra })

/** `count` sessions, session `s<i>` owning instance `h<i>`. */
async function owners(h: ReturnType<typeof harness>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    h.registry.sessionOpened(`s${i}`)
    expect(await h.registry.register(input(`h${i}`), 'token:a', `s${i}`)).toEqual({ code: 0 })
  }
}

const seen = (h: ReturnType<typeof harness>, sessions: string[]) =>
  new Map(sessions.map((s) => [s, h.clock.now()]))

describe('session-owned instances', () => {
  it('a register that changes nothing only takes the instance over: no change announced', async () => {
    const h = harness()
    await h.registry.register(input('h1'), 'token:a')
    const announced = h.changes.length
    const before = h.registry.latestTimestamp
    expect(await h.registry.register(input('h1'), 'token:a', 's1')).toEqual({ code: 0 })
    expect(h.changes).toHaveLength(announced)
    expect(h.registry.latestTimestamp).toBe(before)
    expect(h.store.load().owners).toMatchObject([{ hostname: 'h1', session: 's1', closedMs: null }])
    // a different registration is a change like any other
    await h.registry.register(input('h1', { version: 'v2' }), 'token:a', 's1')
    expect(h.changes).toHaveLength(announced + 1)
  })

  it('are evicted when their session stays closed past the grace time', async () => {
    const h = harness()
    await owners(h, 1)
    expect(h.registry.sessionClosed('s0')).toBe(true)
    expect(h.registry.nextWakeMs()).toBe(h.clock.now() + GRACE_MS)
    h.clock.advance(GRACE_MS - 1)
    await h.registry.alarm()
    expect(h.hostnames()).toEqual(['h0'])
    h.clock.advance(1)
    await h.registry.alarm()
    expect(h.hostnames()).toEqual([])
    expect(h.changes.at(-1)).toMatchObject({ put: [], del: [{ zone: 'sh001', hostname: 'h0' }] })
    expect(h.store.load().owners).toEqual([])
    expect((await h.registry.history(1))[0]).toMatchObject({ op: 'evict', actor: 'session' })
  })

  it('stay when their session comes back within the grace time', async () => {
    const h = harness()
    await owners(h, 1)
    h.registry.sessionClosed('s0')
    h.clock.advance(GRACE_MS / 2)
    h.registry.sessionOpened('s0')
    h.clock.advance(GRACE_MS)
    await h.registry.alarm(seen(h, ['s0']))
    expect(h.hostnames()).toEqual(['h0'])
    expect(h.store.load().owners[0]?.closedMs).toBeNull()
  })

  it('keep waiting out their grace time after the object reloads', async () => {
    const h = harness()
    await owners(h, 1)
    h.registry.sessionClosed('s0')
    h.clock.advance(GRACE_MS / 2)
    const reloaded = harness({ store: h.store, clock: h.clock })
    expect(reloaded.registry.nextWakeMs()).toBe(h.clock.now() + GRACE_MS / 2)
    h.clock.advance(GRACE_MS / 2)
    await reloaded.registry.alarm()
    expect(reloaded.hostnames()).toEqual([])
  })

  it('survive a wave of closes, every one of them, and then live on ordinary leases', async () => {
    const h = harness()
    await owners(h, 10)
    for (const s of ['s0', 's1']) expect(h.registry.sessionClosed(s)).toBe(true)
    h.clock.advance(1000)
    expect(h.registry.sessionClosed('s2')).toBe(false) // the third close within 5 s: a wave
    const alive = ['s3', 's4', 's5', 's6', 's7', 's8', 's9']
    h.clock.advance(GRACE_MS)
    await h.registry.alarm(seen(h, alive))
    expect(h.hostnames()).toHaveLength(10)
    // nobody came back: the ordinary lease (90 s from each close) ends them
    h.clock.advance(90_000 - GRACE_MS - 1000)
    await h.registry.alarm(seen(h, alive))
    expect(h.hostnames()).toEqual(['h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9'])
    h.clock.advance(1000)
    await h.registry.alarm(seen(h, alive))
    expect(h.hostnames()).toEqual(['h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9'])
  })

  it('a close that is not part of a wave is not rescued by a later one', async () => {
    const h = harness()
    await owners(h, 10)
    h.registry.sessionClosed('s0')
    h.clock.advance(6000) // past the wave window
    h.registry.sessionClosed('s1')
    h.registry.sessionClosed('s2')
    h.registry.sessionClosed('s3')
    h.clock.advance(GRACE_MS)
    await h.registry.alarm(seen(h, ['s4', 's5', 's6', 's7', 's8', 's9']))
    expect(h.hostnames()).not.toContain('h0')
    expect(h.hostnames()).toContain('h1')
  })

  it('live while their session heartbeats, and expire 90 s after its last heartbeat', async () => {
    const h = harness()
    await owners(h, 1)
    for (let i = 0; i < 5; i++) {
      h.clock.advance(60_000)
      await h.registry.alarm(seen(h, ['s0']))
    }
    expect(h.hostnames()).toEqual(['h0'])
    const lastHeartbeat = h.clock.now()
    h.clock.advance(89_000)
    await h.registry.alarm(new Map([['s0', lastHeartbeat]]))
    expect(h.hostnames()).toEqual(['h0'])
    h.clock.advance(1000)
    await h.registry.alarm(new Map([['s0', lastHeartbeat]]))
    expect(h.hostnames()).toEqual([])
  })

  it('owned by sessions lost in a restart: a wave, so ordinary leases from the first alarm', async () => {
    const h = harness()
    await owners(h, 5)
    h.clock.advance(600_000) // long after the registers, whose renew times are all storage has
    const restarted = harness({ store: h.store, clock: h.clock })
    await restarted.registry.alarm(new Map()) // no socket: the restart dropped them all
    h.clock.advance(GRACE_MS)
    await restarted.registry.alarm(new Map())
    expect(restarted.hostnames()).toHaveLength(5)
    h.clock.advance(90_000 - GRACE_MS)
    await restarted.registry.alarm(new Map())
    expect(restarted.hostnames()).toEqual([])
  })

  it('owned by a lone session lost in a restart: its grace time starts at the first alarm', async () => {
    const h = harness()
    await owners(h, 1)
    h.clock.advance(600_000)
    const restarted = harness({ store: h.store, clock: h.clock })
    await restarted.registry.alarm(new Map())
    expect(restarted.hostnames()).toEqual(['h0'])
    h.clock.advance(GRACE_MS)
    await restarted.registry.alarm(new Map())
    expect(restarted.hostnames()).toEqual([])
  })

  it('count as renewing for self-preservation while their sessions heartbeat', async () => {
    const h = harness({ selfPreservation: true })
    await owners(h, 20)
    await h.registry.register(input('http-1'), 'token:a') // an HTTP instance that goes silent
    const sessions = Array.from({ length: 20 }, (_, i) => `s${i}`)
    for (let i = 0; i < 4; i++) {
      h.clock.advance(30_000)
      await h.registry.alarm(seen(h, sessions))
    }
    expect(h.hostnames()).not.toContain('http-1')
    expect(h.hostnames()).toHaveLength(20)
  })

  it('an HTTP register takes an instance away from its session', async () => {
    const h = harness()
    await owners(h, 1)
    await h.registry.register(input('h0', { version: 'http' }), 'token:a')
    expect(h.store.load().owners).toEqual([])
    expect(h.registry.sessionClosed('s0')).toBe(false) // owns nothing now
  })

  it('a session owns at most 64 instances', async () => {
    const h = harness()
    for (let i = 0; i < 64; i++) await h.registry.register(input(`h${i}`), 'token:a', 's')
    const refused = await h.registry.register(input('h64'), 'token:a', 's')
    expect(refused).toMatchObject({ code: -400, message: expect.stringMatching(/^session: /) })
    // re-registering one it owns is still fine
    expect(await h.registry.register(input('h1'), 'token:a', 's')).toEqual({ code: 0 })
  })

  it('announces each batch as a change from the previous counter', async () => {
    const h = harness()
    await h.registry.register(input('h1'), 'token:a')
    await h.registry.register(input('h2'), 'token:a')
    const [first, second] = h.changes
    expect(first).toMatchObject({ from: 0n, put: [{ hostname: 'h1' }], del: [] })
    expect(second?.from).toBe(first?.to)
    expect(second?.to).toBe(h.registry.latestTimestamp)
  })
})

describe('the lease alarm of an app whose leases sessions hold', () => {
  it('sleeps SESSION_CHECK_SECONDS while every instance is held by a connected session', async () => {
    const h = harness()
    await owners(h, 3)
    expect(h.registry.nextWakeMs()).toBe(h.clock.now() + CHECK_MS)
    await h.registry.register(input('http-1'), 'token:a') // an HTTP lease to watch
    expect(h.registry.nextWakeMs()).toBe(h.clock.now() + 90_000)
  })

  it('wakes at the lease end again once a session closes', async () => {
    const h = harness()
    await owners(h, 3)
    h.registry.sessionClosed('s0')
    expect(h.registry.nextWakeMs()).toBe(h.clock.now() + GRACE_MS)
  })

  it('still evicts a silent session at the check after its lease ended', async () => {
    const h = harness()
    await owners(h, 1)
    const lastHeartbeat = h.clock.now()
    h.clock.advance(CHECK_MS)
    await h.registry.alarm(new Map([['s0', lastHeartbeat]]))
    expect(h.hostnames()).toEqual([])
  })
})

describe('after a restart', () => {
  it('says when an owner session is neither connected nor known to have closed', async () => {
    const h = harness()
    await owners(h, 2)
    h.registry.sessionClosed('s1')
    const restarted = harness({ store: h.store, clock: h.clock })
    expect(restarted.registry.sessionsAbsent(new Set(['s0']))).toBe(false) // s1 closed before
    expect(restarted.registry.sessionsAbsent(new Set())).toBe(true)
  })
})
