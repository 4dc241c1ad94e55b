/** Eviction from memory: an object that wakes again reloads everything from SQLite. */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  advance,
  freshAppid,
  get,
  hostnames,
  latest,
  post,
  register,
  renew,
  stubOf,
} from './support.ts'

describe('RegistryObject after eviction from memory', () => {
  it('reloads instances, metadata, status and the change counter', async () => {
    const appid = freshAppid()
    await register(appid, 'h1', { metadata: '{"a":"1"}' })
    await register(appid, 'h2', { addrs: ['grpc://a:1', 'http://a:2'] })
    await post('set', {
      appid,
      env: 'dev',
      zone: 'sh001',
      hostname: 'h2',
      status: '2',
      metadata: '{"b":"2"}',
    })
    const before = (await get(`fetch?appid=${appid}&env=dev&status=3`)).text
    const counter = await latest(appid)
    await evictDurableObject(stubOf(appid))
    expect((await get(`fetch?appid=${appid}&env=dev&status=3`)).text).toBe(before)
    expect(await latest(appid)).toBe(counter)
    await register(appid, 'h3')
    expect(BigInt((await latest(appid)) ?? 0) > BigInt(counter ?? 0)).toBe(true)
    await runDurableObjectAlarm(stubOf(appid))
  })

  it('keeps every write of a concurrent burst (one batch, one commit)', async () => {
    const appid = freshAppid()
    const burst = Array.from({ length: 40 }, (_, i) => `burst-${String(i).padStart(2, '0')}`)
    await register(appid, 'gone')
    const answers = await Promise.all([
      ...burst.map((h) => register(appid, h)),
      post('cancel', { appid, env: 'dev', zone: 'sh001', hostname: 'gone' }),
    ])
    expect(answers.every((a) => a.text.startsWith('{"code":0'))).toBe(true)
    const counter = await latest(appid)
    await evictDurableObject(stubOf(appid))
    expect(await hostnames(appid)).toEqual(burst)
    expect(await latest(appid)).toBe(counter)
    await runDurableObjectAlarm(stubOf(appid))
  })

  it('keeps the history bounded though the object sleeps between a few writes', async () => {
    const appid = freshAppid()
    const rows = () =>
      runInDurableObject(
        stubOf(appid),
        (_, state) =>
          state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM history').one().n
      )
    for (let round = 0; round < 110; round++) {
      for (let i = 0; i < 10; i++) await register(appid, `h${i}`) // a history row each
      await evictDurableObject(stubOf(appid))
    }
    expect(await rows()).toBeLessThanOrEqual(1000 + 63)
    expect(await rows()).toBeGreaterThanOrEqual(1000)
    await runDurableObjectAlarm(stubOf(appid))
  }, 60_000)

  it('never evicts an instance that renewed within its lease, though that renew was not written', async () => {
    const appid = freshAppid()
    const others = Array.from({ length: 15 }, (_, i) => `live-${i}`)
    for (const h of ['h1', ...others]) await register(appid, h)
    await advance(appid, 80_000)
    expect((await renew(appid, 'h1')).text).toContain('"code":0') // kept in memory only
    await evictDurableObject(stubOf(appid))
    for (const step of [10_000, 30_000, 30_000]) {
      await advance(appid, step) // the others renew at 90, 120 and 150 s: the guard is satisfied
      for (const h of others) await renew(appid, h)
    }
    await advance(appid, 15_000) // 165 s: 85 s after h1's last renew
    await runDurableObjectAlarm(stubOf(appid))
    expect(await hostnames(appid)).toContain('h1')
    await advance(appid, 20_000) // 185 s: h1's lease (and the reload grace) has run out
    for (const h of others) await renew(appid, h)
    await runDurableObjectAlarm(stubOf(appid))
    expect(await hostnames(appid)).toEqual(others.sort())
    await runDurableObjectAlarm(stubOf(appid))
  })
})
