/** Helpers for workerd tests: requests shaped like the reference Go SDK's, and stub access. */

import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { afterEach } from 'vitest'
import { registryName } from '../../src/server/registry-stub.ts'
import { encodeForm } from '../support/discovery-client.ts'
import type { TestRegistryObject } from './worker.ts'

export const BASE = 'http://127.0.0.1:7171/discovery'

/** The worker under test (its default export). */
export const worker = (exports as unknown as { default: Fetcher }).default

/** A fresh appid per test, so objects never carry state between tests. */
export const freshAppid = () => `demo.${crypto.randomUUID()}`

/** POST a form the way the Go SDK does: urlencoded, keys sorted, lists as repeated keys. */
export async function post(path: string, params: Record<string, string | string[]>) {
  const res = await worker.fetch(`${BASE}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeForm(params),
  })
  return { status: res.status, text: await res.text() }
}

export async function get(pathAndQuery: string, init?: RequestInit) {
  const res = await worker.fetch(`${BASE}/${pathAndQuery}`, init)
  return { status: res.status, text: await res.text() }
}

/** Register hostname `h` of `appid` in env dev, zone sh001. */
export const register = (appid: string, h: string, extra: Record<string, string | string[]> = {}) =>
  post('register', {
    appid,
    env: 'dev',
    zone: 'sh001',
    hostname: h,
    status: '1',
    addrs: [`grpc://10.0.0.1:${9000}`],
    ...extra,
  })

export const renew = (appid: string, h: string) =>
  post('renew', { appid, env: 'dev', zone: 'sh001', hostname: h })

/** The app's registry object. */
export const stubOf = (appid: string) => env.REGISTRY.getByName(registryName(appid, 'dev'))

/**
 * The appids whose lease alarm the file's tests arm: push each one, and after every test its
 * alarm is run out, since alarms are not reset between tests (workers-sdk #5388). Call once at
 * the top of a test file.
 */
export function drainAlarms(): string[] {
  const apps: string[] = []
  afterEach(async () => {
    for (const appid of apps.splice(0)) await runDurableObjectAlarm(stubOf(appid))
  })
  return apps
}

/** Move the app object's clock forward. */
export const advance = (appid: string, ms: number) =>
  runInDurableObject(stubOf(appid), (instance: TestRegistryObject) => instance.advanceClock(ms))

/** Hostnames listed by fetch (status 3), or undefined on -404. */
export async function hostnames(appid: string): Promise<string[] | undefined> {
  const { text } = await get(`fetch?appid=${appid}&env=dev&status=3`)
  if (text.startsWith('{"code":-404')) return undefined
  return [...text.matchAll(/"hostname":"([^"]*)"/g)].map((m) => m[1] ?? '').sort()
}

/** The top-level latest_timestamp digits of a fetch. */
export async function latest(appid: string): Promise<string | undefined> {
  const { text } = await get(`fetch?appid=${appid}&env=dev&status=3`)
  return /"latest_timestamp":(\d+)}}$/.exec(text)?.[1]
}

/**
 * Wait until `check` holds, asking again every few milliseconds; fails after `timeoutMs`.
 * Tests wait for a condition this way, never for a fixed time.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`waitFor: the condition did not hold within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
