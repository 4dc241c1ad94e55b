/**
 * Checklist items (docs/protocol.md) 1–7 and 9–32 (transport, envelope, register, renew, cancel), black-box
 * over HTTP against the built worker, speaking like the Go SDK (see discovery-client.ts).
 * Item 8 needs a hold longer than 5 s and lives in conformance-long-hold.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ADDR, latestDigits } from '../../scripts/shared/discovery-text.ts'
import { conformanceRegistry, FETCH_404, OK } from '../support/conformance.ts'
import { encodeForm, INSTANCE_KEYS, instancesOf, ts } from '../support/discovery-client.ts'

const { registry, d, nextApp } = conformanceRegistry('demo.w', { POLL_HOLD_SECONDS: '2' })

describe('transport and envelope', () => {
  it('answers a form-urlencoded register with the bare OK envelope (item 1)', async () => {
    const r = await d.register(nextApp(), 'h1')
    expect(r.status).toBe(200)
    expect(r.contentType).toMatch(/^application\/json/)
    expect(r.text).toBe(OK)
  })

  it('takes register parameters from the query string of a POST with an empty body (item 2)', async () => {
    const app = nextApp()
    const query = encodeForm({
      addrs: ADDR,
      appid: app,
      env: 'dev',
      hostname: 'h1',
      status: 1,
      zone: 'sh001',
    })
    const r = await d.postForm('/discovery/register', '', { query })
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(0)
    const f = await d.fetch(app)
    expect(f.body.code).toBe(0)
    expect(instancesOf(f.body.data).map((i) => [i.hostname, i.addrs])).toEqual([['h1', [ADDR]]])
  })

  it('answers HTTP 405 for a known path with the wrong method (item 3)', async () => {
    const get = await d.request('GET', '/discovery/register')
    expect(get.status).toBe(405)
    expect(get.text).toBe('Method Not Allowed')
    const post = await d.postForm('/discovery/fetch', 'appid=x&env=dev&status=1')
    expect(post.status).toBe(405)
    expect(post.text).toBe('Method Not Allowed')
  })

  it('answers HTTP 404 for an unknown path (item 4)', async () => {
    const r = await d.request('GET', '/discovery/nope')
    expect(r.status).toBe(404)
    expect(r.text).toBe('404 page not found')
  })

  it('routes on the decoded path, as Go does: /discovery/%66etch is fetch', async () => {
    const r = await d.request('GET', '/discovery/%66etch?appid=none&env=dev&status=1')
    expect(r.status).toBe(200)
    expect(r.text).toBe(FETCH_404)
    expect((await d.request('GET', '/discovery/%zz')).status).toBe(404)
  })

  it('answers a fetch of an unknown appid with the -404 envelope and data null (item 5)', async () => {
    const r = await d.get('/discovery/fetch', { appid: 'none', env: 'dev', status: 1 })
    expect(r.status).toBe(200)
    expect(r.contentType).toMatch(/^application\/json/)
    expect(r.text).toBe(FETCH_404)
  })

  it('answers a fetch without status with HTTP 200, code -400 and ttl 1 (item 6)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const r = await d.get('/discovery/fetch', { appid: app, env: 'dev' })
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(-400)
    expect(r.body.ttl).toBe(1)
  })

  it('writes every timestamp as a 19-digit integer of nanoseconds near the wall clock (item 7)', async () => {
    const app = nextApp()
    const before = BigInt(Date.now()) * 1_000_000n
    await d.register(app, 'h1')
    await d.register(app, 'h2', { metadata: '{"weight":"10"}' })
    const after = BigInt(Date.now()) * 1_000_000n
    const r = await d.fetch(app)
    const raw = [...r.text.matchAll(/"(\w+_timestamp)":([^,}\]]*)/g)]
    expect(raw.length).toBe(2 * 5 + 1)
    const slack = 5_000_000_000n
    for (const [, key, literal] of raw) {
      expect(literal, key).toMatch(/^\d{19}$/)
      const value = BigInt(literal ?? '')
      expect(value >= before - slack && value <= after + slack, `${key}=${literal}`).toBe(true)
    }
  })
})

describe('register', () => {
  it('refuses a register missing zone, env, appid or hostname with -400 (item 9)', async () => {
    const app = nextApp()
    for (const missing of ['zone', 'env', 'appid', 'hostname']) {
      const r = await d.register(app, 'h1', { [missing]: undefined })
      expect(r.status, missing).toBe(200)
      expect(r.body.code, missing).toBe(-400)
    }
    expect((await d.fetch(app)).text).toBe(FETCH_404)
  })

  it('refuses a register without addrs or with only an empty addrs with -400 (item 10)', async () => {
    const app = nextApp()
    expect((await d.register(app, 'h1', { addrs: undefined })).body.code).toBe(-400)
    const body = `addrs=&${encodeForm({ appid: app, env: 'dev', hostname: 'h1', status: 1, zone: 'sh001' })}`
    const empty = await d.postForm('/discovery/register', body)
    expect(empty.body.code).toBe(-400)
    expect((await d.fetch(app)).text).toBe(FETCH_404)
  })

  it('refuses a register with status missing or 0 with -400 (item 11)', async () => {
    const app = nextApp()
    expect((await d.register(app, 'h1', { status: undefined })).body.code).toBe(-400)
    expect((await d.register(app, 'h1', { status: 0 })).body.code).toBe(-400)
    expect((await d.fetch(app)).text).toBe(FETCH_404)
  })

  it('refuses a register with status 3 with -400 and stores nothing (item 12)', async () => {
    const app = nextApp()
    const r = await d.register(app, 'h1', { status: 3 })
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(-400)
    expect(r.body.ttl).toBe(1)
    expect((await d.fetch(app)).text).toBe(FETCH_404)
  })

  it('refuses a register with metadata that is not JSON and stores nothing (item 13)', async () => {
    const app = nextApp()
    const r = await d.register(app, 'h1', { metadata: 'not-json' })
    expect(r.body.code).toBe(-400)
    expect((await d.fetch(app)).text).toBe(FETCH_404)
  })

  it('stores string metadata as given (item 14)', async () => {
    const app = nextApp()
    expect((await d.register(app, 'h1', { metadata: '{"weight":"10"}' })).text).toBe(OK)
    const r = await d.fetch(app)
    expect(r.text).toContain('"metadata":{"weight":"10"}')
  })

  it('shows missing metadata as {} in fetch and as null in fetch/all (item 15)', async () => {
    const app = nextApp()
    expect((await d.register(app, 'h1')).text).toBe(OK)
    const f = await d.fetch(app)
    expect(f.text).toContain('"metadata":{}')
    expect(instancesOf(f.body.data)[0]?.metadata).toEqual({})
    const all = await d.fetchAll()
    expect(all.body.code).toBe(0)
    const mine = all.body.data[app]
    expect(mine).toHaveLength(1)
    expect(mine[0].hostname).toBe('h1')
    expect(mine[0].metadata).toBeNull()
  })

  it('stores a non-string metadata value as an empty string (item 16)', async () => {
    const app = nextApp()
    expect((await d.register(app, 'h1', { metadata: '{"weight":10}' })).body.code).toBe(0)
    const r = await d.fetch(app)
    expect(r.text).toContain('"metadata":{"weight":""}')
  })

  it('keeps repeated addrs in the order sent (item 17)', async () => {
    const app = nextApp()
    await d.register(app, 'h1', { addrs: ['grpc://a:1', 'http://a:2'] })
    const r = await d.fetch(app)
    expect(instancesOf(r.body.data)[0]?.addrs).toEqual(['grpc://a:1', 'http://a:2'])
  })

  it('also splits addrs values on commas (server choice, §6.4)', async () => {
    const app = nextApp()
    expect((await d.register(app, 'h1', { addrs: 'grpc://a:1,http://a:2' })).body.code).toBe(0)
    const r = await d.fetch(app)
    expect(instancesOf(r.body.data)[0]?.addrs).toEqual(['grpc://a:1', 'http://a:2'])
  })

  it('emits instance objects with exactly the reference keys in order, no color (item 18)', async () => {
    const app = nextApp()
    await d.register(app, 'h1', { color: 'red', metadata: '{"weight":"10"}' })
    const r = await d.fetch(app)
    const instance = instancesOf(r.body.data)[0]
    expect(Object.keys(instance)).toEqual([...INSTANCE_KEYS])
    expect(r.text).not.toContain('color')
    expect(Object.keys(r.body.data)).toEqual(['instances', 'latest_timestamp'])
  })

  it('replaces an instance on re-register, keeping up_timestamp and advancing the counter (item 19)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const first = await d.fetch(app)
    const before = instancesOf(first.body.data)[0]
    await d.register(app, 'h1', { addrs: 'grpc://10.0.0.2:9000' })
    const second = await d.fetch(app)
    const instances = instancesOf(second.body.data)
    expect(instances).toHaveLength(1)
    expect(instances[0].addrs).toEqual(['grpc://10.0.0.2:9000'])
    expect(ts(instances[0].up_timestamp)).toBe(ts(before.up_timestamp))
    expect(ts(instances[0].reg_timestamp) > ts(before.reg_timestamp)).toBe(true)
    expect(BigInt(latestDigits(second.text)) > BigInt(latestDigits(first.text))).toBe(true)
  })

  it('keeps the stored instance when a register carries an older dirty_timestamp (item 20)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const r = await d.register(app, 'h1', { addrs: 'grpc://10.0.0.2:9000', dirty_timestamp: 1 })
    expect(r.text).toBe(OK)
    const f = await d.fetch(app)
    expect(instancesOf(f.body.data).map((i) => i.addrs)).toEqual([[ADDR]])
  })

  it('groups instances by zone and filters by zone (item 21)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    await d.register(app, 'h2', { zone: 'sh002' })
    const all = await d.fetch(app)
    expect(Object.keys(all.body.data.instances).sort()).toEqual(['sh001', 'sh002'])
    expect(all.body.data.instances.sh001.map((i: { hostname: string }) => i.hostname)).toEqual([
      'h1',
    ])
    expect(all.body.data.instances.sh002.map((i: { hostname: string }) => i.hostname)).toEqual([
      'h2',
    ])
    const sh002 = await d.fetch(app, { zone: 'sh002' })
    expect(Object.keys(sh002.body.data.instances)).toEqual(['sh002'])
    expect(sh002.body.data.instances.sh002[0].hostname).toBe('h2')
  })

  it('isolates envs (item 22)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    expect((await d.fetch(app)).body.code).toBe(0)
    expect((await d.fetch(app, { env: 'prod' })).text).toBe(FETCH_404)
  })

  it('refuses writes to the reserved appid infra.discovery with -400 (server choice)', async () => {
    const infra = 'infra.discovery'
    expect((await d.register(infra, 'rogue')).body.code).toBe(-400)
    expect((await d.renew(infra, registry.host)).body.code).toBe(-400)
    expect((await d.cancel(infra, registry.host)).body.code).toBe(-400)
    expect((await d.set(infra, { hostname: registry.host, status: 2 })).body.code).toBe(-400)
    const f = await d.fetch(infra)
    expect(instancesOf(f.body.data).map((i) => [i.hostname, i.status])).toEqual([
      [registry.host, 1],
    ])
  })
})

describe('renew', () => {
  it('renews an instance without changing the application counter (item 23)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const before = await d.fetch(app)
    const previous = ts(instancesOf(before.body.data)[0].renew_timestamp)
    const r = await d.renew(app, 'h1')
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(0)
    expect(r.body.message).toBe('0')
    expect(r.body.ttl).toBe(1)
    expect(r.body.data.hostname).toBe('h1')
    expect(Object.keys(r.body.data)).toEqual([...INSTANCE_KEYS])
    expect(ts(r.body.data.renew_timestamp) > previous).toBe(true)
    const after = await d.fetch(app)
    expect(latestDigits(after.text)).toBe(latestDigits(before.text))
    expect(ts(instancesOf(after.body.data)[0].renew_timestamp)).toBe(
      ts(r.body.data.renew_timestamp)
    )
  })

  it('answers -404 to a renew of an unknown hostname in a known zone (item 24)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const r = await d.renew(app, 'h9')
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(-404)
  })

  it('answers a renew of an unknown appid with the -404 envelope and data null (item 25)', async () => {
    const r = await d.renew(nextApp(), 'h1')
    expect(r.text).toBe(FETCH_404)
  })

  it('refuses a renew without hostname with -400 (item 26)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const r = await d.renew(app, 'h1', { hostname: undefined })
    expect(r.body.code).toBe(-400)
  })

  describe('replication renews compare dirty_timestamp', () => {
    const app = nextApp()
    let stored = 0n

    beforeAll(async () => {
      await d.register(app, 'h1')
      stored = ts(instancesOf((await d.fetch(app)).body.data)[0].dirty_timestamp)
    })

    it('answers -409 with our instance when the caller is older (item 27)', async () => {
      const r = await d.renew(app, 'h1', { dirty_timestamp: 1, replication: 'true' })
      expect(r.body.code).toBe(-409)
      expect(r.body.data.hostname).toBe('h1')
      expect(ts(r.body.data.dirty_timestamp)).toBe(stored)
    })

    it('answers -404 with our instance when the caller is newer (item 28)', async () => {
      const r = await d.renew(app, 'h1', {
        dirty_timestamp: (stored + 1n).toString(),
        replication: 'true',
      })
      expect(r.body.code).toBe(-404)
      expect(r.body.data.hostname).toBe('h1')
      expect(ts(r.body.data.dirty_timestamp)).toBe(stored)
    })

    it('answers 0 when the dirty timestamps are equal (item 29)', async () => {
      const r = await d.renew(app, 'h1', {
        dirty_timestamp: stored.toString(),
        replication: 'true',
      })
      expect(r.body.code).toBe(0)
      expect(ts(r.body.data.dirty_timestamp)).toBe(stored)
    })
  })
})

describe('cancel', () => {
  it('cancels the only instance and the application disappears (item 30)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const r = await d.cancel(app, 'h1')
    expect(r.status).toBe(200)
    expect(r.text).toBe(OK)
    expect((await d.fetch(app)).text).toBe(FETCH_404)
  })

  it('answers a second cancel with -404 and no data (item 31)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    expect((await d.cancel(app, 'h1')).text).toBe(OK)
    const again = await d.cancel(app, 'h1')
    expect(again.status).toBe(200)
    expect(again.text).toBe('{"code":-404,"message":"-404","ttl":1}')
  })

  it('cancels one of two instances and advances the counter (item 32)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    await d.register(app, 'h2')
    const before = latestDigits((await d.fetch(app)).text)
    expect((await d.cancel(app, 'h2')).text).toBe(OK)
    const after = await d.fetch(app)
    expect(instancesOf(after.body.data).map((i) => i.hostname)).toEqual(['h1'])
    expect(BigInt(latestDigits(after.text)) > BigInt(before)).toBe(true)
  })
})
