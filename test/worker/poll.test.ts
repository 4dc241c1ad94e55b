/** Held polls through the real WebSocket bridge between the Worker and the registry object. */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  advance,
  drainAlarms,
  freshAppid,
  get,
  latest,
  post,
  register,
  renew,
  stubOf,
  waitFor,
} from './support.ts'

const apps = drainAlarms()

const sockets = (appid: string) =>
  runInDurableObject(stubOf(appid), (_, state) => state.getWebSockets().length)

/** Wait until the app's object holds `n` watch sockets. */
const socketsReach = (appid: string, n: number) => waitFor(async () => (await sockets(appid)) === n)

async function heldPolls(appid: string) {
  await register(appid, 'h1')
  apps.push(appid)
  const cursor = await latest(appid)
  return get(`polls?appid=${appid}&latest_timestamp=${cursor}&env=dev&hostname=c1`)
}

describe('polls held by the Worker', () => {
  it('wakes within milliseconds when an instance registers', async () => {
    const appid = freshAppid()
    const poll = heldPolls(appid)
    await socketsReach(appid, 1)
    const sent = Date.now()
    await register(appid, 'h2')
    const { text } = await poll
    expect(Date.now() - sent).toBeLessThan(500)
    expect(text).toMatch(/^\{"code":0,"data":\{"demo\./)
    expect(text).toContain('"hostname":"h2"')
  })

  it('answers -304 after the hold time and leaves no socket behind', async () => {
    const appid = freshAppid()
    const started = Date.now()
    const { text } = await heldPolls(appid)
    expect(text).toBe('{"code":-304,"message":"-304","ttl":1}')
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(await sockets(appid)).toBe(0)
  })

  it('closes its sockets when the client goes away', async () => {
    const appid = freshAppid()
    await register(appid, 'h1')
    apps.push(appid)
    const abort = new AbortController()
    const poll = get(
      `polls?appid=${appid}&latest_timestamp=${await latest(appid)}&env=dev&hostname=c1`,
      {
        signal: abort.signal,
      }
    ).catch((error: unknown) => error)
    await socketsReach(appid, 1)
    abort.abort()
    await poll
    await socketsReach(appid, 0)
  })

  it('still wakes after the object was evicted from memory while the poll waited', async () => {
    const appid = freshAppid()
    const poll = heldPolls(appid)
    await socketsReach(appid, 1)
    await evictDurableObject(stubOf(appid))
    await post('cancel', { appid, env: 'dev', zone: 'sh001', hostname: 'nobody' })
    await register(appid, 'h2')
    expect((await poll).text).toContain('"hostname":"h2"')
  })

  it('wakes when the lease alarm evicts an instance', async () => {
    const appid = freshAppid()
    apps.push(appid)
    const live = Array.from({ length: 15 }, (_, i) => `live-${i}`)
    for (const h of [...live, 'silent']) await register(appid, h)
    const renewLiveAndScan = async (): Promise<void> => {
      await advance(appid, 30_000)
      for (const h of live) await renew(appid, h)
      await runDurableObjectAlarm(stubOf(appid))
    }
    for (let t = 0; t < 3; t++) await renewLiveAndScan() // 90 s: the guard still protects
    const poll = get(
      `polls?appid=${appid}&latest_timestamp=${await latest(appid)}&env=dev&hostname=c1`
    )
    await socketsReach(appid, 1)
    await renewLiveAndScan() // 120 s: renews look healthy, the silent instance goes
    const { text } = await poll
    expect(text).toMatch(/^\{"code":0,"data"/)
    expect(text).not.toContain('"hostname":"silent"')
    expect(text).toContain('"hostname":"live-0"')
  })

  it('wakes a polls over several apps when any one of them changes', async () => {
    const [a, b] = [freshAppid(), freshAppid()]
    await register(a, 'h1')
    await register(b, 'h1')
    apps.push(a, b)
    const [la, lb] = [await latest(a), await latest(b)]
    const poll = get(
      `polls?appid=${a}&appid=${b}&latest_timestamp=${la}&latest_timestamp=${lb}&env=dev&hostname=c1`
    )
    await socketsReach(a, 1)
    await socketsReach(b, 1)
    await post('set', {
      appid: b,
      env: 'dev',
      zone: 'sh001',
      hostname: 'h1',
      metadata: '{"w":"5"}',
    })
    const { text } = await poll
    expect(text).toContain(`"${b}":{"instances"`)
    expect(text).not.toContain(`"${a}":{"instances"`)
    expect(text).toContain('"metadata":{"w":"5"}')
    expect(await sockets(a)).toBe(0)
    expect(await sockets(b)).toBe(0)
  })

  it('holds polls on the longest multibyte zone, and refuses a longer one with -400', async () => {
    const appid = freshAppid()
    const zone = '中'.repeat(42) // 126 bytes: its socket tag z:<zone> fits the runtime's 256
    await register(appid, 'h1', { zone })
    apps.push(appid)
    const z = encodeURIComponent(zone)
    const cursor = await latest(appid)
    const poll = get(
      `polls?appid=${appid}&latest_timestamp=${cursor}&env=dev&zone=${z}&hostname=c1`
    )
    await socketsReach(appid, 1)
    await register(appid, 'h2', { zone })
    expect((await poll).text).toContain('"hostname":"h2"')
    const long = encodeURIComponent('中'.repeat(128))
    const refused = await get(
      `polls?appid=${appid}&latest_timestamp=0&env=dev&zone=${long}&hostname=c1`
    )
    expect(refused).toEqual({
      status: 200,
      text: '{"code":-400,"message":"zone: longer than 128 bytes","ttl":1}',
    })
  })

  it("say the app's state in the watch's 101 answer and send nothing before a change", async () => {
    const appid = freshAppid()
    await register(appid, 'h1')
    apps.push(appid)
    const watch = (zone: string, since: string) =>
      stubOf(appid).fetch(`https://registry/watch?zone=${zone}&since=${since}`, {
        headers: { Upgrade: 'websocket' },
      })
    const cursor = (await latest(appid)) ?? ''
    const missing = await watch('sh999', cursor)
    expect([missing.status, missing.headers.get('x-watch-state')]).toEqual([101, 'm'])
    missing.webSocket?.accept()
    missing.webSocket?.close()
    const held = await watch('sh001', cursor)
    expect([held.status, held.headers.get('x-watch-state')]).toEqual([101, 'u'])
    const ws = held.webSocket as WebSocket
    const messages: string[] = []
    ws.accept()
    ws.addEventListener('message', (event) => messages.push(String(event.data)))
    await socketsReach(appid, 1)
    await get(`nodes`) // a round trip: a message sent on accept would have arrived by now
    expect(messages).toEqual([])
    await register(appid, 'h2')
    await waitFor(() => messages.length === 1)
    expect(messages[0]).toMatch(/^c\{"instances":\{"sh001":\[/)
  })
})
