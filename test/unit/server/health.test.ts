/**
 * GET and HEAD /health in Node (fake objects): 200 with the version and no token needed, 503
 * with the reason when an object call fails or does not answer in time, or when auth is on
 * without a signing key; other methods 405; and VERSION kept equal to package.json's.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CatalogObject } from '../../../src/server/catalog-object.ts'
import { HEALTH_TIMEOUT_MS } from '../../../src/server/routes/health.ts'
import { VERSION } from '../../../src/server/version.ts'
import { KEYS } from '../../support/token-keys.ts'
import { testApp } from './test-app.ts'

const catalogOf = (env: Env) =>
  env.CATALOG.getByName('catalog') as unknown as Pick<CatalogObject, 'count'>

afterEach(() => {
  vi.useRealTimers()
})

describe('GET /health', () => {
  it('answers 200 with the status and version, with auth on and no token', async () => {
    const { call } = testApp({ AUTH: 'tokens', TOKEN_KEYS: KEYS })
    const answer = await call('/health')
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(answer.headers.get('cache-control')).toBe('no-store')
    expect(JSON.parse(answer.text)).toEqual({ status: 'ok', version: VERSION })
  })

  it('answers HEAD with 200 and no body', async () => {
    const { call } = testApp()
    const answer = await call('/health', { method: 'HEAD' })
    expect(answer.status).toBe(200)
    expect(answer.text).toBe('')
  })

  it('answers 503 naming the object when the catalog call fails', async () => {
    const { call, env } = testApp()
    catalogOf(env).count = () =>
      Promise.reject(new Error('Durable Object reset because its code was updated'))
    const answer = await call('/health')
    expect(answer.status).toBe(503)
    expect(JSON.parse(answer.text)).toEqual({
      status: 'unavailable',
      version: VERSION,
      reason: 'catalog object: Durable Object reset because its code was updated',
    })
  })

  it('answers 503 when the catalog does not answer in time', async () => {
    const { call, env } = testApp()
    catalogOf(env).count = () => new Promise(() => {}) // never settles
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const pending = call('/health')
    await vi.advanceTimersByTimeAsync(HEALTH_TIMEOUT_MS)
    const answer = await pending
    expect(answer.status).toBe(503)
    expect(JSON.parse(answer.text).reason).toBe(
      `catalog object: no answer within ${HEALTH_TIMEOUT_MS} ms`
    )
  })

  it('answers 503 when auth is on without a signing key (every request would be refused)', async () => {
    const { call } = testApp({ AUTH: 'tokens' })
    const answer = await call('/health')
    expect(answer.status).toBe(503)
    expect(JSON.parse(answer.text).reason).toContain('TOKEN_KEYS')
  })

  it('answers 405 to other methods, and /health/x stays an unknown path', async () => {
    const { call } = testApp()
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const answer = await call('/health', { method })
      expect(answer.status, method).toBe(405)
      expect(answer.headers.get('allow')).toBe('GET, HEAD')
    }
    expect((await call('/health/x')).status).toBe(404)
  })
})

describe('VERSION', () => {
  it('is the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'))
    expect(VERSION).toBe(pkg.version)
  })
})
