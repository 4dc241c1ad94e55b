/** The catalog object: fetch/all lists every app and env, and forgets apps that empty. */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { freshAppid, get, post, register, stubOf } from './support.ts'

describe('fetch/all', () => {
  it('merges every env of an appid and drops apps whose last instance left', async () => {
    const [a, b] = [freshAppid(), freshAppid()]
    await register(a, 'h1')
    await post('register', { appid: a, env: 'prod', zone: 'sh002', hostname: 'h2', status: '2', addrs: 'x' })
    await register(b, 'h1')
    await post('cancel', { appid: b, env: 'dev', zone: 'sh001', hostname: 'h1' })
    const { text } = await get('fetch/all')
    const all = JSON.parse(text) as { data: Record<string, { hostname: string; env: string; metadata: unknown }[]> }
    expect(all.data[a]?.map((i) => `${i.env}/${i.hostname}`).sort()).toEqual(['dev/h1', 'prod/h2'])
    expect(all.data[a]?.[0]?.metadata).toBeNull()
    expect(all.data[b]).toBeUndefined()
    expect(all.data['infra.discovery']).toHaveLength(1)
    await runDurableObjectAlarm(stubOf(a))
  })

  it('follows a burst that empties and refills an app in one batch', async () => {
    const [a, b] = [freshAppid(), freshAppid()]
    const listed = async () => {
      const all = JSON.parse((await get('fetch/all')).text) as { data: Record<string, unknown[]> }
      return [a, b].map((app) => app in all.data)
    }
    // a: its first register and its last cancel together; b: its last cancel and a new register together
    await register(b, 'old')
    await Promise.all([register(a, 'h1'), post('cancel', { appid: a, env: 'dev', zone: 'sh001', hostname: 'h1' })])
    await Promise.all([post('cancel', { appid: b, env: 'dev', zone: 'sh001', hostname: 'old' }), register(b, 'new')])
    const [, cancelledA] = await Promise.all([register(a, 'h2'), post('cancel', { appid: a, env: 'dev', zone: 'sh001', hostname: 'h2' })])
    expect(cancelledA.text).toContain('"code":0')
    expect(await listed()).toEqual([false, true])
    await runDurableObjectAlarm(stubOf(b))
  })
})
