/** The catalog object: fetch/all lists every app and env, and forgets apps that empty. */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { freshAppid, get, post, register, stubOf } from './support.ts'

describe('fetch/all', () => {
  it('merges every env of an appid and drops apps whose last instance left', async () => {
    const [a, b] = [freshAppid(), freshAppid()]
    await register(a, 'h1')
    await post('register', {
      appid: a,
      env: 'prod',
      zone: 'sh002',
      hostname: 'h2',
      status: '2',
      addrs: 'x',
    })
    await register(b, 'h1')
    await post('cancel', { appid: b, env: 'dev', zone: 'sh001', hostname: 'h1' })
    const { text } = await get('fetch/all')
    const all = JSON.parse(text) as {
      data: Record<string, { hostname: string; env: string; metadata: unknown }[]>
    }
    expect(all.data[a]?.map((i) => `${i.env}/${i.hostname}`).sort()).toEqual(['dev/h1', 'prod/h2'])
    expect(all.data[a]?.[0]?.metadata).toBeNull()
    expect(all.data[b]).toBeUndefined()
    expect(all.data['infra.discovery']).toHaveLength(1)
    await runDurableObjectAlarm(stubOf(a))
  })

  it('lists an app exactly when it has instances, after bursts that empty and refill it', async () => {
    const [a, b] = [freshAppid(), freshAppid()]
    const cancel = (app: string, h: string) =>
      post('cancel', { appid: app, env: 'dev', zone: 'sh001', hostname: h })
    const listed = async () => {
      const all = JSON.parse((await get('fetch/all')).text) as { data: Record<string, unknown[]> }
      return [a, b].map((app) => app in all.data)
    }
    const populated = async () =>
      Promise.all(
        [a, b].map(async (app) =>
          (await get(`fetch?appid=${app}&env=dev&status=3`)).text.startsWith('{"code":0')
        )
      )
    // concurrent writes may arrive in either order: whatever the outcome, the catalog must match it
    await register(b, 'old')
    await Promise.all([register(a, 'h1'), cancel(a, 'h1')])
    await Promise.all([cancel(b, 'old'), register(b, 'new')])
    await Promise.all([register(a, 'h2'), cancel(a, 'h2'), cancel(a, 'h1')])
    expect(await listed()).toEqual(await populated())
    expect((await populated())[1]).toBe(true)
    for (const app of [a, b]) await runDurableObjectAlarm(stubOf(app))
  })
})
