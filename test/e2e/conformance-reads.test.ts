/**
 * Checklist items (docs/protocol.md) 33–46 (fetch, fetchs, fetch/all, set), black-box over HTTP against
 * the built worker, speaking like the Go SDK (see discovery-client.ts).
 */
import { describe, expect, it } from 'vitest'
import { conformanceRegistry, FETCH_404, OK } from '../support/conformance.ts'
import {
  type Body,
  hostnamesOf,
  INSTANCE_KEYS,
  instancesOf,
  ts,
} from '../support/discovery-client.ts'

const { registry, d, nextApp } = conformanceRegistry('demo.r', { POLL_HOLD_SECONDS: '2' })

/** Register h1 and h2 (both UP) and set h2 WAITING. */
async function upAndWaiting(app: string): Promise<void> {
  expect((await d.register(app, 'h1')).text).toBe(OK)
  expect((await d.register(app, 'h2')).text).toBe(OK)
  expect((await d.set(app, { hostname: 'h2', status: 2 })).text).toBe(OK)
}

describe('fetch, fetchs, fetch/all', () => {
  it('filters instances by the status bit mask (item 33)', async () => {
    const app = nextApp()
    await upAndWaiting(app)
    const up = await d.fetch(app, { status: 1 })
    expect(hostnamesOf(up.body.data)).toEqual(['h1'])
    const waiting = await d.fetch(app, { status: 2 })
    expect(hostnamesOf(waiting.body.data)).toEqual(['h2'])
    expect(instancesOf(waiting.body.data)[0].status).toBe(2)
    const both = await d.fetch(app, { status: 3 })
    expect(hostnamesOf(both.body.data)).toEqual(['h1', 'h2'])
  })

  it('answers code 0 with an empty zone list when only WAITING instances exist (item 34)', async () => {
    const app = nextApp()
    await d.register(app, 'h1', { status: 2 })
    const r = await d.fetch(app, { status: 1 })
    expect(r.body.code).toBe(0)
    expect(r.text).toMatch(
      /^\{"code":0,"message":"0","ttl":1,"data":\{"instances":\{"sh001":\[\]\},"latest_timestamp":\d{19}\}\}$/
    )
  })

  it('answers -404 for a zone the application does not have (item 35)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    expect((await d.fetch(app, { zone: 'sh001' })).body.code).toBe(0)
    expect((await d.fetch(app, { zone: 'sh009' })).text).toBe(FETCH_404)
  })

  it('fetchs several appids at once (item 36)', async () => {
    const a = nextApp()
    const b = nextApp()
    await d.register(a, 'h1')
    await d.register(b, 'h2', { addrs: 'grpc://10.0.0.2:9000' })
    const r = await d.fetchs([a, b])
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(0)
    expect(Object.keys(r.body.data).sort()).toEqual([a, b].sort())
    for (const [app, host] of [
      [a, 'h1'],
      [b, 'h2'],
    ] as const) {
      expect(Object.keys(r.body.data[app])).toEqual(['instances', 'latest_timestamp'])
      expect(hostnamesOf(r.body.data[app])).toEqual([host])
      expect(ts(r.body.data[app].latest_timestamp).toString()).toBe(await d.latest(app))
    }
  })

  it('leaves unknown appids out of fetchs, and answers {} when all are unknown (item 37)', async () => {
    const a = nextApp()
    const unknown = nextApp()
    await d.register(a, 'h1')
    const some = await d.fetchs([a, unknown])
    expect(some.body.code).toBe(0)
    expect(Object.keys(some.body.data)).toEqual([a])
    const none = await d.fetchs([unknown, nextApp()])
    expect(none.text).toBe('{"code":0,"message":"0","ttl":1,"data":{}}')
  })

  it('dumps every appid, env, zone and status in fetch/all, infra.discovery included (item 38)', async () => {
    const app = nextApp()
    await upAndWaiting(app)
    await d.register(app, 'h3', { env: 'prod', zone: 'sh002' })
    const r = await d.fetchAll()
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(0)
    expect(r.body.message).toBe('0')
    expect(r.body.ttl).toBe(1)
    const data = r.body.data as Record<string, Body[]>
    expect(typeof data).toBe('object')
    expect(Array.isArray(data)).toBe(false)
    for (const [appid, list] of Object.entries(data)) {
      expect(Array.isArray(list), appid).toBe(true)
      for (const instance of list) {
        expect(Object.keys(instance), appid).toEqual([...INSTANCE_KEYS])
        expect(instance.appid).toBe(appid)
      }
    }
    const mine = (data[app] ?? []).map((i) => [i.env, i.zone, i.hostname, i.status]).sort()
    expect(mine).toEqual([
      ['dev', 'sh001', 'h1', 1],
      ['dev', 'sh001', 'h2', 2],
      ['prod', 'sh002', 'h3', 1],
    ])
    const infra = data['infra.discovery'] ?? []
    expect(infra.map((i) => [i.hostname, i.zone, i.addrs])).toEqual([
      [registry.host, 'sh001', [`http://${registry.host}`]],
    ])
  })
})

describe('set', () => {
  it('hides an instance set to WAITING from fetch status=1 and from poll (item 39)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    await d.register(app, 'h2')
    const r = await d.set(app, { hostname: 'h1', status: 2 })
    expect(r.status).toBe(200)
    expect(r.text).toBe(OK)
    expect(hostnamesOf((await d.fetch(app, { status: 1 })).body.data)).toEqual(['h2'])
    const poll = await d.poll([app], [0])
    expect(poll.body.code).toBe(0)
    expect(hostnamesOf(poll.body.data)).toEqual(['h2'])
  })

  it('merges set metadata into the registered metadata (item 40)', async () => {
    const app = nextApp()
    await d.register(app, 'h1', { metadata: '{"a":"1"}' })
    expect((await d.set(app, { hostname: 'h1', metadata: '{"b":"2"}' })).text).toBe(OK)
    const r = await d.fetch(app)
    expect(instancesOf(r.body.data)[0].metadata).toEqual({ a: '1', b: '2' })
    expect(instancesOf(r.body.data)[0].status).toBe(1)
  })

  it('stamps dirty_timestamp and latest_timestamp with set_timestamp (item 41)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    expect((await d.set(app, { hostname: 'h1', set_timestamp: '1700000000000000000' })).text).toBe(
      OK
    )
    const r = await d.fetch(app)
    expect(r.text).toContain(
      '"dirty_timestamp":1700000000000000000,"latest_timestamp":1700000000000000000}'
    )
    const h1 = instancesOf(r.body.data)[0]
    expect(ts(h1.dirty_timestamp)).toBe(1700000000000000000n)
    expect(ts(h1.latest_timestamp)).toBe(1700000000000000000n)
  })

  it('refuses a set on an unknown hostname with -400 (item 42)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const r = await d.set(app, { hostname: 'h9', status: 2 })
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(-400)
  })

  it('refuses a set with status 3 with -400 (item 43)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    expect((await d.set(app, { hostname: 'h1', status: 3 })).body.code).toBe(-400)
    expect(instancesOf((await d.fetch(app)).body.data)[0].status).toBe(1)
  })

  it('refuses a set with two hostnames and one status with -400 (item 44)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    await d.register(app, 'h2')
    expect((await d.set(app, { hostname: ['h1', 'h2'], status: 2 })).body.code).toBe(-400)
    expect(instancesOf((await d.fetch(app)).body.data).map((i) => i.status)).toEqual([1, 1])
  })

  it('ignores color in a set (item 45)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    expect((await d.set(app, { color: 'red', hostname: 'h1', status: 1 })).text).toBe(OK)
    const f = await d.fetch(app)
    expect(f.body.code).toBe(0)
    expect(f.text).not.toContain('color')
    const all = await d.fetchAll()
    expect(JSON.stringify((all.body.data[app] as Body[]).map((i) => Object.keys(i)))).not.toContain(
      'color'
    )
  })

  it('refuses a set on an unknown appid or zone with -400, not -404 (item 46)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    expect((await d.set(nextApp(), { hostname: 'h1', status: 2 })).body.code).toBe(-400)
    expect((await d.set(app, { hostname: 'h1', status: 2, zone: 'sh009' })).body.code).toBe(-400)
    expect(instancesOf((await d.fetch(app)).body.data)[0].status).toBe(1)
  })

  it('sets several hostnames with positional status and metadata lists (§3.9 example)', async () => {
    const app = nextApp()
    await d.register(app, 'h1', { metadata: '{"weight":"10"}' })
    await d.register(app, 'h2', { metadata: '{"weight":"10"}', status: 2 })
    const r = await d.set(app, {
      hostname: ['h1', 'h2'],
      metadata: ['{"weight":"5"}', '{"weight":"20"}'],
      status: [2, 1],
    })
    expect(r.text).toBe(OK)
    const f = await d.fetch(app)
    expect(instancesOf(f.body.data).map((i) => [i.hostname, i.status, i.metadata])).toEqual([
      ['h1', 2, { weight: '5' }],
      ['h2', 1, { weight: '20' }],
    ])
  })

  it('applies nothing when any hostname of a set fails (server choice: all-or-nothing)', async () => {
    const app = nextApp()
    await d.register(app, 'h1', { metadata: '{"a":"1"}' })
    const before = await d.fetch(app)
    const r = await d.set(app, {
      hostname: ['h1', 'h9'],
      metadata: ['{"a":"2"}', '{"a":"3"}'],
      status: [2, 2],
    })
    expect(r.body.code).toBe(-400)
    const after = await d.fetch(app)
    expect(after.text).toBe(before.text)
    expect(instancesOf(after.body.data)[0].metadata).toEqual({ a: '1' })
  })

  it('advances the application latest_timestamp on a set (server choice, §2.6)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    await d.register(app, 'h2')
    const before = await d.latest(app)
    expect((await d.set(app, { hostname: 'h2', metadata: '{"b":"2"}' })).text).toBe(OK)
    const after = await d.latest(app)
    expect(BigInt(after) > BigInt(before)).toBe(true)
    // A client that was between two polls sees the change with its old cursor, at once.
    const poll = await d.polls({ [app]: before })
    expect(poll.ms).toBeLessThan(1000)
    expect(poll.body.code).toBe(0)
    expect(ts(poll.body.data[app].latest_timestamp).toString()).toBe(after)
    expect(instancesOf(poll.body.data[app]).find((i) => i.hostname === 'h2')?.metadata).toEqual({
      b: '2',
    })
  })
})

it('registers the SDK example of §3.1 byte for byte', async () => {
  const app = nextApp()
  const body =
    `addrs=grpc%3A%2F%2F10.0.0.5%3A9000&addrs=http%3A%2F%2F10.0.0.5%3A8000&appid=${app}&env=dev` +
    '&hostname=host-1&metadata=%7B%22weight%22%3A%2210%22%7D&region=sh&status=1&version=v1&zone=sh001'
  const r = await d.postForm('/discovery/register', body)
  expect(r.text).toBe(OK)
  const f = await d.fetch(app)
  expect(
    instancesOf(f.body.data).map((i) => [i.region, i.hostname, i.addrs, i.version, i.metadata])
  ).toEqual([
    ['sh', 'host-1', ['grpc://10.0.0.5:9000', 'http://10.0.0.5:8000'], 'v1', { weight: '10' }],
  ])
})
