/**
 * The operator console in a real browser (issue #12): Debian's Chromium through playwright-core,
 * against the built worker served by Miniflare, page and registry on one origin. The list shows
 * what is registered; a register or cancel made by another client shows within 2 s without a
 * reload (sessions); the page says when it lost the registry; drain, weight and cancel go
 * through the ordinary write routes and show in the history; with auth on the token is asked
 * for, kept in sessionStorage and never put in a URL, and a read token sees no action. Every
 * test saves screenshots under test-results/console/ (at 1280 px, and at 390 px for a phone).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'
import { mintToken, type Scope } from '../../src/auth/token.ts'
import { launchBrowser } from '../support/browser.ts'
import { appids } from '../support/discovery-client.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SHOTS = join(ROOT, 'test-results', 'console')
const KEY = { kid: 'k1', secret: 'a-console-test-secret-of-32-chars!' }
const TOKEN_KEY = 'edge-discovery.token'
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const TIMEOUT = { timeout: 60_000 }

const nextApp = appids('demo.console')
let browser: Browser
let open: LocalRegistry // AUTH=off
let authed: LocalRegistry // AUTH=tokens
const contexts: BrowserContext[] = []

interface ConsolePage {
  page: Page
  /** Console errors and uncaught exceptions. */
  problems: string[]
  /** Every URL the page asked for (documents, fetches, sockets). */
  urls: string[]
}

/** A fresh tab at `viewport`; with `token`, the tab's sessionStorage holds it already. */
async function tab(
  viewport = DESKTOP,
  options: { token?: string; javaScript?: boolean } = {}
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport,
    javaScriptEnabled: options.javaScript ?? true,
  })
  contexts.push(context)
  if (options.token) {
    await context.addInitScript(
      ([key, value]) => sessionStorage.setItem(key as string, value as string),
      [TOKEN_KEY, options.token]
    )
  }
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  const urls: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('request', (r) => urls.push(r.url()))
  page.on('websocket', (ws) => urls.push(ws.url()))
  return { page, problems, urls }
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })

/** Wait until the connection indicator says `state`. */
const connState = (page: Page, state: string, timeout = 10_000) =>
  page.locator(`#conn[data-state="${state}"]`).waitFor({ timeout })

async function token(scopes: Scope[], tid: string): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + 3600
  return mintToken({ tid, scopes, apps: ['demo.*'], envs: ['*'], exp }, KEY)
}

/** A write through the ordinary HTTP API, as another client would make it. */
async function write(
  registry: LocalRegistry,
  op: 'register' | 'cancel' | 'set',
  form: Record<string, string>,
  bearer?: string
): Promise<void> {
  const response = await fetch(`${registry.url}/discovery/${op}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    body: new URLSearchParams(form),
  })
  const body = await response.text()
  if (!body.startsWith('{"code":0')) throw new Error(`${op}: ${response.status} ${body}`)
}

/** Register `hostnames` of `appid` (env dev): the first ones UP in sh001, one WAITING in sh002. */
async function seed(registry: LocalRegistry, appid: string, bearer?: string): Promise<void> {
  const hosts: [string, string, string, string][] = [
    ['api-1', 'sh001', '1', '{"weight":"20","color":"blue","cluster":"c1"}'],
    ['api-2', 'sh001', '1', '{"weight":"10","color":"green","cluster":"c1"}'],
    ['api-3', 'sh002', '2', '{"color":"blue","cluster":"c2"}'],
  ]
  for (const [hostname, zone, status, metadata] of hosts) {
    await write(
      registry,
      'register',
      {
        appid,
        env: 'dev',
        zone,
        hostname,
        status,
        addrs: `grpc://10.0.${zone === 'sh001' ? 1 : 2}.${hostname.slice(-1)}:9000`,
        version: 'v2.3.1',
        metadata,
      },
      bearer
    )
  }
}

const row = (page: Page, hostname: string) => page.locator(`tr[data-hostname="${hostname}"]`)

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  browser = await launchBrowser()
  open = await startRegistry({ vars: {} })
  authed = await startRegistry({ vars: { AUTH: 'tokens', TOKEN_KEYS: `${KEY.kid}:${KEY.secret}` } })
}, 120_000)

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()))
  await browser?.close()
  await Promise.allSettled([open?.stop(), authed?.stop()])
})

describe('the console with AUTH=off', () => {
  it('lists the registered apps and instances, at 1280 px and on a phone', TIMEOUT, async () => {
    const appid = nextApp()
    await seed(open, appid)
    await write(open, 'register', {
      appid: 'payments.api',
      env: 'prod',
      zone: 'sh001',
      hostname: 'pay-1',
      status: '1',
      addrs: 'http://10.9.0.1:8080',
    })
    for (const [viewport, name] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      const { page, problems } = await tab(viewport)
      await page.goto(`${open.url}/`)
      const app = page.locator(`tr[data-appid="${appid}"]`)
      await expect(app.locator('.pill.up').textContent()).resolves.toBe('2 UP')
      await expect(app.locator('.pill.waiting').textContent()).resolves.toBe('1 WAITING')
      expect(await app.locator('.zone-chip').allTextContents()).toEqual(['sh001', 'sh002'])
      await expect(
        page.locator('section.env[data-env="prod"] .app-link').first().textContent()
      ).resolves.toBe('payments.api')
      await connState(page, 'live')
      await shot(page, `overview-${name}`)

      await app.locator('.app-link').click()
      await page.waitForURL(/\/app\?/)
      await expect(row(page, 'api-1').locator('.badge').textContent()).resolves.toBe('UP')
      await expect(row(page, 'api-3').locator('.badge').textContent()).resolves.toBe('WAITING')
      await expect(row(page, 'api-1').locator('.addr').textContent()).resolves.toBe(
        'grpc://10.0.1.1:9000'
      )
      await expect(row(page, 'api-1').textContent()).resolves.toContain('v2.3.1')
      await expect(row(page, 'api-1').locator('.kv').allTextContents()).resolves.toEqual([
        'clusterc1',
        'colorblue',
        'weight20',
      ])
      await expect(row(page, 'api-1').locator('.lease').textContent()).resolves.toMatch(/renewed/)
      expect(await page.locator('.history-table tbody tr').count()).toBe(3)
      await connState(page, 'live')
      await shot(page, `app-${name}`)
      expect(problems).toEqual([])
    }
  })

  it(
    'shows a register and a cancel made by another client within 2 s, without reloading',
    TIMEOUT,
    async () => {
      const appid = nextApp()
      await seed(open, appid)
      const { page, problems } = await tab()
      await page.goto(`${open.url}/app?appid=${appid}&env=dev`)
      await connState(page, 'live')
      await page.evaluate(() => {
        ;(window as unknown as { loadedOnce: boolean }).loadedOnce = true
      })

      let sent = Date.now()
      await write(open, 'register', {
        appid,
        env: 'dev',
        zone: 'sh002',
        hostname: 'live-1',
        status: '1',
        addrs: 'http://10.0.2.9:8000',
      })
      await row(page, 'live-1').waitFor({ timeout: 2000 })
      const shown = Date.now() - sent
      await shot(page, 'live-register')

      sent = Date.now()
      await write(open, 'cancel', { appid, env: 'dev', zone: 'sh002', hostname: 'live-1' })
      await row(page, 'live-1').waitFor({ state: 'detached', timeout: 2000 })
      const gone = Date.now() - sent
      expect(
        await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)
      ).toBe(true)
      expect(shown).toBeLessThan(2000)
      expect(gone).toBeLessThan(2000)

      // the overview: a new instance of a listed app, and an app that did not exist
      await page.goto(`${open.url}/`)
      await connState(page, 'live')
      const newcomer = nextApp()
      sent = Date.now()
      await write(open, 'register', {
        appid: newcomer,
        env: 'dev',
        zone: 'sh001',
        hostname: 'n1',
        status: '1',
        addrs: 'http://10.0.3.1:8000',
      })
      await page.locator(`tr[data-appid="${newcomer}"]`).waitFor({ timeout: 2000 })
      expect(Date.now() - sent).toBeLessThan(2000)
      await write(open, 'register', {
        appid: newcomer,
        env: 'dev',
        zone: 'sh001',
        hostname: 'n2',
        status: '1',
        addrs: 'http://10.0.3.2:8000',
      })
      await page
        .locator(`tr[data-appid="${newcomer}"] .pill.up`, { hasText: '2 UP' })
        .waitFor({ timeout: 2000 })
      await shot(page, 'live-overview')
      expect(problems).toEqual([])
    }
  )

  it('says when it lost the registry', TIMEOUT, async () => {
    const lonely = await startRegistry({ vars: {} })
    const appid = nextApp()
    await seed(lonely, appid)
    const { page } = await tab()
    await page.goto(`${lonely.url}/app?appid=${appid}&env=dev`)
    await connState(page, 'live')
    await lonely.stop()
    await connState(page, 'offline', 15_000)
    await expect(page.locator('#conn .conn-text').textContent()).resolves.toMatch(
      /^Connection lost · retrying · last update /
    )
    expect(await page.locator('#offline').isVisible()).toBe(true)
    expect(await row(page, 'api-1').count()).toBe(1) // what it knew stays on screen
    await shot(page, 'lost-connection')
  })

  it('is readable without JavaScript', TIMEOUT, async () => {
    const appid = nextApp()
    await seed(open, appid)
    const { page } = await tab(DESKTOP, { javaScript: false })
    await page.goto(`${open.url}/app?appid=${appid}&env=dev`)
    await expect(row(page, 'api-2').locator('.badge').textContent()).resolves.toBe('UP')
    expect(await page.locator('.action-buttons').first().isVisible()).toBe(false)
    expect(await page.locator('#conn').isVisible()).toBe(false)
    await shot(page, 'no-javascript')
  })
})

describe('the console with auth on', () => {
  it('asks for a token, keeps it in sessionStorage and never in a URL', TIMEOUT, async () => {
    const admin = await token(['admin'], 'ops-admin')
    const appid = nextApp()
    await seed(authed, appid, admin)
    const { page, problems, urls } = await tab()
    await page.goto(`${authed.url}/`)
    await page.locator('#signin-form').waitFor()
    expect(await page.locator('tr[data-appid]').count()).toBe(0)
    expect(await page.locator('form.filters').isVisible()).toBe(false)
    await shot(page, 'signin')

    await page.fill('#signin-token', admin)
    await page.click('#signin-form button[type="submit"]')
    await page.locator(`tr[data-appid="${appid}"]`).waitFor()
    await expect(page.locator('.who .tid').textContent()).resolves.toBe('ops-admin')
    expect(await page.locator('form.filters').isVisible()).toBe(true)
    expect(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBe(admin)
    await connState(page, 'live')

    await page.reload() // the tab keeps it
    await page.locator(`tr[data-appid="${appid}"]`).waitFor()
    await page.click(`tr[data-appid="${appid}"] .app-link`)
    await row(page, 'api-1').waitFor()
    await connState(page, 'live')
    expect(urls.filter((u) => u.includes(admin))).toEqual([])
    expect(page.url()).not.toContain(admin)

    await page.click('[data-signout]')
    await page.locator('#signin-form').waitFor()
    expect(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBeNull()
    expect(problems).toEqual([])
  })

  it(
    'drains, undrains, weighs and cancels through the write routes, each in the history',
    TIMEOUT,
    async () => {
      const admin = await token(['admin'], 'ops-admin')
      const appid = nextApp()
      await seed(authed, appid, admin)
      for (const [viewport, name] of [
        [DESKTOP, 'desktop'],
        [PHONE, 'phone'],
      ] as const) {
        const { page, problems } = await tab(viewport, { token: admin })
        await page.goto(`${authed.url}/app?appid=${appid}&env=dev`)
        await connState(page, 'live')
        if (name === 'phone') {
          await shot(page, 'app-admin-phone')
          continue
        }
        const historyRows = () => page.locator('.history-table tbody tr').count()
        const before = await historyRows()

        await row(page, 'api-1').locator('[data-action="drain"]').click()
        await page.locator('#confirm[open]').waitFor()
        await expect(page.locator('#confirm-title').textContent()).resolves.toBe('Drain api-1?')
        await page.screenshot({ path: join(SHOTS, 'drain-confirm.png') })
        await page.click('#confirm-yes')
        await page
          .locator('tr[data-hostname="api-1"][data-status="waiting"]')
          .waitFor({ timeout: 2000 })
        await waitFor(
          'a history entry for the drain',
          async () => (await historyRows()) === before + 1
        )
        const newest = page.locator('.history-table tbody tr').first()
        await expect(newest.locator('.op').textContent()).resolves.toBe('set')
        await expect(newest.textContent()).resolves.toContain('api-1')
        await expect(newest.locator('.actor').textContent()).resolves.toBe('token:ops-admin')
        const fetched = (await (
          await fetch(`${authed.url}/discovery/fetch?appid=${appid}&env=dev&status=3`, {
            headers: { authorization: `Bearer ${admin}` },
          })
        ).json()) as { data: { instances: Record<string, { hostname: string; status: number }[]> } }
        const api1 = fetched.data.instances.sh001?.find((i) => i.hostname === 'api-1')
        expect(api1?.status).toBe(2)
        await shot(page, 'drained')

        await row(page, 'api-1').locator('[data-action="undrain"]').click()
        await page.click('#confirm-yes')
        await page.locator('tr[data-hostname="api-1"][data-status="up"]').waitFor({ timeout: 2000 })

        await row(page, 'api-2').locator('[data-action="weight"]').click()
        await page.fill('#confirm-weight', '0')
        await page.click('#confirm-yes')
        await expect(page.locator('#confirm-error').textContent()).resolves.toContain('1 to 10000')
        await page.fill('#confirm-weight', '35')
        await page.click('#confirm-yes')
        await row(page, 'api-2').locator('.kv', { hasText: 'weight35' }).waitFor({ timeout: 2000 })

        await row(page, 'api-3').locator('[data-action="cancel"]').click()
        await page.click('#confirm-no') // changed its mind: nothing happens
        expect(await row(page, 'api-3').count()).toBe(1)
        await row(page, 'api-3').locator('[data-action="cancel"]').click()
        await page.click('#confirm-yes')
        await row(page, 'api-3').waitFor({ state: 'detached', timeout: 2000 })
        await waitFor(
          'the four changes in the history',
          async () => (await historyRows()) === before + 4
        )
        expect(
          await page
            .locator('.history-table tbody tr .op')
            .evaluateAll((ops) => ops.slice(0, 4).map((o) => o.textContent))
        ).toEqual(['cancel', 'set', 'set', 'set'])
        await shot(page, 'app-admin-desktop')
        expect(problems).toEqual([])
      }
    }
  )

  it('shows a read token no action and no history, and keeps it live', TIMEOUT, async () => {
    const admin = await token(['admin'], 'ops-admin')
    const reader = await token(['read'], 'ops-reader')
    const appid = nextApp()
    await seed(authed, appid, admin)
    const { page, problems } = await tab(DESKTOP, { token: reader })
    await page.goto(`${authed.url}/app?appid=${appid}&env=dev`)
    await row(page, 'api-1').waitFor()
    await connState(page, 'live') // a session with the read token, offered as bearer.<token>
    expect(await page.locator('[data-action]').count()).toBe(0)
    expect(await page.locator('th.actions-head').count()).toBe(0)
    await expect(page.locator('section.history').textContent()).resolves.toContain(
      'needs a token with scope admin'
    )
    await write(
      authed,
      'register',
      { appid, env: 'dev', zone: 'sh001', hostname: 'api-9', status: '1', addrs: 'http://x:1' },
      admin
    )
    await row(page, 'api-9').waitFor({ timeout: 2000 })
    await shot(page, 'app-read-only')
    expect(problems).toEqual([])
  })
})
