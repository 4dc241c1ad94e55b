/**
 * GET /metrics in Node (fake objects): who may scrape (a `metrics` or `admin` token, filtered to
 * the apps it covers; anyone with AUTH=off), what it says after registers, sets, cancels, and
 * that the text is valid Prometheus exposition format, by promtool when installed and always by
 * an npm parser plus the format's own rules, with label values that need escaping.
 */
import { describe, expect, it } from 'vitest'
import { mintToken, type Scope } from '../../../src/auth/token.ts'
import type { CatalogObject } from '../../../src/server/catalog-object.ts'
import { METRICS_CONTENT_TYPE, metricsText } from '../../../src/server/metrics-text.ts'
import { VERSION } from '../../../src/server/version.ts'
import { PROMTOOL, parseMetrics, promtoolCheck, sampleValue } from '../../support/prometheus.ts'
import { K1, KEYS } from '../../support/token-keys.ts'
import { testApp } from './test-app.ts'

const token = (scopes: Scope[], apps: string[], tid = `t-${scopes.join('-')}`) =>
  mintToken({ tid, scopes, apps, envs: ['*'], exp: Math.floor(Date.now() / 1000) + 600 }, K1)

const register = (appid: string, hostname: string, status = 1, env = 'dev') => ({
  form: { appid, env, zone: 'sh001', hostname, status, addrs: 'grpc://10.0.0.1:9000' },
})

/** Every rule of the text format a lenient parser would let through. */
function expectWellFormed(text: string): void {
  expect(text.endsWith('\n')).toBe(true)
  const families = parseMetrics(text)
  const typeLines = text.split('\n').filter((l) => l.startsWith('# TYPE '))
  expect(families.map((f) => f.name)).toEqual(typeLines.map((l) => l.split(' ')[2]))
  expect(new Set(families.map((f) => f.name)).size).toBe(families.length) // each family once
  for (const family of families) {
    expect(family.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/)
    expect(family.help, family.name).not.toBe('')
    expect(['GAUGE', 'COUNTER']).toContain(family.type)
    if (family.type === 'COUNTER') expect(family.name).toMatch(/_total$/)
    for (const sample of family.metrics) {
      expect(Number.isFinite(Number(sample.value)), `${family.name} ${sample.value}`).toBe(true)
      for (const name of Object.keys(sample.labels ?? {})) expect(name).toMatch(/^[a-zA-Z_]\w*$/)
    }
  }
  if (PROMTOOL) {
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' })
  } else {
    console.warn(
      'promtool is not installed (apt-get install prometheus): checked by the npm parser only'
    )
  }
}

describe('GET /metrics', () => {
  it('is open with AUTH=off and counts what happened, per app and in total', async () => {
    const { call } = testApp()
    await call('/discovery/register', register('demo.a', 'h1'))
    await call('/discovery/register', register('demo.a', 'h2', 2))
    await call('/discovery/register', register('demo.a', 'h3'))
    await call('/discovery/register', register('demo.b', 'h1', 1, 'prod'))
    await call('/discovery/set', {
      form: { appid: 'demo.a', env: 'dev', zone: 'sh001', hostname: 'h1', status: 2 },
    })
    await call('/discovery/cancel', {
      form: { appid: 'demo.a', env: 'dev', zone: 'sh001', hostname: 'h3' },
    })
    const answer = await call('/metrics')
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE)
    expectWellFormed(answer.text)
    const m = parseMetrics(answer.text)
    const a = { appid: 'demo.a', env: 'dev' }
    expect(sampleValue(m, 'discovery_app_instances', { ...a, status: 'up' })).toBe(0)
    expect(sampleValue(m, 'discovery_app_instances', { ...a, status: 'waiting' })).toBe(2)
    expect(sampleValue(m, 'discovery_app_registers_total', a)).toBe(3)
    expect(sampleValue(m, 'discovery_app_sets_total', a)).toBe(1)
    expect(sampleValue(m, 'discovery_app_cancels_total', a)).toBe(1)
    expect(sampleValue(m, 'discovery_app_evictions_total', { ...a, cause: 'lease' })).toBe(0)
    expect(sampleValue(m, 'discovery_app_self_preservation', a)).toBe(0)
    expect(sampleValue(m, 'discovery_app_renews_expected', { ...a, window_seconds: '60' })).toBe(4)
    expect(sampleValue(m, 'discovery_app_held_polls', a)).toBe(0)
    expect(sampleValue(m, 'discovery_app_sessions', a)).toBe(0)
    expect(sampleValue(m, 'discovery_registry_apps')).toBe(2)
    expect(sampleValue(m, 'discovery_registry_instances', { status: 'up' })).toBe(1)
    expect(sampleValue(m, 'discovery_registry_instances', { status: 'waiting' })).toBe(2)
    expect(sampleValue(m, 'discovery_registry_registers_total')).toBe(4)
    expect(sampleValue(m, 'discovery_build_info', { version: VERSION })).toBe(1)
  })

  it('needs a metrics or admin token with auth on, and shows only the apps it covers', async () => {
    const { call } = testApp({ AUTH: 'tokens', TOKEN_KEYS: KEYS })
    const admin = await token(['admin'], ['*'])
    await call('/discovery/register', { ...register('demo.a', 'h1'), token: admin })
    await call('/discovery/register', { ...register('pay.a', 'h1'), token: admin })

    const anonymous = await call('/metrics')
    expect(anonymous.status).toBe(401)
    expect(anonymous.text).toContain('scope metrics')
    const reader = await call('/metrics', { token: await token(['read', 'write'], ['*']) })
    expect(reader.status).toBe(403)
    expect(reader.text).toContain('lacks scope metrics')
    expect((await call('/metrics', { token: 'dsc1.k1.forged.sig' })).status).toBe(401)

    const scoped = await call('/metrics', { token: await token(['metrics'], ['demo.*']) })
    expect(scoped.status).toBe(200)
    expectWellFormed(scoped.text)
    expect(scoped.text).toContain('appid="demo.a"')
    expect(scoped.text).not.toContain('pay.a')
    expect(sampleValue(parseMetrics(scoped.text), 'discovery_registry_apps')).toBe(1)

    const everything = await call('/metrics', { token: admin })
    expect(everything.status).toBe(200)
    expect(everything.text).toContain('appid="pay.a"')
  })

  it('escapes label values: an appid with quotes, backslashes and non-ASCII reads back exact', async () => {
    const { call } = testApp()
    const odd = 'we"ird\\app.日本'
    await call('/discovery/register', register(odd, 'h1'))
    const answer = await call('/metrics')
    expectWellFormed(answer.text)
    expect(answer.text).toContain('appid="we\\"ird\\\\app.日本"')
    const m = parseMetrics(answer.text)
    expect(
      sampleValue(m, 'discovery_app_instances', { appid: odd, env: 'dev', status: 'up' })
    ).toBe(1)
  })

  it('answers 503 when the catalog does not answer, and leaves out an app whose object fails', async () => {
    const { call, env } = testApp()
    await call('/discovery/register', register('demo.a', 'h1'))
    await call('/discovery/register', register('demo.b', 'h1'))
    const registry = env.REGISTRY.getByName('dev/demo.b') as unknown as { report: () => never }
    registry.report = () => {
      throw new Error('object exploded')
    }
    const partial = await call('/metrics')
    expect(partial.status).toBe(200)
    expectWellFormed(partial.text)
    expect(sampleValue(parseMetrics(partial.text), 'discovery_registry_apps_unreported')).toBe(1)
    expect(partial.text).not.toContain('appid="demo.b"')

    const catalog = env.CATALOG.getByName('catalog') as unknown as Pick<CatalogObject, 'apps'>
    catalog.apps = () => Promise.reject(new Error('catalog gone'))
    const down = await call('/metrics')
    expect(down.status).toBe(503)
    expect(down.text).toContain('catalog object: catalog gone')
  })

  it('answers 405 to other methods', async () => {
    const { call } = testApp()
    const post = await call('/metrics', { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })
})

describe('metricsText', () => {
  it('writes every family once, even with no app', () => {
    const text = metricsText({ version: '1.2.3', apps: 0, outcomes: [] })
    expectWellFormed(text)
    expect(text).toContain('discovery_registry_apps 0\n')
  })
})
