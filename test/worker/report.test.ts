/**
 * RegistryObject.report in the runtime (the console's and /metrics' view of an app): instances
 * by status, change counters since the object started (evictions by cause, through the real
 * lease alarm), held polls and sessions from the object's own sockets, the guard's figures;
 * and /health and /metrics through the Worker, against the real objects.
 */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { NO_FILTER } from '../../src/server/app-report.ts'
import { openSession } from './session-support.ts'
import {
  advance,
  BASE,
  drainAlarms,
  freshAppid,
  get,
  latest,
  post,
  register,
  stubOf,
  waitFor,
  worker,
} from './support.ts'

const alarmed = drainAlarms()
const reportOf = (appid: string, limit = 0) =>
  stubOf(appid).report({ appid, env: 'dev' }, NO_FILTER, limit)

describe('RegistryObject.report', () => {
  it('counts instances by status and every kind of change since the object started', async () => {
    const appid = freshAppid()
    alarmed.push(appid)
    for (const h of ['h1', 'h2', 'h3']) await register(appid, h, { metadata: '{"weight":"20"}' })
    await post('set', { appid, env: 'dev', zone: 'sh001', hostname: 'h2', status: '2' })
    await post('cancel', { appid, env: 'dev', zone: 'sh001', hostname: 'h3' })
    const before = await reportOf(appid, 10)
    expect(before).toMatchObject({
      appid,
      env: 'dev',
      up: 1,
      waiting: 1,
      zones: ['sh001'],
      matched: 2,
      counts: { registers: 3, sets: 1, cancels: 1, evictions: { lease: 0, session: 0 } },
      guard: { enabled: true, protecting: false, expected: 4, windowMs: 60_000 },
    })
    expect(before.instances.map((i) => [i.hostname, i.status, i.metadata.weight])).toEqual([
      ['h1', 1, '20'],
      ['h2', 2, '20'],
    ])
    expect(before.lastChangeMs).toBeGreaterThan(Date.now() - 60_000)

    await advance(appid, 91_000) // both leases end; an app of 2 is never protected
    // at most 15 % of an app (at least one) goes per scan: one alarm each
    await runDurableObjectAlarm(stubOf(appid))
    await runDurableObjectAlarm(stubOf(appid))
    const after = await reportOf(appid)
    expect(after).toMatchObject({ up: 0, waiting: 0, zones: [] })
    expect(after.counts).toEqual({
      registers: 3,
      sets: 1,
      cancels: 1,
      evictions: { lease: 2, session: 0 },
    })
  })

  it('sees the polls held on the app and the sessions connected to it', async () => {
    const appid = freshAppid()
    alarmed.push(appid)
    await register(appid, 'h1')
    const session = await openSession(appid)
    await session.request({ op: 'watch', status: [1, 2] })
    // a poll at the app's cursor holds (POLL_HOLD_SECONDS=1 in the test config)
    const held = get(
      `polls?appid=${appid}&latest_timestamp=${await latest(appid)}&env=dev&hostname=c1`
    )
    await waitFor(async () => (await reportOf(appid)).heldPolls === 1)
    expect((await reportOf(appid)).sessions).toBe(1)
    expect((await held).text).toContain('-304')
    session.close()
    await waitFor(async () => (await reportOf(appid)).sessions === 0)
  })

  it('reports the guard pausing eviction when 10 instances fall silent for a window', async () => {
    const appid = freshAppid()
    alarmed.push(appid)
    for (let i = 0; i < 10; i++) await register(appid, `h${i}`)
    await advance(appid, 61_000) // one whole window (two renew intervals) without a renew
    const { guard } = await reportOf(appid)
    expect(guard).toEqual({
      enabled: true,
      protecting: true,
      renews: 0,
      expected: 20,
      windowMs: 60_000,
    })
  })
})

describe('GET /health and /metrics through the Worker', () => {
  it('answers 200 with the version when the objects answer', async () => {
    const res = await worker.fetch(new URL('/health', BASE))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', version: expect.any(String) })
  })

  it('exports a registered app', async () => {
    const appid = freshAppid()
    alarmed.push(appid)
    await register(appid, 'h1')
    const res = await worker.fetch(new URL('/metrics', BASE))
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await res.text()
    expect(text).toContain(`discovery_app_instances{appid="${appid}",env="dev",status="up"} 1`)
    expect(text).toContain(`discovery_app_registers_total{appid="${appid}",env="dev"} 1`)
  })
})
