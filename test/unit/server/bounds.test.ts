/**
 * Bounds no accepted request can break, over HTTP in Node (real AppRegistry behind fake
 * namespaces): an app's byte budget (APP_BYTES), the metadata limit on what a set merges, and
 * client timestamps at most a minute past the clock. Each refusal is a -400 naming what it
 * broke and changes nothing; the reads keep answering.
 */
import { describe, expect, it } from 'vitest'
import { INT64_MAX } from '../../../src/registry/clock.ts'
import { testApp } from './test-app.ts'

const register = (
  appid: string,
  hostname: string,
  extra: Record<string, string | string[]> = {}
) => ({
  form: {
    appid,
    env: 'dev',
    zone: 'sh001',
    hostname,
    status: 1,
    addrs: 'grpc://10.0.0.1:9000',
    ...extra,
  },
})

/** A register of about 24 KiB: 32 long addresses and 8 KiB of metadata. */
const large = (appid: string, hostname: string) =>
  register(appid, hostname, {
    addrs: Array.from({ length: 32 }, (_, i) => `grpc://10.0.0.1:${i}/${'p'.repeat(480)}`),
    metadata: JSON.stringify({ pad: 'm'.repeat(8 * 1024 - 20) }),
  })

describe('the byte budget (APP_BYTES)', () => {
  it('refuses the register that would pass it with -400 naming APP_BYTES; every read still answers', async () => {
    const { call } = testApp({ APP_BYTES: String(256 * 1024) })
    const codes: string[] = []
    let refusal = ''
    for (let i = 0; i < 20 && refusal === ''; i++) {
      const r = await call('/discovery/register', large('demo.big', `h${i}`))
      codes.push(r.code ?? '')
      if (r.code !== '0') refusal = r.text
    }
    expect(codes.filter((c) => c === '0').length).toBeGreaterThanOrEqual(9)
    expect(refusal).toMatch(
      /^\{"code":-400,"message":"APP_BYTES: demo.big \(env dev\) would hold \d+ bytes of instances, over its budget of 262144","ttl":1\}$/
    )
    const fetched = await call('/discovery/fetch?appid=demo.big&env=dev&status=3')
    expect(fetched.code).toBe('0')
    expect(new TextEncoder().encode(fetched.text).length).toBeLessThan(256 * 1024 + 200)
    expect(fetched.text.match(/"hostname":/g)).toHaveLength(codes.length - 1)
    expect((await call('/discovery/fetchs?appid=demo.big&env=dev&status=3')).code).toBe('0')
    expect((await call('/discovery/fetch/all')).code).toBe('0')
    // what shrinks the app is still accepted
    expect((await call('/discovery/register', register('demo.big', 'h0'))).code).toBe('0')
  })
})

describe('set', () => {
  it('refuses metadata that would pass 8 KiB once merged, naming metadata; nothing changes', async () => {
    const { call } = testApp()
    expect((await call('/discovery/register', register('demo.a', 'h1'))).code).toBe('0')
    const set = (key: string) =>
      call('/discovery/set', {
        form: {
          appid: 'demo.a',
          env: 'dev',
          zone: 'sh001',
          hostname: 'h1',
          metadata: JSON.stringify({ [key]: 'v'.repeat(1000) }),
        },
      })
    const answers = []
    for (let i = 0; i < 10; i++) answers.push(await set(`k${i}`))
    expect(answers.slice(0, 8).map((a) => a.code)).toEqual(Array(8).fill('0'))
    expect(answers[8]?.text).toBe(
      `{"code":-400,"message":"metadata: merged into h1's it would be longer than 8192 bytes","ttl":1}`
    )
    const view = (await call('/discovery/fetch?appid=demo.a&env=dev&status=3')).text
    expect(view).toContain('"k7"')
    expect(view).not.toContain('"k8"')
  })
})

describe('client timestamps', () => {
  it('are taken at most a minute past the clock (clamped, not refused)', async () => {
    const { call } = testApp()
    const before = BigInt(Date.now()) * 1_000_000n
    const r = await call(
      '/discovery/register',
      register('demo.a', 'h1', { dirty_timestamp: String(INT64_MAX) })
    )
    expect(r.code).toBe('0')
    const view = (await call('/discovery/fetch?appid=demo.a&env=dev&status=3')).text
    const dirty = BigInt(/"dirty_timestamp":(\d+)/.exec(view)?.[1] ?? '0')
    const after = BigInt(Date.now()) * 1_000_000n
    expect(dirty).toBeGreaterThanOrEqual(before + 60_000_000_000n)
    expect(dirty).toBeLessThanOrEqual(after + 60_000_000_000n)
  })
})
