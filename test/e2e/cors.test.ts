/**
 * Browser access (CORS_ORIGINS): off by default; an allowed origin gets a preflight answer
 * without a token and CORS headers on every answer, refusals included; other origins get none.
 * test/e2e/sdk-browser.test.ts drives the SDK from a real browser on top of this.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'

const PAGE = 'https://console.example'
const KEYS = 'k1:first-secret-for-tests-0001'

const preflightOf = (base: string, path: string, origin: string) =>
  fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  })

describe('with CORS_ORIGINS listing the page', () => {
  let registry: LocalRegistry
  beforeAll(async () => {
    registry = await startRegistry({ vars: { AUTH: 'tokens', TOKEN_KEYS: KEYS, CORS_ORIGINS: `${PAGE}, http://127.0.0.1:1` } })
  })
  afterAll(() => registry.stop())

  it('answers a preflight for a known path without a token', async () => {
    const response = await preflightOf(registry.url, '/discovery/register', PAGE)
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST')
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, X1-Bmspy-Timeout')
    expect(response.headers.get('vary')).toBe('Origin')
  })

  it('keeps 404 and 405 for unknown paths and for OPTIONS that are not preflights', async () => {
    expect((await preflightOf(registry.url, '/discovery/nope', PAGE)).status).toBe(404)
    expect((await fetch(`${registry.url}/discovery/fetch`, { method: 'OPTIONS', headers: { origin: PAGE } })).status).toBe(405)
  })

  it('puts the CORS headers on refusals, so the page can read the code', async () => {
    const response = await fetch(`${registry.url}/discovery/fetch?appid=a&env=dev&status=1`, { headers: { origin: PAGE } })
    expect(response.status).toBe(401)
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After, WWW-Authenticate')
    expect(await response.text()).toContain('"code":-401')
  })

  it('varies every answer by Origin, even one to a client that sent none', async () => {
    const response = await fetch(`${registry.url}/discovery/nodes`)
    expect(response.headers.get('vary')).toBe('Origin')
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('gives an origin not on the list nothing', async () => {
    const preflight = await preflightOf(registry.url, '/discovery/register', 'https://evil.example')
    expect(preflight.status).toBe(405)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    const response = await fetch(`${registry.url}/discovery/nodes`, { headers: { origin: 'https://evil.example' } })
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('without CORS_ORIGINS (the default)', () => {
  let registry: LocalRegistry
  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(() => registry.stop())

  it('sends no CORS header and refuses preflights like any OPTIONS', async () => {
    expect((await preflightOf(registry.url, '/discovery/register', PAGE)).status).toBe(405)
    const response = await fetch(`${registry.url}/discovery/nodes`, { headers: { origin: PAGE } })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('with CORS_ORIGINS=*', () => {
  let registry: LocalRegistry
  beforeAll(async () => {
    registry = await startRegistry({ vars: { CORS_ORIGINS: '*' } })
  })
  afterAll(() => registry.stop())

  it('allows any origin without varying by it', async () => {
    const response = await fetch(`${registry.url}/discovery/nodes`, { headers: { origin: 'http://localhost:3000' } })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('vary')).toBeNull()
    expect(((await response.json()) as { code: number }).code).toBe(0)
  })
})
