/**
 * Browser access (CORS_ORIGINS): off by default; an allowed origin gets a preflight answer
 * without a token and CORS headers on every answer, refusals included; other origins get none.
 * test/e2e/sdk-browser.test.ts drives the SDK from a real browser on top of this.
 */
import { describe, expect, it } from 'vitest'
import { KEYS } from '../../support/token-keys.ts'
import { testApp } from './test-app.ts'

const PAGE = 'https://console.example'

const PREFLIGHT = {
  method: 'OPTIONS',
  headers: {
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization, content-type',
  },
}
const preflightFrom = (origin: string) => ({
  ...PREFLIGHT,
  headers: { ...PREFLIGHT.headers, origin },
})

describe('with CORS_ORIGINS listing the page', () => {
  const { call } = testApp({
    AUTH: 'tokens',
    TOKEN_KEYS: KEYS,
    CORS_ORIGINS: `${PAGE}, http://127.0.0.1:1`,
  })

  it('answers a preflight for a known path without a token', async () => {
    const response = await call('/discovery/register', preflightFrom(PAGE))
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST')
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, X1-Bmspy-Timeout'
    )
    expect(response.headers.get('access-control-max-age')).toBe('600')
    expect(response.headers.get('vary')).toBe('Origin')
  })

  it('answers a preflight on the cleaned path, token prefix included', async () => {
    expect((await call('/discovery/%66etch', preflightFrom(PAGE))).status).toBe(204)
    expect((await call('/t/some-token/discovery/register', preflightFrom(PAGE))).status).toBe(204)
  })

  it('keeps 404 and 405 for unknown paths and for OPTIONS that are not preflights', async () => {
    const unknown = await call('/discovery/nope', preflightFrom(PAGE))
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(unknown.headers.get('vary')).toBe('Origin')
    expect(
      (await call('/discovery/fetch', { method: 'OPTIONS', headers: { origin: PAGE } })).status
    ).toBe(405)
  })

  it('puts the CORS headers on refusals, so the page can read the code', async () => {
    const response = await call('/discovery/fetch?appid=a&env=dev&status=1', {
      headers: { origin: PAGE },
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'Retry-After, WWW-Authenticate'
    )
    expect(response.text).toContain('"code":-401')
  })

  it('varies every answer by Origin, even one to a client that sent none', async () => {
    const response = await call('/discovery/nodes')
    expect(response.headers.get('vary')).toBe('Origin')
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('gives an origin not on the list nothing', async () => {
    const preflight = await call('/discovery/register', preflightFrom('https://evil.example'))
    expect(preflight.status).toBe(405)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    const response = await call('/discovery/nodes', { headers: { origin: 'https://evil.example' } })
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(response.headers.get('vary')).toBe('Origin')
  })
})

describe('without CORS_ORIGINS (the default)', () => {
  const { call } = testApp()

  it('sends no CORS header and refuses preflights like any OPTIONS', async () => {
    expect((await call('/discovery/register', preflightFrom(PAGE))).status).toBe(405)
    const response = await call('/discovery/nodes', { headers: { origin: PAGE } })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(response.headers.get('vary')).toBeNull()
  })
})

describe('with CORS_ORIGINS=*', () => {
  const { call } = testApp({ CORS_ORIGINS: '*' })

  it('allows any origin without varying by it', async () => {
    const response = await call('/discovery/nodes', {
      headers: { origin: 'http://localhost:3000' },
    })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('vary')).toBeNull()
    expect((JSON.parse(response.text) as { code: number }).code).toBe(0)
  })

  it('answers a preflight with * and no Vary', async () => {
    const response = await call('/discovery/polls', preflightFrom('http://localhost:3000'))
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('vary')).toBeNull()
  })
})
