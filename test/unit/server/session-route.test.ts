/**
 * GET /discovery/session in Node: what the Worker refuses before any object is involved, and
 * what it hands to the app's object (the grant headers) for each kind of caller.
 */
import { describe, expect, it } from 'vitest'
import { mintToken, type Scope } from '../../../src/auth/token.ts'
import { registryName } from '../../../src/server/registry-stub.ts'
import { sessionGrantFrom } from '../../../src/server/session-grant.ts'
import { testApp } from './test-app.ts'

const KEY = { kid: 'k1', secret: 'first-secret-for-tests-0001' }
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
    const { call } = testApp()
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
      const forged = `discovery.v1, bearer.${(await token(['read'])).slice(0, -2)}xx`
      const refused = await call(PATH, {
        headers: { upgrade: 'websocket', 'sec-websocket-protocol': forged },
      })
      expect(refused.status).toBe(401)
    })
  })
})
