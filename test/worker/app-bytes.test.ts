/**
 * An app filled to its byte budget (APP_BYTES at its largest, 15 MiB, with text outside Latin-1
 * so views cross RPC at two bytes per character) still answers fetch, fetchs, fetch/all and
 * polls: the budget refuses the register that would pass it, long before a view outgrows one
 * RPC message (32 MiB), which used to make every fetch of the app answer -500.
 */
import { describe, expect, it } from 'vitest'
import { drainAlarms, get, register } from './support.ts'

const apps = drainAlarms()

/** About 24 KiB: 32 addresses of 500 characters and 8 KiB of metadata, one character 中. */
const LARGE = {
  addrs: Array.from({ length: 32 }, (_, i) => `grpc://10.0.0.1:${i}/${'p'.repeat(480)}`),
  metadata: JSON.stringify({ pad: `中${'m'.repeat(8 * 1024 - 30)}` }),
}

describe('an app at its byte budget', () => {
  it('refuses the register past it with -400 naming APP_BYTES, and every read still answers', {
    timeout: 180_000,
  }, async () => {
    const appid = `full.${crypto.randomUUID()}`
    apps.push(appid)
    let count = 0
    let refusal = ''
    while (refusal === '' && count < 1600) {
      const { text } = await register(appid, `h${count}`, LARGE)
      if (text.startsWith('{"code":0')) count += 1
      else refusal = text
    }
    const fetched = await get(`fetch?appid=${appid}&env=dev&status=3`)
    expect(fetched.text.slice(0, 40)).toBe('{"code":0,"message":"0","ttl":1,"data":{')
    expect(refusal).toMatch(
      /^\{"code":-400,"message":"APP_BYTES: full\.[^ ]+ \(env dev\) would hold \d+ bytes of instances, over its budget of 15728640"/
    )
    expect(count).toBeGreaterThan(600)
    expect(fetched.text.match(/"hostname":/g)).toHaveLength(count)
    const fetchs = await get(`fetchs?appid=${appid}&appid=none&env=dev&status=3`)
    expect(fetchs.text.length).toBe(fetched.text.length + appid.length + 5)
    const all = await get('fetch/all')
    expect(all.text.slice(0, 40)).toBe('{"code":0,"message":"0","ttl":1,"data":{')
    expect(all.text).toContain(`"${appid}":[`)
    const polled = await get(`polls?appid=${appid}&latest_timestamp=0&env=dev&hostname=c`)
    expect(polled.text.slice(0, 20)).toBe('{"code":0,"data":{"f')
  })
})
