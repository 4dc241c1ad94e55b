/** Helpers for workerd tests: requests shaped like the reference Go SDK's, and stub access. */
import { env, exports } from 'cloudflare:workers'

import { runInDurableObject } from 'cloudflare:test'
import { registryName } from '../../src/server/registry-stub.ts'
import type { TestRegistryObject } from './worker.ts'

export const BASE = 'http://127.0.0.1:7171/discovery'

/** The worker under test (its default export). */
const worker = (exports as unknown as { default: Fetcher }).default

/** A fresh appid per test, so objects never carry state between tests. */
export const freshAppid = () => `demo.${crypto.randomUUID()}`

/** POST a form the way the Go SDK does: urlencoded, keys sorted, lists as repeated keys. */
export async function post(path: string, params: Record<string, string | string[]>) {
  const body = new URLSearchParams()
  for (const key of Object.keys(params).sort()) {
    const value = params[key] ?? ''
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v)
  }
  const res = await worker.fetch(`${BASE}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  })
  return { status: res.status, text: await res.text() }
}

export async function get(pathAndQuery: string, init?: RequestInit) {
  const res = await worker.fetch(`${BASE}/${pathAndQuery}`, init)
  return { status: res.status, text: await res.text() }
}

/** Register hostname `h` of `appid` in env dev, zone sh001. */
export const register = (appid: string, h: string, extra: Record<string, string | string[]> = {}) =>
  post('register', { appid, env: 'dev', zone: 'sh001', hostname: h, status: '1', addrs: [`grpc://10.0.0.1:${9000}`], ...extra })

export const renew = (appid: string, h: string) => post('renew', { appid, env: 'dev', zone: 'sh001', hostname: h })

/** The app's registry object. */
export const stubOf = (appid: string) => env.REGISTRY.getByName(registryName(appid, 'dev'))

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
