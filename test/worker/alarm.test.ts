/** The lease alarm: eviction through a real alarm, self-preservation, re-arming. */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  advance,
  drainAlarms,
  freshAppid,
  get,
  hostnames,
  post,
  register,
  renew,
  stubOf,
} from './support.ts'

const apps = drainAlarms()

const alarmAt = (appid: string) =>
  runInDurableObject(stubOf(appid), (_, state) => state.storage.getAlarm())

describe('RegistryObject.alarm', () => {
  it('arms one alarm at the first lease end when an instance registers', async () => {
    const appid = freshAppid()
    apps.push(appid)
    const before = Date.now()
    await register(appid, 'h1')
    const at = await alarmAt(appid)
    expect(at).not.toBeNull()
    expect(at ?? 0).toBeGreaterThanOrEqual(before + 90_000)
    expect(at ?? 0).toBeLessThan(Date.now() + 90_000 + 1000)
  })

  it('evicts an instance that stopped renewing while 15 others keep renewing', async () => {
    const appid = freshAppid()
    apps.push(appid)
    const live = Array.from({ length: 15 }, (_, i) => `live-${i}`)
    for (const h of [...live, 'silent']) await register(appid, h)
    for (let t = 30_000; t <= 120_000; t += 30_000) {
      await advance(appid, 30_000)
      for (const h of live) await renew(appid, h)
      await runDurableObjectAlarm(stubOf(appid))
    }
    expect(await hostnames(appid)).toEqual(live.sort())
  })

  it('does not evict before the lease ends', async () => {
    const appid = freshAppid()
    apps.push(appid)
    await register(appid, 'h1')
    await post('set', { appid, env: 'dev', zone: 'sh001', hostname: 'h1', status: '1' })
    await advance(appid, 89_000)
    await runDurableObjectAlarm(stubOf(appid))
    expect(await hostnames(appid)).toEqual(['h1'])
  })

  it('evicts the lone instance of an app at its lease end: self-preservation is for larger apps', async () => {
    const appid = freshAppid()
    apps.push(appid)
    await register(appid, 'h1')
    await advance(appid, 90_000)
    await runDurableObjectAlarm(stubOf(appid))
    expect(await hostnames(appid)).toBeUndefined()
    expect(await alarmAt(appid)).toBeNull()
  })

  it('keeps a 10-instance app that fell silent together and re-arms for the next window', async () => {
    const appid = freshAppid()
    apps.push(appid)
    const all = Array.from({ length: 10 }, (_, i) => `h${i}`)
    for (const h of all) await register(appid, h)
    await advance(appid, 300_000)
    await runDurableObjectAlarm(stubOf(appid))
    expect(await hostnames(appid)).toEqual(all)
    expect(await alarmAt(appid)).not.toBeNull()
  })

  it('evicts even under self-preservation once instances are silent for an hour, 15 % per scan', async () => {
    const appid = freshAppid()
    apps.push(appid)
    for (let i = 0; i < 10; i++) await register(appid, `h${i}`)
    await advance(appid, 3_600_000)
    await runDurableObjectAlarm(stubOf(appid))
    expect(await hostnames(appid)).toHaveLength(8)
    expect(await alarmAt(appid)).not.toBeNull()
  })

  it('removes the alarm when the last instance is cancelled', async () => {
    const appid = freshAppid()
    await register(appid, 'h1')
    await post('cancel', { appid, env: 'dev', zone: 'sh001', hostname: 'h1' })
    expect(await alarmAt(appid)).toBeNull()
    expect((await get(`fetch?appid=${appid}&env=dev&status=1`)).text).toBe(
      '{"code":-404,"message":"-404","ttl":1,"data":null}'
    )
  })
})
