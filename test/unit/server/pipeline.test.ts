/**
 * The Worker's HTTP pipeline in Node (createApp + fake namespaces): path cleaning, the
 * reference's 404/405, envelopes and content types, -400 messages that name the field, the
 * -500 guard, and routes that fail closed when no access was established.
 */
import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AppEnv } from '../../../src/server/app-env.ts'
import { parseConfig } from '../../../src/server/config.ts'
import { serverError } from '../../../src/server/middleware/server-error.ts'
import { readRoutes } from '../../../src/server/routes/read.ts'
import { fakeBindings } from '../../support/fake-namespace.ts'
import { KEYS } from '../../support/token-keys.ts'
import { BASE, HOST, testApp } from './test-app.ts'

const OK = '{"code":0,"message":"0","ttl":1}'
const FETCH_404 = '{"code":-404,"message":"-404","ttl":1,"data":null}'
const instance = (appid: string, hostname: string) => ({
  addrs: 'grpc://10.0.0.1:9000',
  appid,
  env: 'dev',
  hostname,
  status: 1,
  zone: 'sh001',
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe('routing', () => {
  it('answers 404 "404 page not found" as text for an unknown path, whatever the method', async () => {
    const { call } = testApp()
    for (const method of ['GET', 'POST', 'HEAD', 'OPTIONS']) {
      const r = await call('/discovery/nope', { method })
      expect(r.status, method).toBe(404)
      expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8')
      if (method !== 'HEAD') expect(r.text).toBe('404 page not found')
    }
    // `/` is the console's (console.test.ts)
    for (const path of [
      '/index.html',
      '/discovery',
      '/discovery/',
      '/discovery/fetch/',
      '/discovery/fetch/all/',
      '/DISCOVERY/FETCH',
    ]) {
      expect((await call(path)).status, path).toBe(404)
    }
  })

  it('answers 405 "Method Not Allowed" as text for a known path with another method, HEAD included', async () => {
    const { call } = testApp()
    const get = await call('/discovery/register')
    expect([get.status, get.text, get.headers.get('content-type')]).toEqual([
      405,
      'Method Not Allowed',
      'text/plain; charset=utf-8',
    ])
    const post = await call('/discovery/fetch', { form: { appid: 'x', env: 'dev', status: 1 } })
    expect([post.status, post.text]).toEqual([405, 'Method Not Allowed'])
    for (const method of ['HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of [
        '/discovery/fetch',
        '/discovery/nodes',
        '/discovery/register',
        '/discovery/polls',
      ]) {
        expect((await call(path, { method })).status, `${method} ${path}`).toBe(405)
      }
    }
  })

  it('routes on the decoded path with // collapsed and . and .. resolved, as Go does', async () => {
    const { call } = testApp()
    expect((await call('/discovery/%66etch?appid=none&env=dev&status=1')).text).toBe(FETCH_404)
    expect((await call('/discovery/fetch%2Fall')).code).toBe('0')
    expect((await call('//discovery//fetch?appid=none&env=dev&status=1')).text).toBe(FETCH_404)
    expect((await call('/discovery/./x/../fetch?appid=none&env=dev&status=1')).text).toBe(FETCH_404)
    expect((await call('/discovery/%zz')).status).toBe(404)
    expect((await call('/discovery/fetch%zz')).status).toBe(404)
    expect((await call('/discovery/fetch%00')).status).toBe(404)
  })

  it('answers mangled paths as the reference router does', async () => {
    const { call } = testApp()
    const query = '?appid=none&env=dev&status=1'
    const cases: [string, number, string?][] = [
      ['/discovery/fetch/', 404],
      ['/DISCOVERY/FETCH', 404],
      ['/discovery//fetch', 200, FETCH_404],
      ['//discovery/fetch', 200, FETCH_404],
      ['/discovery/./fetch', 200, FETCH_404],
      ['/discovery/x/../fetch', 200, FETCH_404],
      ['/discovery/fetch/all/extra', 404],
      ['/discovery/fetch;x=1', 404],
      ['/discovery/%fetch', 404],
      ['/fetch', 404],
      ['/discovery/fetch%2Fall/', 404],
    ]
    for (const [path, status, text] of cases) {
      const r = await call(`${path}${query}`)
      expect(r.status, path).toBe(status)
      if (text !== undefined) expect(r.text, path).toBe(text)
    }
    expect((await call('/discovery//register', { form: instance('demo.m', 'h1') })).text).toBe(OK)
    expect((await call('/discovery//register')).status).toBe(405)
  })

  it('takes a /t/<token> prefix off the path, also with auth off', async () => {
    const { call } = testApp()
    expect((await call('/t/anything/discovery/fetch?appid=none&env=dev&status=1')).text).toBe(
      FETCH_404
    )
    expect((await call('/t/anything/discovery/nope')).status).toBe(404)
    expect((await call('/t//discovery/nodes')).status).toBe(404)
  })
})

describe('envelopes', () => {
  it('answers protocol outcomes with HTTP 200 and a JSON envelope', async () => {
    const { call } = testApp()
    const register = await call('/discovery/register', { form: instance('demo.a', 'h1') })
    expect([register.status, register.text, register.headers.get('content-type')]).toEqual([
      200,
      OK,
      'application/json; charset=utf-8',
    ])
    const fetched = await call('/discovery/fetch?appid=demo.a&env=dev&status=1')
    expect(fetched.text).toMatch(
      /^\{"code":0,"message":"0","ttl":1,"data":\{"instances":\{"sh001":\[\{"region":"","zone":"sh001"/
    )
    expect((await call('/discovery/fetch?appid=none&env=dev&status=1')).text).toBe(FETCH_404)
    const nodes = await call('/discovery/nodes')
    expect(nodes.text).toBe(
      `{"code":0,"message":"0","ttl":1,"data":[{"addr":"${HOST}","status":0,"zone":"sh001"}]}`
    )
  })

  it('refuses invalid requests with -400 and a message that names the field', async () => {
    const { call } = testApp()
    const noStatus = await call('/discovery/fetch?appid=demo.a&env=dev')
    expect([noStatus.status, noStatus.text]).toEqual([
      200,
      '{"code":-400,"message":"status: required (a bit mask: 1 = UP, 2 = WAITING, 3 = both)","ttl":1}',
    ])
    const noHostname = await call('/discovery/register', {
      form: { ...instance('demo.a', 'h1'), hostname: undefined },
    })
    expect(noHostname.text).toBe('{"code":-400,"message":"hostname: required","ttl":1}')
    const badCursor = await call('/discovery/register', {
      form: { ...instance('demo.a', 'h1'), latest_timestamp: '1e18' },
    })
    expect(badCursor.text).toBe(
      '{"code":-400,"message":"latest_timestamp: not an int64: \\"1e18\\"","ttl":1}'
    )
    expect((await call('/discovery/fetch?appid=demo.a&env=dev&status=1')).text).toBe(FETCH_404)
    const poll = await call('/discovery/poll?appid=demo.a&env=dev&latest_timestamp=0')
    expect(poll.text).toBe('{"code":-400,"message":"hostname: required","ttl":1}')
    const polls = await call(
      '/discovery/polls?appid=a&appid=b&env=dev&hostname=c&latest_timestamp=0'
    )
    expect(polls.text).toBe(
      '{"code":-400,"message":"latest_timestamp: expected one per appid (2 appid, 1 latest_timestamp)","ttl":1}'
    )
    const history = await call('/discovery/history?env=dev')
    expect(history.text).toBe('{"code":-400,"message":"appid: required","ttl":1}')
  })

  it('refuses writes to the reserved appid infra.discovery with -400', async () => {
    const { call } = testApp()
    for (const path of ['register', 'renew', 'cancel', 'set']) {
      const r = await call(`/discovery/${path}`, { form: instance('infra.discovery', 'rogue') })
      expect(r.text, path).toBe(
        `{"code":-400,"message":"appid: infra.discovery is reserved: it describes this registry's own nodes","ttl":1}`
      )
    }
  })

  it('reserves infra.discovery in every case and whitespace variant, and stores nothing', async () => {
    const { call } = testApp()
    for (const appid of [
      ' Infra.Discovery ',
      'INFRA.DISCOVERY',
      'infra.discovery\u00a0',
      'ｉｎｆｒａ.discovery',
      'infra.\u200bdiscovery',
    ]) {
      for (const path of ['register', 'renew', 'cancel', 'set']) {
        const r = await call(`/discovery/${path}`, { form: instance(appid, 'rogue') })
        expect(r.text, `${path} ${JSON.stringify(appid)}`).toMatch(
          /^\{"code":-400,"message":"appid: .* is reserved/
        )
      }
      const fetched = await call(
        `/discovery/fetch?appid=${encodeURIComponent(appid)}&env=dev&status=3`
      )
      expect(fetched.text).toBe(FETCH_404)
    }
  })

  it('refuses a body over the limit with -400 naming the body', async () => {
    const { call } = testApp()
    const r = await call('/discovery/register', {
      form: { ...instance('demo.a', 'h1'), pad: 'x'.repeat(70_000) },
    })
    expect(r.text).toBe('{"code":-400,"message":"body: larger than 65536 bytes","ttl":1}')
  })

  it('answers polls of infra.discovery at cursor 0 at once, with this node', async () => {
    const { call } = testApp()
    const r = await call(
      '/discovery/polls?appid=infra.discovery&latest_timestamp=0&env=dev&hostname=c'
    )
    expect(r.text).toMatch(/^\{"code":0,"data":\{"infra.discovery":\{"instances":\{"sh001":\[\{/)
    expect(r.text).toContain(`"addrs":["http://${HOST}"]`)
  })
})

describe('the -500 guard', () => {
  it('answers anything thrown with the -500 envelope, HTTP 200, and logs it as JSON', async () => {
    const { call, env } = testApp()
    const stub = env.REGISTRY.getByName('dev/demo.a')
    vi.spyOn(stub, 'snapshot').mockRejectedValue(new Error('object reset'))
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const r = await call('/discovery/fetch?appid=demo.a&env=dev&status=1')
    expect([r.status, r.text]).toEqual([200, '{"code":-500,"message":"-500","ttl":1}'])
    expect(log).toHaveBeenCalledOnce()
    const logged = JSON.parse(String(log.mock.calls[0]?.[0]))
    expect(logged).toMatchObject({
      op: 'request',
      method: 'GET',
      path: '/discovery/fetch',
      error: 'Error: object reset',
    })
  })

  it('guards the middleware too: a rate limiter that throws is a -500', async () => {
    const limiter: RateLimit = { limit: async () => Promise.reject(new Error('limiter down')) }
    const { call } = testApp({ AUTH: 'tokens', TOKEN_KEYS: KEYS }, { address: limiter })
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const r = await call('/discovery/nodes')
    expect([r.status, r.text]).toEqual([200, '{"code":-500,"message":"-500","ttl":1}'])
  })
})

describe('routes without access middleware', () => {
  it('fail closed: -500, never the data', async () => {
    const app = new Hono<AppEnv>().route('/', readRoutes(parseConfig({ AUTH: 'off' })))
    app.onError(serverError())
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const r = await app.request(`${BASE}/discovery/nodes`, {}, fakeBindings())
    expect([r.status, await r.text()]).toEqual([200, '{"code":-500,"message":"-500","ttl":1}'])
  })
})
