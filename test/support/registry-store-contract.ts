/**
 * The RegistryStore contract: the same cases run against MemoryStore (test/unit, Node) and
 * SqlStore (test/worker, real SQLite). `open` gives a store over the same data each call, as
 * an object waking again would (SqlStore: a new one over the same database).
 */
import { expect } from 'vitest'
import type { HistoryEntry, RegistryStore } from '../../src/server/registry-store.ts'
import { HISTORY_ROWS } from '../../src/server/registry-store.ts'
import { anInstance, timestampsAt } from './builders.ts'

export interface StoreContractCase {
  name: string
  run(open: () => RegistryStore): void
}

const AT = 1_700_000_000_000_000_000n
const entry = (n: number, op: HistoryEntry['op'] = 'register'): HistoryEntry => ({
  atMs: 1_700_000_000_000 + n,
  op,
  zone: 'sh001',
  hostname: `h${n}`,
  actor: `token:${n}`,
})

export const STORE_CONTRACT: StoreContractCase[] = [
  {
    name: 'an empty store loads no app, no instances and a zero counter',
    run(open) {
      expect(open().load()).toEqual({
        appid: undefined,
        env: undefined,
        latestTimestamp: 0n,
        instances: [],
        owners: [],
      })
      expect(open().history(10)).toEqual([])
    },
  },
  {
    name: 'keeps what it is told which app it holds',
    run(open) {
      open().identify('demo.a', 'dev')
      expect(open().load()).toMatchObject({ appid: 'demo.a', env: 'dev' })
      open().identify('demo.a', 'prod')
      expect(open().load()).toMatchObject({ appid: 'demo.a', env: 'prod' })
    },
  },
  {
    name: 'puts, replaces and deletes instances by zone and hostname',
    run(open) {
      const store = open()
      store.put(anInstance({ hostname: 'h1', metadata: { b: '2', a: '1' } }))
      store.put(anInstance({ hostname: 'h2' }))
      store.put(anInstance({ hostname: 'h1', zone: 'sh002', status: 2 }))
      store.put(
        anInstance({
          hostname: 'h1',
          version: 'v2',
          metadata: null,
          addrs: ['http://a:1', 'grpc://a:2'],
        })
      )
      store.delete(anInstance({ hostname: 'h2' }))
      store.delete(anInstance({ hostname: 'nobody' }))
      const byKey = (i: { instance: { zone: string; hostname: string } }) =>
        `${i.instance.zone}/${i.instance.hostname}`
      const loaded = open()
        .load()
        .instances.sort((a, b) => byKey(a).localeCompare(byKey(b)))
      expect(loaded.map((i) => i.instance)).toEqual([
        anInstance({
          hostname: 'h1',
          version: 'v2',
          metadata: null,
          addrs: ['http://a:1', 'grpc://a:2'],
        }),
        anInstance({ hostname: 'h1', zone: 'sh002', status: 2 }),
      ])
    },
  },
  {
    name: 'keeps int64 timestamps exact',
    run(open) {
      const big = (1n << 63n) - 1n
      const instance = anInstance({
        ...timestampsAt(AT),
        dirtyTimestamp: big,
        latestTimestamp: big - 1n,
        upTimestamp: 1n,
      })
      open().put(instance)
      expect(open().load().instances[0]?.instance).toEqual(instance)
    },
  },
  {
    name: 'stores the renew time (ms) with each put, and moves it only for known instances on renewed',
    run(open) {
      const store = open()
      store.put(anInstance({ hostname: 'h1', renewTimestamp: 1_700_000_000_123_456_789n }))
      store.put(anInstance({ hostname: 'h2', renewTimestamp: AT }))
      expect(
        open()
          .load()
          .instances.map((i) => i.persistedRenewMs)
          .sort()
      ).toEqual([1_700_000_000_000, 1_700_000_000_123])
      store.renewed([
        { zone: 'sh001', hostname: 'h1', renewMs: 1_700_000_030_000 },
        { zone: 'sh001', hostname: 'gone', renewMs: 1_700_000_030_000 },
      ])
      const loaded = open().load().instances
      expect(loaded.length).toBe(2)
      expect(loaded.find((i) => i.instance.hostname === 'h1')?.persistedRenewMs).toBe(
        1_700_000_030_000
      )
      expect(loaded.find((i) => i.instance.hostname === 'h2')?.persistedRenewMs).toBe(
        1_700_000_000_000
      )
      // the row's instance is untouched: only the lease's restart point moves
      expect(loaded.find((i) => i.instance.hostname === 'h1')?.instance.renewTimestamp).toBe(
        1_700_000_000_123_456_789n
      )
    },
  },
  {
    name: 'reloads the counter as stored, or as the newest instance row when that is larger',
    run(open) {
      const store = open()
      store.put(anInstance({ hostname: 'h1', ...timestampsAt(AT + 5n) }))
      store.latest(AT + 5n) // what a register stores: the counter of the row just written
      expect(open().load().latestTimestamp).toBe(AT + 5n)
      store.delete(anInstance({ hostname: 'h1' }))
      store.latest(AT + 9n) // a cancel: the counter alone moves
      expect(open().load().latestTimestamp).toBe(AT + 9n)
      store.put(anInstance({ hostname: 'h2', ...timestampsAt(AT + 20n) })) // counter not stored yet
      expect(open().load().latestTimestamp).toBe(AT + 20n)
      store.latest(AT + 30n)
      expect(open().load().latestTimestamp).toBe(AT + 30n)
    },
  },
  {
    name: 'answers the history newest first, up to the limit',
    run(open) {
      const store = open()
      store.record([entry(1), entry(2, 'set')])
      store.record([])
      store.record([entry(3, 'evict')])
      expect(open().history(10)).toEqual([entry(3, 'evict'), entry(2, 'set'), entry(1)])
      expect(open().history(2)).toEqual([entry(3, 'evict'), entry(2, 'set')])
      expect(open().history(0)).toEqual([])
    },
  },
  {
    name: 'keeps the newest HISTORY_ROWS entries when more are recorded',
    run(open) {
      const store = open()
      const total = HISTORY_ROWS + 150
      for (let n = 1; n <= total; n++) store.record([entry(n)])
      const kept = open().history(HISTORY_ROWS)
      expect(kept.length).toBe(HISTORY_ROWS)
      expect(kept[0]).toEqual(entry(total))
      expect(kept[HISTORY_ROWS - 1]).toEqual(entry(total - HISTORY_ROWS + 1))
    },
  },
  {
    name: 'keeps which session owns an instance, its close time and wave mark, until told none',
    run(open) {
      const store = open()
      store.own('sh001', 'h1', { session: 's1', closedMs: null, wave: false })
      store.own('sh001', 'h2', { session: 's2', closedMs: 1_700_000_000_000, wave: true })
      const owners = open()
        .load()
        .owners.sort((a, b) => a.hostname.localeCompare(b.hostname))
      expect(owners).toEqual([
        { zone: 'sh001', hostname: 'h1', session: 's1', closedMs: null, wave: false },
        { zone: 'sh001', hostname: 'h2', session: 's2', closedMs: 1_700_000_000_000, wave: true },
      ])
      store.own('sh001', 'h1', { session: 's1', closedMs: 1_700_000_000_500, wave: false })
      store.own('sh001', 'h2', null)
      store.own('sh001', 'unknown', null)
      expect(open().load().owners).toEqual([
        { zone: 'sh001', hostname: 'h1', session: 's1', closedMs: 1_700_000_000_500, wave: false },
      ])
    },
  },
]
