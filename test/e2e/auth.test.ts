/**
 * Auth through the real worker and objects (docs/security.md): a smoke of Bearer tokens and
 * refusals, the path-token form exactly as the Go SDK sends it (with a real held poll), the
 * history the registry object records, the real rate-limiting bindings, and start-up refusal
 * of a limit without a limiter. Every other auth rule is tested in Node in
 * test/unit/server/auth.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { mintToken, type Scope } from '../../src/auth/token.ts'
import { encodeForm } from '../support/discovery-client.ts'
import { K1, KEYS } from '../support/token-keys.ts'

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

async function call(
  base: string,
  path: string,
  init: { token?: string; form?: Record<string, unknown>; headers?: Record<string, string> } = {}
) {
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
  return {
    status: response.status,
    text,
    headers: response.headers,
    code: /^\{"code":(-?\d+)/.exec(text)?.[1],
  }
}

let registry: LocalRegistry
let admin: string
let writer: string
let reader: string

/** Everything registered, as an admin sees it: the yardstick for "nothing changed". */
const everything = async () =>
  (await call(registry.url, '/discovery/fetch/all', { token: admin })).text

beforeAll(async () => {
  registry = await startRegistry({
    vars: { AUTH: 'tokens', TOKEN_KEYS: KEYS, POLL_HOLD_SECONDS: '1', REVOKED_TOKENS: 'gone' },
  })
  admin = await token(['admin'], ['*'], ['*'])
  writer = await token(['write'], ['demo.*'])
  reader = await token(['read'], ['demo.*'])
  expect(
    (
      await call(registry.url, '/discovery/register', {
        token: writer,
        form: instance('demo.a', 'h1'),
      })
    ).code
  ).toBe('0')
})
afterAll(() => registry.stop())

describe('scopes', () => {
  it('refuses a request without a token with 401 and changes nothing', async () => {
    const before = await everything()
    const r = await call(registry.url, '/discovery/register', { form: instance('demo.a', 'h9') })
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="discovery"')
    expect(r.text).toMatch(/^\{"code":-401,"message":"a token is required/)
    expect(await everything()).toBe(before)
  })

  it('refuses another app with 403 naming it', async () => {
    const otherApp = await call(registry.url, '/discovery/register', {
      token: writer,
      form: instance('payments.api', 'h1'),
    })
    expect([otherApp.status, otherApp.text]).toEqual([
      403,
      '{"code":-403,"message":"token t-write lacks scope write on appid payments.api","ttl":1}',
    ])
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
    const polls = await (
      await fetch(
        `http://${readerNode}/discovery/polls?appid=demo.go&appid=infra.discovery&env=dev&hostname=go-1&latest_timestamp=0&latest_timestamp=0`
      )
    ).text()
    expect(polls).toContain('"hostname":"go-1"')
    // infra.discovery must not offer a bare http:// node: the SDK would switch to it and lose the token
    expect(polls).toContain(`"addrs":["http+token://${registry.host}"]`)
    const nodes = await (await fetch(`http://${readerNode}/discovery/nodes`)).text()
    expect(nodes).toContain(`"addr":"${readerNode}"`)
  })
})

describe('history', () => {
  it('records which token made each write, never the token itself', async () => {
    const tid = 'history-writer'
    const w = await token(['write'], ['demo.h'], ['dev'], { tid })
    await call(registry.url, '/discovery/register', { token: w, form: instance('demo.h', 'h1') })
    await call(registry.url, '/discovery/cancel', { token: w, form: instance('demo.h', 'h1') })
    const r = await call(registry.url, '/discovery/history?appid=demo.h&env=dev', { token: admin })
    expect(r.text).toMatch(
      /"op":"cancel","zone":"sh001","hostname":"h1","actor":"token:history-writer"\}.*"op":"register"/
    )
    expect(r.text).not.toContain(w)
    expect(
      (await call(registry.url, '/discovery/history?appid=demo.h&env=dev', { token: reader }))
        .status
    ).toBe(403)
  })

  it('records a renew only when a token other than the registering one makes it', async () => {
    const owner = await token(['write'], ['demo.r'], ['dev'], { tid: 'owner' })
    const other = await token(['write'], ['demo.*'], ['dev'], { tid: 'other' })
    const renewBy = async (t: string) =>
      (await call(registry.url, '/discovery/renew', { token: t, form: instance('demo.r', 'h1') }))
        .code
    expect(
      (
        await call(registry.url, '/discovery/register', {
          token: owner,
          form: instance('demo.r', 'h1'),
        })
      ).code
    ).toBe('0')
    for (const t of [owner, owner, other, other, owner]) expect(await renewBy(t)).toBe('0')
    const set = { ...instance('demo.r', 'h1'), status: 2 }
    expect((await call(registry.url, '/discovery/set', { token: admin, form: set })).code).toBe('0')
    expect(await renewBy(owner)).toBe('0') // a set by an admin makes no stranger of the owner
    const r = await call(registry.url, '/discovery/history?appid=demo.r&env=dev', { token: admin })
    const ops = [
      ...r.text.matchAll(/"op":"(\w+)","zone":"sh001","hostname":"h1","actor":"token:([\w-]+)"/g),
    ].map((m) => `${m[1]} ${m[2]}`)
    expect(ops).toEqual(['set t-admin', 'renew other', 'register owner'])
  })
})

describe('rate limits', () => {
  it('answers 429 with Retry-After once a token or an address exceeds its limit', async () => {
    // the variables pick limiters by their limit; RATE_LIMIT_3 and _6 are added to the ladder
    const limited = await startRegistry({
      vars: {
        AUTH: 'tokens',
        TOKEN_KEYS: KEYS,
        RATE_LIMIT_PER_TOKEN: '3',
        RATE_LIMIT_PER_ADDRESS: '6',
      },
      ratelimits: { RATE_LIMIT_3: 3, RATE_LIMIT_6: 6 },
    })
    try {
      const a = await token(['read'], ['*'], ['*'], { tid: 'limited-a' })
      const b = await token(['read'], ['*'], ['*'], { tid: 'limited-b' })
      const codes = []
      for (let i = 0; i < 4; i++)
        codes.push((await call(limited.url, '/discovery/nodes', { token: a })).status)
      expect(codes).toEqual([200, 200, 200, 429])
      const refused = await call(limited.url, '/discovery/nodes', { token: a })
      expect(refused.headers.get('retry-after')).toBe('60')
      expect(refused.text).toBe(
        '{"code":-429,"message":"rate limit exceeded for token limited-a","ttl":1}'
      )
      // another token still gets in until the address's 6 requests are used up
      expect((await call(limited.url, '/discovery/nodes', { token: b })).status).toBe(200)
      expect((await call(limited.url, '/discovery/nodes', { token: b })).text).toContain(
        'client address'
      )
    } finally {
      await limited.stop()
    }
  })

  it('stops the worker at start-up when a limit has no limiter', async () => {
    const start = startRegistry({
      vars: { AUTH: 'tokens', TOKEN_KEYS: KEYS, RATE_LIMIT_PER_TOKEN: '5000' },
    })
    await expect(start.then((r) => r.stop())).rejects.toThrow()
  })
})
