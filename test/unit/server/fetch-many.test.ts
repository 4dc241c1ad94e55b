/**
 * fetchs and fetch/all in Node: the same answers as ever, built from a bounded window of views
 * (APP_BYTES decides how many), so the Worker's memory does not grow with the apps asked for.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { registryName } from '../../../src/server/registry-stub.ts'
import { inOrder, windowFor } from '../../../src/server/streamed-answer.ts'
import { testApp } from './test-app.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

const APPS = Array.from({ length: 10 }, (_, i) => `demo.app${i}`)

/** An app with APPS registered, whose objects count the reads in flight at once. */
async function countedReads(vars: Record<string, string>) {
  const built = testApp(vars)
  let inFlight = 0
  let most = 0
  for (const appid of APPS) {
    const form = { appid, env: 'dev', zone: 'sh001', hostname: 'h1', status: 1, addrs: 'x' }
    expect((await built.call('/discovery/register', { form })).code).toBe('0')
    const stub = built.env.REGISTRY.getByName(registryName(appid, 'dev'))
    for (const method of ['snapshot', 'all'] as const) {
      const real = stub[method].bind(stub) as (...args: unknown[]) => unknown
      vi.spyOn(stub, method).mockImplementation((async (...args: unknown[]) => {
        most = Math.max(most, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 2))
        inFlight -= 1
        return real(...args)
      }) as never)
    }
  }
  return { ...built, most: () => most }
}

describe('fetchs and fetch/all', () => {
  it('ask at most FETCH_BUFFER_BYTES / APP_BYTES objects at a time (2 at the default 8 MiB)', async () => {
    const { call, most } = await countedReads({})
    const appids = APPS.map((a) => `appid=${a}`).join('&')
    const fetchs = await call(`/discovery/fetchs?${appids}&appid=demo.none&env=dev&status=1`)
    expect(fetchs.code).toBe('0')
    const data = JSON.parse(fetchs.text).data as Record<string, unknown>
    expect(Object.keys(data)).toEqual(APPS)
    const all = await call('/discovery/fetch/all')
    expect(Object.keys(JSON.parse(all.text).data)).toEqual([...APPS, 'infra.discovery'])
    expect(most()).toBe(2)
  })

  it('ask more at a time when APP_BYTES is smaller', async () => {
    const { call, most } = await countedReads({ APP_BYTES: String(1024 * 1024) })
    await call(`/discovery/fetchs?${APPS.map((a) => `appid=${a}`).join('&')}&env=dev&status=1`)
    expect(most()).toBe(10)
    expect(windowFor(65_536)).toBe(32)
  })

  it('answer an empty fetchs and a fetch/all with no app as before', async () => {
    const { call } = testApp()
    expect((await call('/discovery/fetchs?appid=a&appid=b&env=dev&status=1')).text).toBe(
      '{"code":0,"message":"0","ttl":1,"data":{}}'
    )
    expect((await call('/discovery/fetch/all')).text).toMatch(
      /^\{"code":0,"message":"0","ttl":1,"data":\{"infra.discovery":\[\{.*\}\]\}\}$/
    )
  })
})

describe('inOrder', () => {
  it('keeps the order, and starts a load only once an earlier one was taken', async () => {
    const started: number[] = []
    const loads = inOrder([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n)
      await new Promise((resolve) => setTimeout(resolve, 6 - n))
      return n * 10
    })
    const taken: number[] = []
    for await (const value of loads) {
      taken.push(value)
      expect(started.length).toBeLessThanOrEqual(taken.length + 1)
    }
    expect(taken).toEqual([10, 20, 30, 40, 50])
  })
})
