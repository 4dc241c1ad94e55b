/**
 * The Node side of in-page-harness.js: the page that loads it, its typed interface, and `inPage`
 * to call it through page.evaluate with a deadline (a hung SDK call then fails the step that
 * hung, with the page's console errors in the message, instead of the whole test timing out).
 */
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'

/** Served at `/harness.js` next to the SDK. */
export const HARNESS_FILE = fileURLToPath(new URL('./in-page-harness.js', import.meta.url))

/** The page: no favicon request (its 404 would be a console error), the harness as a module. */
export const HARNESS_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>discovery SDK</title>
<script type="module" src="/harness.js"></script></head><body></body></html>`

/** An error as the page reports it. */
export interface PageError {
  name: string
  message: string
  /** instanceof the SDK's DiscoveryError, checked in the page. */
  discoveryError: boolean
  status?: number
  code?: number
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: PageError }

/** The createDiscoveryClient options that cross into the page (functions cannot). */
export interface PageClientOptions {
  nodes: string[]
  env: string
  zone?: string
  hostname?: string
  token?: string
  renewIntervalMs?: number
  requestTimeoutMs?: number
  backoff?: { initialMs?: number; maxMs?: number }
}

export interface PageInstance {
  appid: string
  addrs: string[]
  hostname?: string
  metadata?: Record<string, string>
}

export interface Harness {
  exports(): string[]
  nodeGlobals(): { process: string; require: string }
  createClient(name: string, options: PageClientOptions): { hostname: string | null; zone: string }
  errors(name: string): PageError[]
  register(name: string, instance: PageInstance, timeoutMs?: number): Promise<Attempt<string>>
  cancel(appid: string, hostname: string): Promise<Attempt<void>>
  fetch(name: string, appid: string): Promise<Attempt<string[]>>
  watch(name: string, appid: string): void
  watched(name: string, appid: string): { seen: string[][]; end: null | 'done' | PageError } | null
  closeAll(): Promise<null>
}

type Call = (...args: unknown[]) => unknown

/** Each distinct line once, with how often it came: diagnostics stay readable after retries. */
function distinct(lines: readonly string[]): string {
  const counts = new Map<string, number>()
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1)
  return [...counts].map(([line, n]) => (n > 1 ? `${n}× ${line}` : line)).join(' | ') || 'none'
}

/** Wait until the harness (and so the SDK) has loaded in the page. */
export async function harnessReady(
  page: Page,
  problems: readonly string[],
  timeoutMs = 10_000
): Promise<void> {
  try {
    await page.waitForFunction(() => 'harness' in globalThis, undefined, { timeout: timeoutMs })
  } catch (error) {
    throw new Error(
      `the SDK did not load in the page (${String(error)}); page problems: ${problems.join(' | ')}`
    )
  }
}

/** Call `harness[name](...args)` in the page; rejects after `timeoutMs`. */
export async function inPage<K extends keyof Harness>(
  page: Page,
  name: K,
  ...args: Parameters<Harness[K]>
): Promise<Awaited<ReturnType<Harness[K]>>> {
  const timeoutMs = 20_000
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`harness.${name} took over ${timeoutMs} ms`)),
      timeoutMs
    )
  })
  const call = page.evaluate(
    ([n, a]) =>
      ((globalThis as unknown as { harness: Record<string, Call> }).harness[n] as Call)(...a),
    [name, args] as [string, unknown[]]
  )
  try {
    return (await Promise.race([call, deadline])) as Awaited<ReturnType<Harness[K]>>
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Wait until the watch `name/appid` in the page last yielded exactly `expected` (sorted); on
 * timeout the error tells what it yielded, what its client reported and what the console said.
 */
export async function watchUntil(
  { page, problems }: { page: Page; problems: readonly string[] },
  name: string,
  appid: string,
  expected: string[],
  timeoutMs = 10_000
): Promise<void> {
  const want = JSON.stringify([...expected].sort())
  try {
    await page.waitForFunction(
      ([n, a, w]) => {
        const harness = (globalThis as unknown as { harness: Harness }).harness
        return JSON.stringify(harness.watched(n, a)?.seen.at(-1)) === w
      },
      [name, appid, want] as const,
      { timeout: timeoutMs, polling: 50 }
    )
  } catch {
    const state = JSON.stringify(await inPage(page, 'watched', name, appid))
    const reported = distinct(
      (await inPage(page, 'errors', name)).map((e) => `${e.name}: ${e.message}`)
    )
    throw new Error(
      `watch ${name}/${appid} never listed ${want}; it yielded ${state}; onError got ${reported}; page problems: ${distinct(problems)}`
    )
  }
}
