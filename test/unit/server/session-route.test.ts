/**
 * GET /discovery/session in Node: what the Worker refuses before any object is involved, and
 * what it hands to the app's object (the grant headers) for each kind of caller.
 */
import { describe, expect, it } from 'vitest'
import { mintToken, type Scope } from '../../../src/auth/token.ts'
import { holderFrom } from '../../../src/server/holder.ts'
import { registryName } from '../../../src/server/registry-stub.ts'
import { sessionGrantFrom } from '../../../src/server/session-grant.ts'
import { K1 as KEY, withForgedSignature } from '../../support/token-keys.ts'
import { testApp } from './test-app.ts'

const AUTH_ON = { AUTH: 'tokens', TOKEN_KEYS: `${KEY.kid}:${KEY.secret}` }
const UPGRADE = { upgrade: 'websocket', 'sec-websocket-protocol': 'discovery.v1' }
const SESSION = 'abcdefghijklmnopqrstuv'
const PATH = `/discovery/session?appid=demo.a&env=dev&session=${SESSION}`
const EXP = Math.floor(Date.now() / 1000) + 600

const token = (scopes: Scope[], apps = ['demo.a']) =>
  mintToken({ tid: `t-${scopes.join('-')}`, scopes, apps, envs: ['dev'], exp: EXP }, KEY)

/** The grant the Worker forwarded to demo.a's object, if it forwarded one. */
function forwarded(env: Env) {
  const stub = env.REGISTRY.getByName(registryName('demo.a', 'dev')) as unknown as {
    lastFetch?: Request
  }
  return stub.lastFetch && sessionGrantFrom(stub.lastFetch)
}

describe('GET /discovery/session', () => {
  it('refuses what is not a discovery.v1 WebSocket upgrade, naming what is missing', async () => {
    const { call } = testApp()
    expect((await call(PATH)).text).toMatch(/"code":-400,"message":"upgrade: /)
    const noProtocol = await call(PATH, { headers: { upgrade: 'websocket' } })
    expect(noProtocol.text).toMatch(
      /"message":"Sec-WebSocket-Protocol: offer the subprotocol discovery.v1"/
    )
  })

  it('checks its parameters like any route', async () => {
    const { call, env } = testApp()
    const badId = await call('/discovery/session?appid=demo.a&env=dev&session=short', {
      headers: UPGRADE,
    })
    expect(badId.text).toMatch(/"code":-400,"message":"session: /)
    const noApp = await call('/discovery/session?env=dev', { headers: UPGRADE })
    expect(noApp.text).toMatch(/"message":"appid: required"/)
    const infra = await call('/discovery/session?appid=infra.discovery&env=dev', {
      headers: UPGRADE,
    })
    expect(infra.text).toMatch(/"message":"appid: infra.discovery has no sessions/)
    const variant = await call('/discovery/session?appid=%20Infra.Discovery%20&env=dev', {
      headers: UPGRADE,
    })
    expect(variant.text).toMatch(/"message":"appid: .* has no sessions/)
    const variantStub = env.REGISTRY.getByName(registryName(' Infra.Discovery ', 'dev'))
    expect((variantStub as unknown as { lastFetch?: Request }).lastFetch).toBeUndefined()
  })

  it('hands the upgrade to the app object with what the caller may do', async () => {
    const { call, env } = testApp()
    await call(PATH, { headers: UPGRADE })
    expect(forwarded(env)).toEqual({
      appid: 'demo.a',
      env: 'dev',
      session: SESSION,
      actor: 'auth-off',
      may: ['read', 'write'],
    })
  })

  it('refuses a page whose origin CORS_ORIGINS does not list (WebSockets know no CORS)', async () => {
    const listed = testApp({ CORS_ORIGINS: 'https://console.example' })
    const foreign = await listed.call(PATH, {
      headers: { ...UPGRADE, origin: 'https://evil.example' },
    })
    expect(foreign.status).toBe(403)
    expect(foreign.text).toContain('origin https://evil.example is not in CORS_ORIGINS')
    expect(forwarded(listed.env)).toBeUndefined()
    await listed.call(PATH, { headers: { ...UPGRADE, origin: 'https://console.example' } })
    expect(forwarded(listed.env)).toBeDefined()
    const none = testApp() // no CORS_ORIGINS: no page at all, but clients without an Origin
    expect(
      (await none.call(PATH, { headers: { ...UPGRADE, origin: 'https://a.example' } })).status
    ).toBe(403)
    await none.call(PATH, { headers: UPGRADE })
    expect(forwarded(none.env)).toBeDefined()
  })

  it("allows a page of the registry's own origin (its console) whatever CORS_ORIGINS says", async () => {
    for (const vars of [{}, { CORS_ORIGINS: 'https://console.example' }]) {
      const { call, env } = testApp(vars)
      const own = await call(PATH, { headers: { ...UPGRADE, origin: 'http://127.0.0.1:7171' } })
      expect(own.status, JSON.stringify(vars)).not.toBe(403)
      expect(forwarded(env)).toBeDefined()
      // the same host on another port or scheme is another origin
      for (const origin of ['http://127.0.0.1:7172', 'https://127.0.0.1:7171']) {
        const other = testApp(vars)
        const refused = await other.call(PATH, { headers: { ...UPGRADE, origin } })
        expect(refused.status, origin).toBe(403)
      }
    }
  })

  it('picks a session id when the client gives none', async () => {
    const { call, env } = testApp()
    await call('/discovery/session?appid=demo.a&env=dev', { headers: UPGRADE })
    expect(forwarded(env)?.session).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  describe('with auth on', () => {
    it('refuses a caller without a token, or with a token for another app', async () => {
      const { call, env } = testApp(AUTH_ON)
      expect((await call(PATH, { headers: UPGRADE })).status).toBe(401)
      const other = await call(PATH, {
        headers: UPGRADE,
        token: await token(['read', 'write'], ['demo.b']),
      })
      expect(other.status).toBe(403)
      expect(forwarded(env)).toBeUndefined()
    })

    it('grants read and write as the token allows, until the token expires', async () => {
      for (const scopes of [['read'], ['write'], ['read', 'write']] as Scope[][]) {
        const { call, env } = testApp(AUTH_ON)
        await call(PATH, { headers: UPGRADE, token: await token(scopes) })
        expect(forwarded(env)).toMatchObject({
          may: scopes,
          actor: `token:t-${scopes.join('-')}`,
          expiresMs: EXP * 1000,
        })
      }
    })

    it('takes the token from a bearer.<token> subprotocol, as browsers must send it', async () => {
      const { call, env } = testApp(AUTH_ON)
      const offer = `discovery.v1, bearer.${await token(['read'])}`
      await call(PATH, { headers: { upgrade: 'websocket', 'sec-websocket-protocol': offer } })
      expect(forwarded(env)).toMatchObject({ may: ['read'], actor: 'token:t-read' })
      const forged = `discovery.v1, bearer.${withForgedSignature(await token(['read']))}`
      const refused = await call(PATH, {
        headers: { upgrade: 'websocket', 'sec-websocket-protocol': forged },
      })
      expect(refused.status).toBe(401)
    })

    it('tells the object who holds the session (token, address by its /64), and passes its 429 on', async () => {
      const { call, env } = testApp(AUTH_ON)
      const stub = env.REGISTRY.getByName(registryName('demo.a', 'dev')) as unknown as {
        lastFetch?: Request
        fetch(url: string, init?: RequestInit): Promise<Response>
      }
      const real = stub.fetch.bind(stub)
      let refuse = false
      stub.fetch = async (url, init) => {
        const answer = await real(url, init)
        return refuse
          ? new Response('token t-read holds 10000, the most one token may', { status: 429 })
          : answer
      }
      const reader = await token(['read'])
      const headers = { ...UPGRADE, 'cf-connecting-ip': '2001:db8:7:8::1' }
      await call(PATH, { headers, token: reader })
      expect(holderFrom(stub.lastFetch as Request)).toEqual({
        token: 't-read',
        address: '2001:db8:7:8::/64',
      })
      refuse = true
      const refused = await call(PATH, { headers, token: reader })
      expect([refused.status, refused.headers.get('retry-after'), refused.text]).toEqual([
        429,
        '60',
        '{"code":-429,"message":"sessions on demo.a (env dev): token t-read holds 10000, the most one token may","ttl":1}',
      ])
    })
  })

  it('counts nobody per token or address with auth off', async () => {
    const { call, env } = testApp()
    await call(PATH, { headers: { ...UPGRADE, 'cf-connecting-ip': '10.0.0.1' } })
    const stub = env.REGISTRY.getByName(registryName('demo.a', 'dev')) as unknown as {
      lastFetch?: Request
    }
    expect(holderFrom(stub.lastFetch as Request)).toEqual({})
  })
})
