/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (no browser download; .ci/run installs the package). The flags keep it off the network it
 * cannot reach here (updates, sync, QUIC). Every page records its console errors and uncaught
 * exceptions so a test can assert that the SDK loaded and ran cleanly.
 */
import { type Browser, chromium, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true, // playwright-core adds --headless and a fresh --user-data-dir
    timeout: 30_000,
    args: [
      '--no-sandbox', // root in a container: Chromium's sandbox cannot start
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export interface WatchedPage {
  page: Page
  /** Console errors and uncaught exceptions, as text, in order. */
  problems: string[]
}

/** A new page (own context: no cache or cookies shared between tests) at `url`, loaded. */
export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const context = await browser.newContext()
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  await page.goto(url)
  return { page, problems }
}
