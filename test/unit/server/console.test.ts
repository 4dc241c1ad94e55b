/**
 * The console's routes in Node (fake objects): what each kind of caller sees on `/` and `/app`
 * (AUTH=off, no token, PUBLIC_READS, read, write, admin and metrics tokens), the views the page's
 * script fetches (`X-Console: view`), the sign-in form without JavaScript, filters and the
 * errors for bad ones, escaping, the static files, and that every other path keeps the
 * reference's 404/405. The browser side is test/e2e/console.test.ts.
 */
import { Script } from 'node:vm'
import { beforeAll, describe, expect, it } from 'vitest'
import { mintToken, type Scope } from '../../../src/auth/token.ts'
import { ASSETS } from '../../../src/server/console/assets.ts'
import { K1, KEYS } from '../../support/token-keys.ts'
import { type CallOptions, testApp } from './test-app.ts'

const AUTH_ON = { AUTH: 'tokens', TOKEN_KEYS: KEYS }
const VIEW = { 'x-console': 'view' }

const token = (scopes: Scope[], apps: string[] = ['*'], tid = `t-${scopes.join('-')}`) =>
  mintToken({ tid, scopes, apps, envs: ['*'], exp: Math.floor(Date.now() / 1000) + 600 }, K1)

const registration = (appid: string, hostname: string, extra: Record<string, string> = {}) => ({
  form: {
    appid,
    env: 'dev',
    zone: 'sh001',
    hostname,
    status: '1',
    addrs: 'grpc://10.0.0.1:9000',
    version: 'v1.2.0',
    metadata: '{"weight":"20","color":"blue"}',
    ...extra,
  },
})

let admin: string
let writer: string
let reader: string
let demoReader: string
beforeAll(async () => {
  admin = await token(['admin'], ['*'], 'ops-admin')
  writer = await token(['read', 'write'], ['*'], 'ops-writer')
  reader = await token(['read'], ['*'], 'ops-reader')
  demoReader = await token(['read'], ['demo.*'], 'demo-reader')
})

/** An app with demo.a (h1 UP, h2 WAITING, in two zones) and pay.api registered. */
async function seeded(vars: Record<string, string> = {}) {
  const app = testApp(vars)
  const as: CallOptions = vars.AUTH === 'tokens' ? { token: admin } : {}
  await app.call('/discovery/register', { ...as, ...registration('demo.a', 'h1') })
  await app.call('/discovery/register', {
    ...as,
    ...registration('demo.a', 'h2', { status: '2', zone: 'sh002', metadata: '{"color":"red"}' }),
  })
  await app.call('/discovery/register', { ...as, ...registration('pay.api', 'p1') })
  return app
}

const appRows = (html: string) =>
  [...html.matchAll(/<tr data-appid="([^"]+)" data-env="([^"]+)"/g)].map((m) => `${m[2]}/${m[1]}`)
const actions = (html: string) => [...html.matchAll(/data-action="(\w+)"/g)].map((m) => m[1])

describe('the console with AUTH=off', () => {
  it('GET / lists every app per env, with counts, zones and self-preservation', async () => {
    const { call } = await seeded()
    const page = await call('/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(page.text.startsWith('<!doctype html><html lang="en">')).toBe(true)
    expect(appRows(page.text)).toEqual(['dev/demo.a', 'dev/pay.api'])
    expect(page.text).toContain('1 UP</span>')
    expect(page.text).toContain('1 WAITING</span>')
    expect(page.text).toContain('<span class="zone-chip">sh002</span>')
    expect(page.text).toContain('<span class="sp normal"')
    expect(page.text).toContain(ASSETS.js.url)
    expect((await call('/', { method: 'HEAD' })).status).toBe(200)
  })

  it('GET /app shows instances by zone with their details, actions and history', async () => {
    const { call } = await seeded()
    const page = await call('/app?appid=demo.a&env=dev')
    expect(page.status).toBe(200)
    const html = page.text
    expect([...html.matchAll(/<section class="zone" data-zone="(\w+)"/g)].map((m) => m[1])).toEqual(
      ['sh001', 'sh002']
    )
    expect(html).toContain('<tr data-hostname="h1" data-status="up">')
    expect(html).toContain('<tr data-hostname="h2" data-status="waiting">')
    expect(html).toContain('<code class="addr">grpc://10.0.0.1:9000</code>')
    expect(html).toContain('<span class="k">weight</span><span class="v">20</span>')
    expect(html).toContain('v1.2.0')
    expect(html).toMatch(/renewed <span class="ago" data-at="\d+">/)
    expect(actions(html)).toEqual(['drain', 'weight', 'cancel', 'undrain', 'weight', 'cancel'])
    expect(html).toContain('<span class="op register">register</span>')
    expect(html).toContain('<code class="actor">auth-off</code>')
  })

  it('answers the script with the view alone', async () => {
    const { call } = await seeded()
    const view = await call('/app?appid=demo.a&env=dev', { headers: VIEW })
    expect(view.status).toBe(200)
    expect(view.text.startsWith('<div class="view" data-view="app"')).toBe(true)
    expect(view.text).not.toContain('<html')
    expect(view.text).toContain('data-watch="[[&quot;demo.a&quot;,&quot;dev&quot;]]"')
  })

  it('filters apps by appid and env, and instances by hostname and metadata', async () => {
    const { call } = await seeded()
    expect(appRows((await call('/?appid=PAY')).text)).toEqual(['dev/pay.api'])
    expect(appRows((await call('/?env=prod')).text)).toEqual([])
    const byHost = (await call('/?hostname=h2')).text
    expect(appRows(byHost)).toEqual(['dev/demo.a'])
    expect(byHost).toContain('<b>h2</b>')
    expect(byHost).not.toContain('<b>h1</b>')
    expect(appRows((await call('/?meta=weight%3D20')).text)).toEqual(['dev/demo.a', 'dev/pay.api'])
    expect(appRows((await call('/?meta=color%3Dred')).text)).toEqual(['dev/demo.a'])
    const filtered = (await call('/app?appid=demo.a&env=dev&meta=color')).text
    expect(filtered).toContain('2 instances of 2 match the filter')
    const one = (await call('/app?appid=demo.a&env=dev&hostname=H1')).text
    expect(one).toContain('data-hostname="h1"')
    expect(one).not.toContain('data-hostname="h2"')
    expect((await call('/?hostname=nothing')).text).toContain('Nothing matches this filter.')
  })

  it('answers a bad filter with 400 and a message naming the field', async () => {
    const { call } = await seeded()
    const cases: [string, string][] = [
      ['/app', 'appid: required'],
      ['/app?appid=demo.a', 'env: required'],
      ['/?appid=%01', 'appid: contains a control character'],
      ['/?appid=a&appid=b', 'appid: given more than once'],
      [`/?env=${'e'.repeat(129)}`, 'env: longer than 128 bytes'],
      ['/?meta=%3Dx', 'meta: write a metadata key, or key=value'],
      [`/?hostname=${'h'.repeat(256)}`, 'hostname: longer than 255 characters'],
    ]
    for (const [path, message] of cases) {
      const answer = await call(path)
      expect(answer.status, path).toBe(400)
      expect(answer.text, path).toContain(message)
    }
  })

  it('says when there is nothing yet, and when an app has no instance', async () => {
    const { call } = testApp()
    expect((await call('/')).text).toContain('No application is registered yet.')
    const empty = await call('/app?appid=ghost&env=dev')
    expect(empty.status).toBe(200)
    expect(empty.text).toContain('This app has no instance now')
  })

  it('escapes what clients registered', async () => {
    const { call } = testApp()
    await call(
      '/discovery/register',
      registration('x<script>alert(1)</script>', 'h"1', {
        metadata: '{"note":"<img src=x onerror=alert(1)>"}',
      })
    )
    const overview = (await call('/')).text
    expect(overview).not.toContain('<script>alert(1)')
    expect(overview).toContain('x&lt;script&gt;alert(1)&lt;/script&gt;')
    const page = (
      await call(`/app?appid=${encodeURIComponent('x<script>alert(1)</script>')}&env=dev`)
    ).text
    expect(page).not.toContain('<img src=x')
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(page).toContain('data-hostname="h&quot;1"')
  })

  it('signals the overview catalog: /console/apps changes when an app appears', async () => {
    const { call } = await seeded()
    const drawn = /data-catalog="([^"]+)"/.exec((await call('/')).text)?.[1]
    const before = JSON.parse((await call('/console/apps')).text)
    expect(before).toEqual({ catalog: drawn, apps: 2 })
    await call('/discovery/register', registration('new.app', 'n1'))
    const after = JSON.parse((await call('/console/apps')).text)
    expect(after.apps).toBe(3)
    expect(after.catalog).not.toBe(drawn)
    expect(JSON.parse((await call('/console/apps?appid=pay')).text).apps).toBe(1)
  })
})

describe('the console with auth on', () => {
  it('asks a caller without a token to sign in, and shows it no app', async () => {
    const { call } = await seeded(AUTH_ON)
    for (const path of ['/', '/app?appid=demo.a&env=dev']) {
      const page = await call(path)
      expect(page.status, path).toBe(200)
      expect(page.text).toContain('Sign in with a token')
      expect(page.text).toContain('<form method="post" id="signin-form"')
      expect(page.text).not.toContain('demo.a</a>')
      expect(page.text).not.toContain('data-hostname')
    }
    expect((await call('/console/apps')).status).toBe(401)
  })

  it('shows a read token its apps without actions or history', async () => {
    const { call } = await seeded(AUTH_ON)
    const overview = await call('/', { token: demoReader, headers: VIEW })
    expect(appRows(overview.text)).toEqual(['dev/demo.a'])
    expect(overview.text).toContain('<b class="tid">demo-reader</b>')
    const page = await call('/app?appid=demo.a&env=dev', { token: demoReader, headers: VIEW })
    expect(page.status).toBe(200)
    expect(page.text).toContain('data-hostname="h1"')
    expect(actions(page.text)).toEqual([])
    expect(page.text).toContain('data-writes="0"')
    expect(page.text).toContain('needs a token with scope admin')
    const other = await call('/app?appid=pay.api&env=dev', { token: demoReader, headers: VIEW })
    expect(other.status).toBe(403)
    expect(other.text).toContain('token demo-reader may not read pay.api in env dev')
  })

  it('gives a write token the actions, and an admin token the history with token ids', async () => {
    const { call } = await seeded(AUTH_ON)
    const written = await call('/app?appid=demo.a&env=dev', { token: writer, headers: VIEW })
    expect(actions(written.text)).toContain('drain')
    expect(written.text).toContain('needs a token with scope admin')
    const page = await call('/app?appid=demo.a&env=dev', { token: admin, headers: VIEW })
    expect(actions(page.text)).toContain('cancel')
    expect(page.text).toContain('<code class="actor">token:ops-admin</code>')
  })

  it('tells a token without read what it lacks, and refuses a bad token with 401', async () => {
    const { call } = await seeded(AUTH_ON)
    const metricsOnly = await call('/', { token: await token(['metrics']), headers: VIEW })
    expect(metricsOnly.status).toBe(403)
    expect(metricsOnly.text).toContain('lacks scope read')
    const forged = await call('/', { token: 'dsc1.k1.e30.AAAA', headers: VIEW })
    expect(forged.status).toBe(401)
    expect(forged.headers.get('content-type')).toContain('application/json')
  })

  it('says nothing of the registry on the sign-in page', async () => {
    const { call } = await seeded(AUTH_ON)
    expect((await call('/')).text).not.toContain('sh001')
    expect((await call('/', { token: reader, headers: VIEW })).text).toContain('sh001')
  })

  it('shows public reads without a token when PUBLIC_READS is on, with no action', async () => {
    const { call } = await seeded({ ...AUTH_ON, PUBLIC_READS: 'true' })
    const overview = await call('/')
    expect(appRows(overview.text)).toEqual(['dev/demo.a', 'dev/pay.api'])
    expect(overview.text).toContain('Reading without a token')
    // its "Use a token" link, and a caller that has one already
    expect((await call('/?signin=1')).text).toContain('Sign in with a token')
    expect(appRows((await call('/?signin=1', { token: reader, headers: VIEW })).text)).toHaveLength(
      2
    )
    const page = await call('/app?appid=demo.a&env=dev')
    expect(actions(page.text)).toEqual([])
    expect(page.text).toContain('needs a token with scope admin')
  })

  it('renders once for a token posted by the sign-in form, and never writes it back', async () => {
    const { call } = await seeded(AUTH_ON)
    const page = await call('/app?appid=demo.a&env=dev', { form: { token: reader } })
    expect(page.status).toBe(200)
    expect(page.text).toContain('data-hostname="h1"')
    expect(page.text).not.toContain(reader)
    expect(page.headers.get('set-cookie')).toBeNull()
    const refused = await call('/', { form: { token: `${reader}x` } })
    expect(refused.status).toBe(401)
    expect(refused.text).toContain('token refused')
    expect(refused.text).not.toContain(reader)
    expect((await call('/', { form: { token: '' } })).text).toContain('token: required')
  })

  it('says in words that auth is on without a signing key', async () => {
    const { call } = testApp({ AUTH: 'tokens' })
    const page = await call('/')
    expect(page.status).toBe(401)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.text).toContain('no signing key is configured')
  })
})

describe('the console routes and the rest of the registry', () => {
  it('serves its script, stylesheet and icon, cached by content hash', async () => {
    const { call } = testApp()
    for (const asset of Object.values(ASSETS)) {
      const answer = await call(asset.url)
      expect(answer.status, asset.path).toBe(200)
      expect(answer.headers.get('content-type')).toBe(asset.type)
      expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(answer.text).toBe(asset.body)
      expect((await call(asset.path)).headers.get('cache-control')).toBe('public, max-age=60')
    }
    expect(() => new Script(ASSETS.js.body)).not.toThrow() // the script at least parses
  })

  it('answers 405 to other methods with the ones it takes', async () => {
    const { call } = testApp()
    const cases: [string, string, string][] = [
      ['/', 'PUT', 'GET, HEAD, POST'],
      ['/app', 'DELETE', 'GET, HEAD, POST'],
      [ASSETS.css.path, 'POST', 'GET, HEAD'],
      ['/console/apps', 'POST', 'GET, HEAD'],
    ]
    for (const [path, method, allow] of cases) {
      const answer = await call(path, { method })
      expect(answer.status, `${method} ${path}`).toBe(405)
      expect(answer.headers.get('allow')).toBe(allow)
    }
  })

  it('leaves the 404 and 405 of every other path as the reference answers them', async () => {
    const { call } = testApp()
    const cases: [string, string, number, string][] = [
      ['/discovery/nope', 'GET', 404, '404 page not found'],
      ['/console/nope', 'GET', 404, '404 page not found'],
      ['/index.html', 'GET', 404, '404 page not found'],
      ['/favicon.ico', 'GET', 404, '404 page not found'],
      ['/discovery/fetch', 'HEAD', 405, ''],
      ['/discovery/fetch', 'POST', 405, 'Method Not Allowed'],
      ['/discovery/register', 'GET', 405, 'Method Not Allowed'],
      ['/discovery', 'GET', 404, '404 page not found'],
    ]
    for (const [path, method, status, text] of cases) {
      const answer = await call(path, { method })
      expect(answer.status, `${method} ${path}`).toBe(status)
      expect(answer.text).toBe(text)
    }
  })
})
