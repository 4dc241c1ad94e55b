/**
 * GET poll and polls in Node, with fake objects: how the Worker reads what each app's object
 * answered, and that one app whose watch cannot open never decides the answer for the others.
 */

import { afterEach, describe, expect, it, vi } from 'vitest'
import { mintToken } from '../../../src/auth/token.ts'
import { holderFrom } from '../../../src/server/holder.ts'
import { registryName } from '../../../src/server/registry-stub.ts'
import { K1 } from '../../support/token-keys.ts'
import { testApp } from './test-app.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

/** The fake object of app `appid` in env dev, whose `fetch` the test replaces. */
const objectOf = (env: Env, appid: string) =>
  env.REGISTRY.getByName(registryName(appid, 'dev')) as unknown as {
    fetch(url: string, init?: RequestInit): Promise<Response>
  }

describe('caps on held polls', () => {
  const KEY = K1
  const AUTH_ON = {
    AUTH: 'tokens',
    TOKEN_KEYS: `${KEY.kid}:${KEY.secret}`,
    POLL_HOLD_SECONDS: '0.05',
  }
  const reader = () =>
    mintToken(
      {
        tid: 'r1',
        scopes: ['read'],
        apps: ['*'],
        envs: ['*'],
        exp: Math.floor(Date.now() / 1000) + 600,
      },
      KEY
    )

  it('send the holder to the object, and answer its refusal with HTTP 429 where the poll would hold', async () => {
    const { call, env } = testApp(AUTH_ON)
    const seen: Request[] = []
    vi.spyOn(objectOf(env, 'demo.a'), 'fetch').mockImplementation(async (url, init) => {
      seen.push(new Request(url, init))
      return new Response('token r1 holds 5000, the most one token may', { status: 429 })
    })
    const token = await reader()
    const headers = { 'cf-connecting-ip': '192.0.2.1' }
    const held = await call('/discovery/polls?appid=demo.a&latest_timestamp=7&env=dev&hostname=c', {
      token,
      headers,
    })
    expect([held.status, held.text]).toEqual([
      429,
      '{"code":-429,"message":"held polls on demo.a (env dev): token r1 holds 5000, the most one token may","ttl":1}',
    ])
    expect(holderFrom(seen[0] as Request)).toEqual({ token: 'r1', address: '192.0.2.1' })
    // a poll answered at once by another app is not refused
    const infra = await call(
      '/discovery/polls?appid=demo.a&appid=infra.discovery&latest_timestamp=7&latest_timestamp=0&env=dev&hostname=c',
      { token, headers }
    )
    expect(infra.text).toMatch(/^\{"code":0,"data":\{"infra.discovery"/)
  })

  it('read a view the object answered at once, without a socket', async () => {
    const { call, env } = testApp({ POLL_HOLD_SECONDS: '0.05' })
    const view = '{"instances":{"sh001":[]},"latest_timestamp":9}'
    vi.spyOn(objectOf(env, 'demo.a'), 'fetch').mockResolvedValue(new Response(`c${view}`))
    const r = await call('/discovery/poll?appid=demo.a&latest_timestamp=0&env=dev&hostname=c')
    expect(r.text).toBe(`{"code":0,"message":"0","ttl":1,"data":${view}}`)
    vi.spyOn(objectOf(env, 'demo.b'), 'fetch').mockResolvedValue(new Response('m'))
    const missing = await call('/discovery/poll?appid=demo.b&latest_timestamp=0&env=dev&hostname=c')
    expect(missing.text).toBe('{"code":-404,"message":"demo.b not found"}')
  })
})

describe('a watch that cannot open', () => {
  it('never fails the poll: the other apps answer as if it were unchanged', async () => {
    const { call, env } = testApp({ POLL_HOLD_SECONDS: '0.05' })
    vi.spyOn(objectOf(env, 'demo.broken'), 'fetch').mockRejectedValue(new Error('object reset'))
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const polls = await call(
      '/discovery/polls?appid=demo.broken&appid=infra.discovery&latest_timestamp=0&latest_timestamp=0&env=dev&hostname=c'
    )
    expect(polls.text).toMatch(/^\{"code":0,"data":\{"infra.discovery":\{"instances"/)
    expect(polls.text).not.toContain('demo.broken')
    const poll = await call(
      '/discovery/poll?appid=infra.discovery&appid=demo.broken&latest_timestamp=0&env=dev&hostname=c'
    )
    expect(poll.text).toMatch(/^\{"code":0,"message":"0","ttl":1,"data":\{"instances"/)
    const held = await call(
      '/discovery/polls?appid=demo.broken&latest_timestamp=5&env=dev&hostname=c'
    )
    expect(held.text).toBe('{"code":-304,"message":"-304","ttl":1}')
  })

  it('is logged with the app it belongs to', async () => {
    const { call, env } = testApp({ POLL_HOLD_SECONDS: '0.05' })
    vi.spyOn(objectOf(env, 'demo.broken'), 'fetch').mockRejectedValue(new Error('object reset'))
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    await call('/discovery/polls?appid=demo.broken&latest_timestamp=5&env=dev&hostname=c')
    const lines = log.mock.calls.map((c) => JSON.parse(String(c[0])))
    expect(lines).toContainEqual(
      expect.objectContaining({ op: 'watch', appid: 'demo.broken', env: 'dev' })
    )
  })
})

describe('the hold', () => {
  it('bounds opening the watches: an object slow to answer does not stretch the poll', async () => {
    const { call, env } = testApp({ POLL_HOLD_SECONDS: '0.1' })
    vi.spyOn(objectOf(env, 'demo.slow'), 'fetch').mockImplementation(
      () => new Promise((resolve) => setTimeout(() => resolve(new Response('u')), 1000))
    )
    const started = performance.now()
    const r = await call('/discovery/poll?appid=demo.slow&latest_timestamp=5&env=dev&hostname=c')
    expect(r.text).toBe('{"code":-304,"message":"-304","ttl":1}')
    expect(performance.now() - started).toBeLessThan(600)
  })

  it('is none for a caller with no time left: x1-bmspy-timeout 0 answers at once', async () => {
    const { call, env } = testApp({ POLL_HOLD_SECONDS: '30' })
    vi.spyOn(objectOf(env, 'demo.a'), 'fetch').mockResolvedValue(new Response('u'))
    const started = performance.now()
    const held = await call('/discovery/poll?appid=demo.a&latest_timestamp=5&env=dev&hostname=c', {
      headers: { 'x1-bmspy-timeout': '0' },
    })
    expect(held.text).toBe('{"code":-304,"message":"-304","ttl":1}')
    expect(performance.now() - started).toBeLessThan(1000)
    // a caller that is behind still gets the view
    const view = '{"instances":{"sh001":[]},"latest_timestamp":9}'
    vi.spyOn(objectOf(env, 'demo.b'), 'fetch').mockResolvedValue(new Response(`c${view}`))
    const behind = await call(
      '/discovery/poll?appid=demo.b&latest_timestamp=0&env=dev&hostname=c',
      {
        headers: { 'x1-bmspy-timeout': '0' },
      }
    )
    expect(behind.text).toBe(`{"code":0,"message":"0","ttl":1,"data":${view}}`)
  })
})
