/**
 * /health and /metrics against the built worker (Miniflare, real objects): health without a
 * token, GET and HEAD; metrics behind a `metrics` token, valid Prometheus text (promtool when
 * installed, the npm parser always) with a held poll and a session counted; and the reference's
 * 404/405 for every other path left as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'
import { mintToken, type Scope } from '../../src/auth/token.ts'
import { appids } from '../support/discovery-client.ts'
import { PROMTOOL, parseMetrics, promtoolCheck, sampleValue } from '../support/prometheus.ts'
import { withForgedSignature } from '../support/token-keys.ts'

const KEY = { kid: 'k1', secret: 'an-ops-test-secret-of-32-characters' }
const nextApp = appids('demo.ops')
let registry: LocalRegistry

const token = (scopes: Scope[], tid: string) =>
  mintToken(
    { tid, scopes, apps: ['demo.*'], envs: ['*'], exp: Math.floor(Date.now() / 1000) + 600 },
    KEY
  )

beforeAll(async () => {
  registry = await startRegistry({
    vars: { AUTH: 'tokens', TOKEN_KEYS: `${KEY.kid}:${KEY.secret}`, POLL_HOLD_SECONDS: '5' },
  })
}, 60_000)

afterAll(async () => {
  await registry?.stop()
})

describe('GET /health', () => {
  it('answers 200 with the status and version, GET and HEAD, without a token', async () => {
    const get = await fetch(`${registry.url}/health`)
    expect(get.status).toBe(200)
    expect(await get.json()).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    })
    const head = await fetch(`${registry.url}/health`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})

describe('GET /metrics', () => {
  it('exports apps, held polls and sessions as valid Prometheus text to a metrics token', async () => {
    const admin = await token(['admin'], 'ops-admin')
    const scraper = await token(['metrics'], 'prometheus')
    const appid = nextApp()
    const form = (hostname: string) =>
      new URLSearchParams({
        appid,
        env: 'dev',
        zone: 'sh001',
        hostname,
        status: '1',
        addrs: 'http://10.0.0.1:80',
      })
    for (const h of ['h1', 'h2']) {
      await fetch(`${registry.url}/discovery/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
        body: form(h),
      })
    }
    // a session watching the app, and a poll held on it
    const session = new WebSocket(
      `${registry.url.replace('http', 'ws')}/discovery/session?appid=${appid}&env=dev`,
      ['discovery.v1', `bearer.${admin}`]
    )
    await new Promise((resolve, reject) => {
      session.once('open', resolve)
      session.once('error', reject)
    })
    const view = await fetch(`${registry.url}/discovery/fetch?appid=${appid}&env=dev&status=3`, {
      headers: { authorization: `Bearer ${admin}` },
    })
    const cursor = /"latest_timestamp":(\d+)}}$/.exec(await view.text())?.[1] // int64: not JSON.parse
    const poll = new AbortController()
    const held = fetch(
      `${registry.url}/discovery/polls?appid=${appid}&latest_timestamp=${cursor}&env=dev&hostname=w`,
      { headers: { authorization: `Bearer ${admin}` }, signal: poll.signal }
    ).catch(() => undefined)

    const scrape = async () => {
      const response = await fetch(`${registry.url}/metrics`, {
        headers: { authorization: `Bearer ${scraper}` },
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
      return response.text()
    }
    const app = { appid, env: 'dev' }
    let text = ''
    await waitFor('the held poll and the session in /metrics', async () => {
      text = await scrape()
      const m = parseMetrics(text)
      return (
        sampleValue(m, 'discovery_app_held_polls', app) === 1 &&
        sampleValue(m, 'discovery_app_sessions', app) === 1
      )
    })
    const m = parseMetrics(text)
    expect(sampleValue(m, 'discovery_app_instances', { ...app, status: 'up' })).toBe(2)
    expect(sampleValue(m, 'discovery_app_registers_total', app)).toBe(2)
    expect(sampleValue(m, 'discovery_app_self_preservation', app)).toBe(0)
    expect(sampleValue(m, 'discovery_registry_sessions')).toBeGreaterThanOrEqual(1)
    if (PROMTOOL) expect(promtoolCheck(text)).toEqual({ status: 0, output: '' })
    else console.warn('promtool is not installed (apt-get install prometheus): npm parser only')

    session.close()
    poll.abort()
    await held
    const refused = await fetch(`${registry.url}/metrics`, {
      headers: { authorization: `Bearer ${withForgedSignature(admin)}` },
    })
    expect(refused.status).toBe(401)
    const reader = await token(['read'], 'reader')
    expect(
      (await fetch(`${registry.url}/metrics`, { headers: { authorization: `Bearer ${reader}` } }))
        .status
    ).toBe(403)
  })
})

describe('the paths around them', () => {
  it('keep the reference 404 and 405', async () => {
    const cases: [string, string, number][] = [
      ['/discovery/nope', 'GET', 404],
      ['/nope', 'GET', 404],
      ['/discovery/fetch', 'HEAD', 405],
      ['/discovery/register', 'GET', 405],
      ['/health', 'POST', 405],
      ['/metrics', 'DELETE', 405],
      ['/', 'PUT', 405],
    ]
    for (const [path, method, status] of cases) {
      const response = await fetch(`${registry.url}${path}`, { method })
      expect(response.status, `${method} ${path}`).toBe(status)
    }
  })
})
