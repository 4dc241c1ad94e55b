/**
 * Auth end to end (README "Security"): every refusal path over HTTP, cross-app and cross-env
 * attempts, expired, tampered, wrong-key and revoked tokens, key rotation, the credential forms
 * header-less clients use (path and Basic, shaped as the Go SDK sends them), history records,
 * rate limits, and a generated stream of forged credentials that never yields a 5xx or a change.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { mintToken, type Scope } from '../../src/auth/token.ts'
import { encodeForm } from '../support/discovery-client.ts'

const K1 = { kid: 'k1', secret: 'first-secret-for-tests-0001' }
const K2 = { kid: 'k2', secret: 'second-secret-for-tests-0002' }
const KEYS = `${K1.kid}:${K1.secret},${K2.kid}:${K2.secret}`

const token = (scopes: Scope[], apps: string[], envs: string[] = ['dev'], over: { ttl?: number; tid?: string; key?: typeof K1 } = {}) =>
  mintToken(
    { tid: over.tid ?? `t-${scopes.join('-')}`, scopes, apps, envs, exp: Math.floor(Date.now() / 1000) + (over.ttl ?? 600) },
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

async function call(base: string, path: string, init: { token?: string; form?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token) headers.authorization = `Bearer ${init.token}`
  const response = init.form
    ? await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: encodeForm(init.form as never),
      })
    : await fetch(`${base}${path}`, { headers })
  const text = await response.text()
  return { status: response.status, text, headers: response.headers, code: /^\{"code":(-?\d+)/.exec(text)?.[1] }
}

let registry: LocalRegistry
let admin: string
let writer: string
let reader: string

/** Everything registered, as an admin sees it: the yardstick for "nothing changed". */
const everything = async () => (await call(registry.url, '/discovery/fetch/all', { token: admin })).text

beforeAll(async () => {
  registry = await startRegistry({ vars: { AUTH: 'tokens', TOKEN_KEYS: KEYS, POLL_HOLD_SECONDS: '1', REVOKED_TOKENS: 'gone' } })
  admin = await token(['admin'], ['*'], ['*'])
  writer = await token(['write'], ['demo.*'])
  reader = await token(['read'], ['demo.*'])
  expect((await call(registry.url, '/discovery/register', { token: writer, form: instance('demo.a', 'h1') })).code).toBe('0')
})
afterAll(() => registry.stop())

describe('a registry with auth on and no key', () => {
  it('refuses every route with 401 and says what to set', async () => {
    const closed = await startRegistry({ vars: { AUTH: 'tokens', TOKEN_KEYS: '' } })
    try {
      for (const path of ['register', 'renew', 'cancel', 'set', 'fetch', 'fetchs', 'fetch/all', 'poll', 'polls', 'nodes']) {
        const post = ['register', 'renew', 'cancel', 'set'].includes(path)
        const r = await call(closed.url, `/discovery/${path}`, post ? { form: instance('demo.a', 'h1') } : {})
        expect(r.status, path).toBe(401)
        expect(r.code).toBe('-401')
        expect(r.text).toContain('TOKEN_KEYS')
      }
    } finally {
      await closed.stop()
    }
  })
})

describe('scopes', () => {
  it('refuses a request without a token with 401 and changes nothing', async () => {
    const before = await everything()
    const r = await call(registry.url, '/discovery/register', { form: instance('demo.a', 'h9') })
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="discovery"')
    expect(r.text).toMatch(/^\{"code":-401,"message":"a token is required/)
    expect(await everything()).toBe(before)
  })

  it('refuses writes to another app or env with 403 naming the scope, app or env', async () => {
    const before = await everything()
    const otherApp = await call(registry.url, '/discovery/register', { token: writer, form: instance('payments.api', 'h1') })
    expect([otherApp.status, otherApp.text]).toEqual([403, '{"code":-403,"message":"token t-write lacks scope write on appid payments.api","ttl":1}'])
    const otherEnv = await call(registry.url, '/discovery/cancel', { token: writer, form: instance('demo.a', 'h1', 'prod') })
    expect(otherEnv.text).toContain('lacks scope write on env prod')
    const readOnly = await call(registry.url, '/discovery/set', { token: reader, form: { ...instance('demo.a', 'h1'), status: 2 } })
    expect(readOnly.text).toContain('lacks scope write (it has read)')
    expect(await everything()).toBe(before)
  })

  it('needs read on every appid of a fetchs or polls, but any token may read infra.discovery', async () => {
    const writeOnly = await call(registry.url, '/discovery/fetch?appid=demo.a&env=dev&status=1', { token: writer })
    expect(writeOnly.status).toBe(403)
    const mixed = await call(registry.url, '/discovery/fetchs?appid=demo.a&appid=payments.api&env=dev&status=1', { token: reader })
    expect(mixed.text).toContain('lacks scope read on appid payments.api')
    const polls = await call(registry.url, '/discovery/polls?appid=demo.a&appid=infra.discovery&latest_timestamp=0&latest_timestamp=0&env=dev&hostname=c', { token: reader })
    expect(polls.code).toBe('0')
    const infraOnly = await call(registry.url, '/discovery/polls?appid=infra.discovery&latest_timestamp=0&env=dev&hostname=c', { token: writer })
    expect(infraOnly.code).toBe('0')
  })

  it('gives fetch/all only to admin, limited to the apps the token covers', async () => {
    expect((await call(registry.url, '/discovery/fetch/all', { token: reader })).text).toContain('lacks scope admin')
    const other = await token(['write'], ['payments.*'], ['dev'], { tid: 'pay-writer' })
    expect((await call(registry.url, '/discovery/register', { token: other, form: instance('payments.api', 'p1') })).code).toBe('0')
    const demoAdmin = await token(['admin'], ['demo.*'], ['*'], { tid: 'demo-admin' })
    const all = (await call(registry.url, '/discovery/fetch/all', { token: demoAdmin })).text
    expect(all).toContain('"demo.a":[')
    expect(all).not.toContain('payments.api')
  })
})

describe('token checks', () => {
  it('refuses expired, tampered, unknown-key and revoked tokens with 401', async () => {
    const expired = await token(['read'], ['demo.*'], ['dev'], { ttl: -1 })
    const [p, kid, claims, sig] = reader.split('.')
    const tampered = `${p}.${kid}.${claims}x.${sig}`
    const unknownKey = await token(['read'], ['demo.*'], ['dev'], { key: { kid: 'k9', secret: 'some-other-secret-00000' } })
    const wrongSecret = await token(['read'], ['demo.*'], ['dev'], { key: { kid: 'k1', secret: 'some-other-secret-00000' } })
    const revoked = await token(['read'], ['demo.*'], ['dev'], { tid: 'gone' })
    const cases: [string, string][] = [
      [expired, 'expired'],
      [tampered, 'bad signature'],
      [unknownKey, 'unknown key'],
      [wrongSecret, 'bad signature'],
      [revoked, 'revoked'],
    ]
    for (const [bad, problem] of cases) {
      const r = await call(registry.url, '/discovery/fetch?appid=demo.a&env=dev&status=1', { token: bad })
      expect([r.status, r.text]).toEqual([401, `{"code":-401,"message":"token refused: ${problem}","ttl":1}`])
    }
  })

  it('accepts tokens of both keys during a rotation, and refuses the old key once it is removed', async () => {
    const old = await token(['read'], ['demo.*'], ['dev'], { key: K1 })
    const fresh = await token(['read'], ['demo.*'], ['dev'], { key: K2 })
    expect((await call(registry.url, '/discovery/nodes', { token: old })).code).toBe('0')
    expect((await call(registry.url, '/discovery/nodes', { token: fresh })).code).toBe('0')
    const rotated = await startRegistry({ vars: { AUTH: 'tokens', TOKEN_KEYS: `${K2.kid}:${K2.secret}` } })
    try {
      expect((await call(rotated.url, '/discovery/nodes', { token: fresh })).code).toBe('0')
      expect((await call(rotated.url, '/discovery/nodes', { token: old })).text).toContain('unknown key')
    } finally {
      await rotated.stop()
    }
  })
})

describe('clients that cannot set headers', () => {
  it('authenticate with the token in the node address, exactly as the Go SDK builds its URLs', async () => {
    // Go SDK: fmt.Sprintf("http://%s/discovery/register", node) with node = "host:port/t/<token>"
    const node = `${registry.host}/t/${writer}`
    const register = await fetch(`http://${node}/discovery/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'addrs=grpc%3A%2F%2F10.0.0.2%3A9000&appid=demo.go&env=dev&hostname=go-1&metadata=&region=sh&status=1&version=v1&zone=sh001',
    })
    expect(await register.text()).toBe('{"code":0,"message":"0","ttl":1}')
    const readerNode = `${registry.host}/t/${reader}`
    const polls = await (await fetch(`http://${readerNode}/discovery/polls?appid=demo.go&appid=infra.discovery&env=dev&hostname=go-1&latest_timestamp=0&latest_timestamp=0`)).text()
    expect(polls).toContain('"hostname":"go-1"')
    // infra.discovery must not offer a bare http:// node: the SDK would switch to it and lose the token
    expect(polls).toContain(`"addrs":["http+token://${registry.host}"]`)
    const nodes = await (await fetch(`http://${readerNode}/discovery/nodes`)).text()
    expect(nodes).toContain(`"addr":"${readerNode}"`)
  })

  it('authenticate with HTTP Basic, which Go sends for a token@host:port node', async () => {
    const basic = `Basic ${btoa(`${reader}:`)}`
    const r = await call(registry.url, '/discovery/fetch?appid=demo.a&env=dev&status=1', { headers: { authorization: basic } })
    expect(r.code).toBe('0')
    const nodes = await call(registry.url, '/discovery/nodes', { headers: { authorization: basic } })
    expect(nodes.text).toContain(`"addr":"${reader}@${registry.host}"`)
  })
})

describe('history', () => {
  it('records which token made each write, never the token itself', async () => {
    const tid = 'history-writer'
    const w = await token(['write'], ['demo.h'], ['dev'], { tid })
    await call(registry.url, '/discovery/register', { token: w, form: instance('demo.h', 'h1') })
    await call(registry.url, '/discovery/cancel', { token: w, form: instance('demo.h', 'h1') })
    const r = await call(registry.url, '/discovery/history?appid=demo.h&env=dev', { token: admin })
    expect(r.text).toMatch(/"op":"cancel","zone":"sh001","hostname":"h1","actor":"token:history-writer"\}.*"op":"register"/)
    expect(r.text).not.toContain(w)
    expect((await call(registry.url, '/discovery/history?appid=demo.h&env=dev', { token: reader })).status).toBe(403)
  })

  it('records a renew only when a token other than the registering one makes it', async () => {
    const owner = await token(['write'], ['demo.r'], ['dev'], { tid: 'owner' })
    const other = await token(['write'], ['demo.*'], ['dev'], { tid: 'other' })
    const renewBy = async (t: string) => (await call(registry.url, '/discovery/renew', { token: t, form: instance('demo.r', 'h1') })).code
    expect((await call(registry.url, '/discovery/register', { token: owner, form: instance('demo.r', 'h1') })).code).toBe('0')
    for (const t of [owner, owner, other, other, owner]) expect(await renewBy(t)).toBe('0')
    const set = { ...instance('demo.r', 'h1'), status: 2 }
    expect((await call(registry.url, '/discovery/set', { token: admin, form: set })).code).toBe('0')
    expect(await renewBy(owner)).toBe('0') // a set by an admin makes no stranger of the owner
    const r = await call(registry.url, '/discovery/history?appid=demo.r&env=dev', { token: admin })
    const ops = [...r.text.matchAll(/"op":"(\w+)","zone":"sh001","hostname":"h1","actor":"token:([\w-]+)"/g)].map((m) => `${m[1]} ${m[2]}`)
    expect(ops).toEqual(['set t-admin', 'renew other', 'register owner'])
  })
})

describe('rate limits', () => {
  it('answers 429 with Retry-After once a token or an address exceeds its limit', async () => {
    // the variables pick limiters by their limit; RATE_LIMIT_3 and _6 are added to the ladder
    const limited = await startRegistry({
      vars: { AUTH: 'tokens', TOKEN_KEYS: KEYS, RATE_LIMIT_PER_TOKEN: '3', RATE_LIMIT_PER_ADDRESS: '6' },
      ratelimits: { RATE_LIMIT_3: 3, RATE_LIMIT_6: 6 },
    })
    try {
      const a = await token(['read'], ['*'], ['*'], { tid: 'limited-a' })
      const b = await token(['read'], ['*'], ['*'], { tid: 'limited-b' })
      const codes = []
      for (let i = 0; i < 4; i++) codes.push((await call(limited.url, '/discovery/nodes', { token: a })).status)
      expect(codes).toEqual([200, 200, 200, 429])
      const refused = await call(limited.url, '/discovery/nodes', { token: a })
      expect(refused.headers.get('retry-after')).toBe('60')
      expect(refused.text).toBe('{"code":-429,"message":"rate limit exceeded for token limited-a","ttl":1}')
      // another token still gets in until the address's 6 requests are used up
      expect((await call(limited.url, '/discovery/nodes', { token: b })).status).toBe(200)
      expect((await call(limited.url, '/discovery/nodes', { token: b })).text).toContain('client address')
    } finally {
      await limited.stop()
    }
  })

  it('follows the variables: a limit from the wrangler.toml ladder, or off', async () => {
    const limited = await startRegistry({ vars: { AUTH: 'tokens', TOKEN_KEYS: KEYS, RATE_LIMIT_PER_TOKEN: '60', RATE_LIMIT_PER_ADDRESS: 'off' } })
    try {
      const t = await token(['read'], ['*'], ['*'], { tid: 'ladder' })
      const codes = []
      for (let i = 0; i < 61; i++) codes.push((await call(limited.url, '/discovery/nodes', { token: t })).status)
      expect(codes.slice(0, 60).every((c) => c === 200)).toBe(true)
      expect(codes[60]).toBe(429)
    } finally {
      await limited.stop()
    }
  })

  it('stops the worker at start-up when a limit has no limiter', async () => {
    const start = startRegistry({ vars: { AUTH: 'tokens', TOKEN_KEYS: KEYS, RATE_LIMIT_PER_TOKEN: '5000' } })
    await expect(start.then((r) => r.stop())).rejects.toThrow()
  })
})

describe('public reads', () => {
  it('lets anyone read when PUBLIC_READS is true, but never write', async () => {
    const open = await startRegistry({ vars: { AUTH: 'tokens', TOKEN_KEYS: KEYS, PUBLIC_READS: 'true' } })
    try {
      expect((await call(open.url, '/discovery/fetch?appid=demo.a&env=dev&status=1')).code).toBe('-404')
      expect((await call(open.url, '/discovery/register', { form: instance('demo.a', 'h1') })).status).toBe(401)
      expect((await call(open.url, '/discovery/fetch/all')).status).toBe(401)
    } finally {
      await open.stop()
    }
  })
})

describe('forged credentials', () => {
  it('never yield a 5xx or a change', async () => {
    const before = await everything()
    const [prefix, kid, claims, sig] = writer.split('.') as [string, string, string, string]
    const part = fc.oneof(fc.string(), fc.base64String(), fc.constantFrom(prefix, kid, claims, sig, '', '.', '%', '%zz'))
    const forged = fc.oneof(
      fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
      fc.tuple(part, part).map(([c, s]) => `${prefix}.${kid}.${c}.${s}`),
      fc.constantFrom(`${writer}x`, writer.slice(0, -2), writer.replace('k1', 'k2'))
    ).filter((t) => t !== writer) // the parts can reassemble the genuine token: that one is not forged
    const header = fc.oneof(
      forged.map((t) => `Bearer ${t}`),
      forged.map((t) => `Basic ${t}`),
      forged.map((t) => `Basic ${btoa(unescape(encodeURIComponent(`${t}:`)))}`),
      fc.string({ maxLength: 200 }),
      fc.constantFrom('Bearer', 'Basic', 'Digest abc', 'bearer  ', 'Basic !!!!')
    )
    await fc.assert(
      fc.asyncProperty(header, forged, fc.boolean(), async (authorization, pathToken, viaPath) => {
        const path = viaPath ? `/t/${encodeURIComponent(pathToken)}/discovery/register` : '/discovery/register'
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
        if (!viaPath) headers.authorization = authorization.replace(/[\r\n\0]/g, '')
        let status: number
        let text: string
        try {
          const r = await fetch(`${registry.url}${path}`, { method: 'POST', headers, body: encodeForm(instance('demo.a', 'forged') as never) })
          status = r.status
          text = await r.text()
        } catch (error) {
          // a header value that fetch itself refuses never reaches the server
          expect(String(error)).toMatch(/header|Headers|invalid/i)
          return
        }
        expect(status).toBeLessThan(500)
        expect([401, 404]).toContain(status)
        if (status === 401) expect(text).toMatch(/^\{"code":-401,"message":"/)
      }),
      { numRuns: 300 }
    )
    expect(await everything()).toBe(before)
  })
})
