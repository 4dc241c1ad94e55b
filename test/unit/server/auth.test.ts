/**
 * Auth over HTTP, in Node (docs/security.md): every refusal path, cross-app and cross-env
 * attempts, expired, tampered, wrong-key and revoked tokens, key rotation, the credential forms
 * header-less clients use (path and Basic), public reads, admin for fetch/all and history, rate
 * limits with fake limiters, and a generated stream of forged credentials that never yields a
 * 5xx or a change. test/e2e/auth.test.ts keeps what needs the real worker and objects.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { mintToken, type Scope } from '../../../src/auth/token.ts'
import { encodeForm } from '../../../src/protocol/form.ts'
import { parseConfig } from '../../../src/server/config.ts'
import { limitersFor } from '../../../src/server/rate-limits.ts'
import { K1, K2, KEYS } from '../../support/token-keys.ts'
import { countingLimiter, HOST, testApp } from './test-app.ts'

const VARS = { AUTH: 'tokens', TOKEN_KEYS: KEYS, REVOKED_TOKENS: 'gone' }

const token = (
  scopes: Scope[],
  apps: string[],
  envs: string[] = ['dev'],
  over: { ttl?: number; tid?: string; key?: typeof K1 } = {}
) =>
  mintToken(
    {
      tid: over.tid ?? `t-${scopes.join('-')}`,
      scopes,
      apps,
      envs,
      exp: Math.floor(Date.now() / 1000) + (over.ttl ?? 600),
    },
    over.key ?? K1
  )

const instance = (appid: string, hostname: string, env = 'dev') => ({
  addrs: 'grpc://10.0.0.1:9000',
  appid,
  env,
  hostname,
  status: 1,
  zone: 'sh001',
})

const ROUTES = [
  'register',
  'renew',
  'cancel',
  'set',
  'fetch',
  'fetchs',
  'fetch/all',
  'poll',
  'polls',
  'nodes',
  'history',
]
const WRITES = ['register', 'renew', 'cancel', 'set']

let admin: string
let writer: string
let reader: string

beforeAll(async () => {
  admin = await token(['admin'], ['*'], ['*'])
  writer = await token(['write'], ['demo.*'])
  reader = await token(['read'], ['demo.*'])
})

/** An app with auth on and demo.a/h1 registered; `everything` is fetch/all as an admin sees it. */
async function registry(vars: Record<string, string> = {}) {
  const built = testApp({ ...VARS, ...vars })
  expect(
    (await built.call('/discovery/register', { token: writer, form: instance('demo.a', 'h1') }))
      .code
  ).toBe('0')
  const everything = async () => (await built.call('/discovery/fetch/all', { token: admin })).text
  return { ...built, everything }
}

describe('a registry with auth on and no key', () => {
  it('refuses every route with 401 and says what to set', async () => {
    const { call } = testApp({ AUTH: 'tokens', TOKEN_KEYS: '' })
    for (const path of ROUTES) {
      const r = await call(
        `/discovery/${path}`,
        WRITES.includes(path) ? { form: instance('demo.a', 'h1') } : {}
      )
      expect(r.status, path).toBe(401)
      expect(r.code).toBe('-401')
      expect(r.text).toContain('TOKEN_KEYS')
    }
  })

  it('refuses before any rate limit is counted', async () => {
    const address = countingLimiter(0)
    const { call } = testApp({ AUTH: 'tokens', TOKEN_KEYS: '' }, { address })
    expect((await call('/discovery/nodes')).status).toBe(401)
  })
})

describe('scopes', () => {
  it('refuses a request without a token with 401 and changes nothing', async () => {
    const { call, everything } = await registry()
    const before = await everything()
    const valid = [
      'fetch?appid=demo.a&env=dev&status=1',
      'polls?appid=demo.a&env=dev&hostname=c&latest_timestamp=0',
    ]
    for (const path of [
      ...WRITES,
      'fetch/all',
      'nodes',
      'history?appid=demo.a&env=dev',
      ...valid,
    ]) {
      const r = await call(
        `/discovery/${path}`,
        WRITES.includes(path) ? { form: instance('demo.a', 'h9') } : {}
      )
      expect(r.status, path).toBe(401)
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="discovery"')
      expect(r.text).toMatch(/^\{"code":-401,"message":"a token is required/)
    }
    expect(await everything()).toBe(before)
  })

  it('refuses writes to another app or env with 403 naming the scope, app or env', async () => {
    const { call, everything } = await registry()
    const before = await everything()
    const otherApp = await call('/discovery/register', {
      token: writer,
      form: instance('payments.api', 'h1'),
    })
    expect([otherApp.status, otherApp.text]).toEqual([
      403,
      '{"code":-403,"message":"token t-write lacks scope write on appid payments.api","ttl":1}',
    ])
    const otherEnv = await call('/discovery/cancel', {
      token: writer,
      form: instance('demo.a', 'h1', 'prod'),
    })
    expect(otherEnv.text).toContain('lacks scope write on env prod')
    const readOnly = await call('/discovery/set', {
      token: reader,
      form: { ...instance('demo.a', 'h1'), status: 2 },
    })
    expect(readOnly.text).toContain('lacks scope write (it has read)')
    const renew = await call('/discovery/renew', { token: reader, form: instance('demo.a', 'h1') })
    expect(renew.status).toBe(403)
    expect(await everything()).toBe(before)
  })

  it('needs read on every appid of a fetchs or polls, but any token may read infra.discovery', async () => {
    const { call } = await registry()
    const writeOnly = await call('/discovery/fetch?appid=demo.a&env=dev&status=1', {
      token: writer,
    })
    expect(writeOnly.status).toBe(403)
    const mixed = await call('/discovery/fetchs?appid=demo.a&appid=payments.api&env=dev&status=1', {
      token: reader,
    })
    expect(mixed.text).toContain('lacks scope read on appid payments.api')
    const pollOther = await call(
      '/discovery/poll?appid=payments.api&latest_timestamp=0&env=dev&hostname=c',
      { token: reader }
    )
    expect(pollOther.text).toContain('lacks scope read on appid payments.api')
    const polls = await call(
      '/discovery/polls?appid=demo.a&appid=infra.discovery&latest_timestamp=0&latest_timestamp=0&env=dev&hostname=c',
      { token: reader }
    )
    expect(polls.code).toBe('0')
    const infraOnly = await call(
      '/discovery/polls?appid=infra.discovery&latest_timestamp=0&env=dev&hostname=c',
      { token: writer }
    )
    expect(infraOnly.code).toBe('0')
    const infraFetch = await call('/discovery/fetch?appid=infra.discovery&env=dev&status=1', {
      token: writer,
    })
    expect(infraFetch.code).toBe('0')
    expect(
      (await call('/discovery/fetch?appid=demo.a&env=dev&status=1', { token: reader })).code
    ).toBe('0')
  })

  it('gives fetch/all only to admin, limited to the apps the token covers', async () => {
    const { call } = await registry()
    expect((await call('/discovery/fetch/all', { token: reader })).text).toContain(
      'lacks scope admin'
    )
    const other = await token(['write'], ['payments.*'], ['dev'], { tid: 'pay-writer' })
    expect(
      (await call('/discovery/register', { token: other, form: instance('payments.api', 'p1') }))
        .code
    ).toBe('0')
    const demoAdmin = await token(['admin'], ['demo.*'], ['*'], { tid: 'demo-admin' })
    const all = (await call('/discovery/fetch/all', { token: demoAdmin })).text
    expect(all).toContain('"demo.a":[')
    expect(all).toContain('"infra.discovery":[')
    expect(all).not.toContain('payments.api')
    expect((await call('/discovery/fetch/all', { token: admin })).text).toContain(
      '"payments.api":['
    )
  })

  it('gives history only to admin on the app, and records the token id of each write, never the token', async () => {
    const { call } = await registry()
    const w = await token(['write'], ['demo.h'], ['dev'], { tid: 'history-writer' })
    await call('/discovery/register', { token: w, form: instance('demo.h', 'h1') })
    await call('/discovery/cancel', { token: w, form: instance('demo.h', 'h1') })
    const r = await call('/discovery/history?appid=demo.h&env=dev', { token: admin })
    expect(r.text).toMatch(
      /"op":"cancel","zone":"sh001","hostname":"h1","actor":"token:history-writer"\}.*"op":"register"/
    )
    expect(r.text).not.toContain(w)
    expect((await call('/discovery/history?appid=demo.h&env=dev', { token: reader })).status).toBe(
      403
    )
    const otherAdmin = await token(['admin'], ['payments.*'], ['*'], { tid: 'pay-admin' })
    const denied = await call('/discovery/history?appid=demo.h&env=dev', { token: otherAdmin })
    expect(denied.text).toBe(
      '{"code":-403,"message":"token pay-admin lacks scope admin on appid demo.h","ttl":1}'
    )
  })

  it('records writes as auth-off when auth is off', async () => {
    const { call } = testApp()
    await call('/discovery/register', { form: instance('demo.o', 'h1') })
    expect((await call('/discovery/history?appid=demo.o&env=dev')).text).toContain(
      '"actor":"auth-off"'
    )
  })
})

describe('token checks', () => {
  it('refuses expired, tampered, unknown-key and revoked tokens with 401', async () => {
    const { call } = await registry()
    const expired = await token(['read'], ['demo.*'], ['dev'], { ttl: -1 })
    const [p, kid, claims, sig] = reader.split('.')
    const tampered = `${p}.${kid}.${claims}x.${sig}`
    const unknownKey = await token(['read'], ['demo.*'], ['dev'], {
      key: { kid: 'k9', secret: 'some-other-secret-0123456789-abcdefgh' },
    })
    const wrongSecret = await token(['read'], ['demo.*'], ['dev'], {
      key: { kid: 'k1', secret: 'some-other-secret-0123456789-abcdefgh' },
    })
    const revoked = await token(['read'], ['demo.*'], ['dev'], { tid: 'gone' })
    const cases: [string, string][] = [
      [expired, 'expired'],
      [tampered, 'bad signature'],
      [unknownKey, 'unknown key'],
      [wrongSecret, 'bad signature'],
      [revoked, 'revoked'],
    ]
    for (const [bad, problem] of cases) {
      const r = await call('/discovery/fetch?appid=demo.a&env=dev&status=1', { token: bad })
      expect([r.status, r.text]).toEqual([
        401,
        `{"code":-401,"message":"token refused: ${problem}","ttl":1}`,
      ])
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="discovery"')
    }
  })

  it('accepts tokens of both keys during a rotation, and refuses the old key once it is removed', async () => {
    const { call } = await registry()
    const old = await token(['read'], ['demo.*'], ['dev'], { key: K1 })
    const fresh = await token(['read'], ['demo.*'], ['dev'], { key: K2 })
    expect((await call('/discovery/nodes', { token: old })).code).toBe('0')
    expect((await call('/discovery/nodes', { token: fresh })).code).toBe('0')
    const rotated = testApp({ AUTH: 'tokens', TOKEN_KEYS: `${K2.kid}:${K2.secret}` })
    expect((await rotated.call('/discovery/nodes', { token: fresh })).code).toBe('0')
    expect((await rotated.call('/discovery/nodes', { token: old })).text).toContain('unknown key')
  })

  it('refuses an Authorization header of another scheme, or Basic that is not base64', async () => {
    const { call } = await registry()
    const digest = await call('/discovery/nodes', { headers: { authorization: 'Digest abc' } })
    expect([digest.status, digest.text]).toEqual([
      401,
      '{"code":-401,"message":"Authorization must be \\"Bearer <token>\\" (or Basic with the token as user or password)","ttl":1}',
    ])
    const basic = await call('/discovery/nodes', { headers: { authorization: 'Basic !!!!' } })
    expect(basic.text).toBe(
      '{"code":-401,"message":"Authorization: Basic value is not base64 of user:password","ttl":1}'
    )
  })
})

describe('clients that cannot set headers', () => {
  it('authenticate with the token in the node address; nodes and infra.discovery keep it', async () => {
    const { call } = await registry()
    const register = await call(`/t/${writer}/discovery/register`, {
      form: instance('demo.go', 'go-1'),
    })
    expect(register.text).toBe('{"code":0,"message":"0","ttl":1}')
    const polls = await call(
      `/t/${reader}/discovery/polls?appid=infra.discovery&env=dev&hostname=go-1&latest_timestamp=0`
    )
    // infra.discovery must not offer a bare http:// node: the SDK would switch to it and lose the token
    expect(polls.text).toContain(`"addrs":["http+token://${HOST}"]`)
    const nodes = await call(`/t/${reader}/discovery/nodes`)
    expect(nodes.text).toContain(`"addr":"${HOST}/t/${reader}"`)
    expect(
      (await call(`/t/${reader}/discovery/fetch?appid=demo.go&env=dev&status=1`)).text
    ).toContain('"hostname":"go-1"')
    expect((await call(`/t/${reader}x/discovery/nodes`)).status).toBe(401)
  })

  it('authenticate with HTTP Basic, the token as user or password, which Go sends for a token@host:port node', async () => {
    const { call } = await registry()
    const basic = `Basic ${btoa(`${reader}:`)}`
    const r = await call('/discovery/fetch?appid=demo.a&env=dev&status=1', {
      headers: { authorization: basic },
    })
    expect(r.code).toBe('0')
    const nodes = await call('/discovery/nodes', { headers: { authorization: basic } })
    expect(nodes.text).toContain(`"addr":"${reader}@${HOST}"`)
    const asPassword = `Basic ${btoa(`user:${reader}`)}`
    expect(
      (
        await call('/discovery/fetch?appid=demo.a&env=dev&status=1', {
          headers: { authorization: asPassword },
        })
      ).code
    ).toBe('0')
    const infra = await call('/discovery/fetch?appid=infra.discovery&env=dev&status=1', {
      headers: { authorization: basic },
    })
    expect(infra.text).toContain(`"addrs":["http+token://${HOST}"]`)
  })

  it('offer bearer callers the bare http:// node', async () => {
    const { call } = await registry()
    const infra = await call('/discovery/fetch?appid=infra.discovery&env=dev&status=1', {
      token: reader,
    })
    expect(infra.text).toContain(`"addrs":["http://${HOST}"]`)
    expect((await call('/discovery/nodes', { token: reader })).text).toContain(`"addr":"${HOST}"`)
  })
})

describe('rate limits', () => {
  it('answers 429 with Retry-After once a token or an address exceeds its limit', async () => {
    const { call } = testApp(VARS, { token: countingLimiter(3), address: countingLimiter(6) })
    const a = await token(['read'], ['*'], ['*'], { tid: 'limited-a' })
    const b = await token(['read'], ['*'], ['*'], { tid: 'limited-b' })
    const codes = []
    for (let i = 0; i < 4; i++) codes.push((await call('/discovery/nodes', { token: a })).status)
    expect(codes).toEqual([200, 200, 200, 429])
    const refused = await call('/discovery/nodes', { token: a })
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(refused.text).toBe(
      '{"code":-429,"message":"rate limit exceeded for token limited-a","ttl":1}'
    )
    // another token still gets in until the address's 6 requests are used up
    expect((await call('/discovery/nodes', { token: b })).status).toBe(200)
    const address = await call('/discovery/nodes', { token: b })
    expect(address.text).toBe(
      '{"code":-429,"message":"rate limit exceeded for client address local","ttl":1}'
    )
  })

  it('counts addresses by cf-connecting-ip, before any token is checked', async () => {
    const { call } = testApp(VARS, { address: countingLimiter(1) })
    const from = (ip: string) => ({
      headers: { 'cf-connecting-ip': ip, authorization: 'Bearer forged' },
    })
    expect((await call('/discovery/nodes', from('10.0.0.1'))).status).toBe(401)
    expect((await call('/discovery/nodes', from('10.0.0.1'))).text).toContain(
      'rate limit exceeded for client address 10.0.0.1'
    )
    expect((await call('/discovery/nodes', from('10.0.0.2'))).status).toBe(401)
  })

  it('counts an IPv6 client by its /64, and IPv4 (plain or mapped) by its address', async () => {
    const { call } = testApp(VARS, { address: countingLimiter(1) })
    const status = async (ip: string) =>
      (await call('/discovery/nodes', { headers: { 'cf-connecting-ip': ip } })).status
    expect(await status('2001:db8:1:2::1')).toBe(401)
    // the same /64 written in other ways and with other host bits: one client
    expect(await status('2001:db8:1:2:ffff:0:0:2')).toBe(429)
    expect(await status('2001:0DB8:0001:0002::3')).toBe(429)
    const refused = await call('/discovery/nodes', {
      headers: { 'cf-connecting-ip': '2001:db8:1:2::9' },
    })
    expect(refused.text).toContain('rate limit exceeded for client address 2001:db8:1:2::/64')
    expect(await status('2001:db8:1:3::1')).toBe(401)
    expect(await status('192.0.2.7')).toBe(401)
    expect(await status('::ffff:192.0.2.7')).toBe(429)
    expect(await status('192.0.2.8')).toBe(401)
  })

  it('follows the variables: the limiter named after the limit, or off', async () => {
    const ladder = { RATE_LIMIT_60: countingLimiter(60), RATE_LIMIT_6000: countingLimiter(6000) }
    const vars = { ...VARS, RATE_LIMIT_PER_TOKEN: '60', RATE_LIMIT_PER_ADDRESS: 'off' }
    const { call } = testApp(vars, limitersFor(parseConfig(vars).auth, ladder))
    const t = await token(['read'], ['*'], ['*'], { tid: 'ladder' })
    const codes = []
    for (let i = 0; i < 61; i++) codes.push((await call('/discovery/nodes', { token: t })).status)
    expect(codes.slice(0, 60).every((c) => c === 200)).toBe(true)
    expect(codes[60]).toBe(429)
  })

  it('limits nothing with auth off', async () => {
    const { call } = testApp(
      { AUTH: 'off' },
      { token: countingLimiter(0), address: countingLimiter(0) }
    )
    expect((await call('/discovery/nodes')).status).toBe(200)
  })
})

describe('public reads', () => {
  it('lets anyone read when PUBLIC_READS is true, but never write', async () => {
    const { call } = await registry({ PUBLIC_READS: 'true' })
    expect((await call('/discovery/fetch?appid=demo.x&env=dev&status=1')).code).toBe('-404')
    expect((await call('/discovery/fetch?appid=demo.a&env=dev&status=1')).code).toBe('0')
    expect((await call('/discovery/nodes')).code).toBe('0')
    expect(
      (await call('/discovery/polls?appid=infra.discovery&latest_timestamp=0&env=dev&hostname=c'))
        .code
    ).toBe('0')
    expect((await call('/discovery/register', { form: instance('demo.a', 'h1') })).status).toBe(401)
    expect((await call('/discovery/fetch/all')).status).toBe(401)
    expect((await call('/discovery/history?appid=demo.a&env=dev')).status).toBe(401)
  })
})

describe('forged credentials', () => {
  it('never yield a 5xx or a change', async () => {
    const { app, env, everything } = await registry()
    const before = await everything()
    const [prefix, kid, claims, sig] = writer.split('.') as [string, string, string, string]
    const part = fc.oneof(
      fc.string(),
      fc.base64String(),
      fc.constantFrom(prefix, kid, claims, sig, '', '.', '%', '%zz')
    )
    const forged = fc
      .oneof(
        fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
        fc.tuple(part, part).map(([c, s]) => `${prefix}.${kid}.${c}.${s}`),
        fc.constantFrom(`${writer}x`, writer.slice(0, -2), writer.replace('k1', 'k2'))
      )
      .filter((t) => t !== writer) // the parts can reassemble the genuine token: that one is not forged
    const header = fc.oneof(
      forged.map((t) => `Bearer ${t}`),
      forged.map((t) => `Basic ${t}`),
      forged.map((t) => `Basic ${btoa(unescape(encodeURIComponent(`${t}:`)))}`),
      fc.string({ maxLength: 200 }),
      fc.constantFrom('Bearer', 'Basic', 'Digest abc', 'bearer  ', 'Basic !!!!')
    )
    await fc.assert(
      fc.asyncProperty(header, forged, fc.boolean(), async (authorization, pathToken, viaPath) => {
        const path = viaPath
          ? `/t/${encodeURIComponent(pathToken)}/discovery/register`
          : '/discovery/register'
        const headers: Record<string, string> = {
          'content-type': 'application/x-www-form-urlencoded',
        }
        if (!viaPath) headers.authorization = authorization.replace(/[\r\n\0]/g, '')
        let response: Response
        try {
          response = await app.request(
            `http://${HOST}${path}`,
            { method: 'POST', headers, body: encodeForm(instance('demo.a', 'forged')) },
            env
          )
        } catch (error) {
          // a header value that Request itself refuses never reaches the app
          expect(String(error)).toMatch(/header|Headers|invalid/i)
          return
        }
        const text = await response.text()
        expect(response.status).toBeLessThan(500)
        expect([401, 404]).toContain(response.status)
        if (response.status === 401) expect(text).toMatch(/^\{"code":-401,"message":"/)
      }),
      { numRuns: 300 }
    )
    expect(await everything()).toBe(before)
  })
})
