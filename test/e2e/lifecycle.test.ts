/**
 * Client lifecycles over HTTP: a consumer's held polls woken by a provider's register, state
 * surviving a restart (Durable Object SQLite on disk), and the Go SDK's start-up session
 * (docs/protocol.md): polls for infra.discovery at cursor 0, then at the echoed cursor.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { sleep } from '../../scripts/shared/wait.ts'
import { appids, Discovery, hostnamesOf, instancesOf, ts } from '../support/discovery-client.ts'

const HOLD_MS = 2000
const NOT_MODIFIED = '{"code":-304,"message":"-304","ttl":1}'
/** What the Go SDK sends with every request (ignorable, but it must not hurt). */
const SDK_HEADERS = {
  'user-agent': 'blademaster go1.21 consumer-1 demo.consumer',
  'x1-bmspy-timeout': '40000',
}

const nextApp = appids('demo.lc')

/** The exact digits of `appid`'s latest_timestamp in a polls answer, as a Go client reads them. */
function pollsCursor(text: string, appid: string): string {
  const at = text.indexOf(`${JSON.stringify(appid)}:{"instances":`)
  if (at < 0) throw new Error(`${appid} not in ${text.slice(0, 200)}`)
  const match = /(?:\]|\{)\},"latest_timestamp":(\d+)\}/.exec(text.slice(at))
  if (!match?.[1]) throw new Error(`no latest_timestamp for ${appid}`)
  return match[1]
}

describe('with a running registry', () => {
  let registry: LocalRegistry
  let consumer: Discovery
  let provider: Discovery

  beforeAll(async () => {
    registry = await startRegistry({ vars: { POLL_HOLD_SECONDS: String(HOLD_MS / 1000) } })
    consumer = new Discovery(registry.url)
    provider = new Discovery(registry.url)
  })
  afterAll(() => registry.stop())

  it('wakes held polls well under a second after another client registers', async () => {
    const app = nextApp()
    await provider.register(app, 'provider-1')
    const first = await consumer.polls(
      { [app]: 0 },
      { hostname: 'consumer-1' },
      { headers: SDK_HEADERS }
    )
    expect(first.body.code).toBe(0)
    const cursor = pollsCursor(first.text, app)
    const held = consumer.polls(
      { [app]: cursor },
      { hostname: 'consumer-1' },
      { headers: SDK_HEADERS }
    )
    await sleep(500)
    const registeredAt = performance.now()
    expect(
      (await provider.register(app, 'provider-2', { addrs: 'grpc://10.0.0.2:9000' })).body.code
    ).toBe(0)
    const woken = await held
    const latency = woken.at - registeredAt
    expect(woken.body.code).toBe(0)
    expect(latency).toBeLessThan(500)
    expect(hostnamesOf(woken.body.data[app])).toEqual(['provider-1', 'provider-2'])
    expect(BigInt(pollsCursor(woken.text, app)) > BigInt(cursor)).toBe(true)
  })

  it('serves a Go SDK session: infra.discovery at cursor 0, then holds at the echoed cursor', async () => {
    const infra = 'infra.discovery'
    const params = { hostname: 'consumer-1' }
    const start = await consumer.polls({ [infra]: 0 }, params, { headers: SDK_HEADERS })
    expect(start.status).toBe(200)
    expect(start.ms).toBeLessThan(1000)
    expect(start.body.code).toBe(0)
    expect(start.body.error).toEqual({ '-404': null })
    const nodes = instancesOf(start.body.data[infra])
    expect(nodes.map((i) => [i.zone, i.env, i.hostname, i.status, i.addrs])).toEqual([
      ['sh001', 'dev', registry.host, 1, [`http://${registry.host}`]],
    ])
    const cursor = pollsCursor(start.text, infra)
    expect(cursor).toBe(ts(start.body.data[infra].latest_timestamp).toString())
    expect(cursor).toMatch(/^\d{19}$/)

    const again = await consumer.polls({ [infra]: cursor }, params, { headers: SDK_HEADERS })
    expect(again.status).toBe(200)
    expect(again.text).toBe(NOT_MODIFIED)
    expect(again.ms).toBeGreaterThanOrEqual(HOLD_MS - 250)
    expect(again.ms).toBeLessThan(HOLD_MS + 1500)

    // Watching a new app: polls restarts with it at cursor 0 and answers only that app.
    const app = nextApp()
    await provider.register(app, 'provider-1')
    const watched = await consumer.polls({ [infra]: cursor, [app]: 0 }, params, {
      headers: SDK_HEADERS,
    })
    expect(watched.ms).toBeLessThan(1000)
    expect(watched.body.code).toBe(0)
    expect(Object.keys(watched.body.data)).toEqual([app])
    expect(hostnamesOf(watched.body.data[app])).toEqual(['provider-1'])
  })
})

describe('persistence', () => {
  let dir: string
  let registry: LocalRegistry | undefined

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'discovery-e2e-'))
  })
  afterAll(async () => {
    await registry?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps instances, metadata, statuses and latest_timestamp across a restart', async () => {
    const app = nextApp()
    registry = await startRegistry({ persistDir: dir, vars: { POLL_HOLD_SECONDS: '2' } })
    let d = new Discovery(registry.url)
    const addrs = ['grpc://10.0.0.1:9000', 'http://10.0.0.1:8000']
    expect((await d.register(app, 'h1', { addrs, metadata: '{"weight":"10"}' })).body.code).toBe(0)
    expect(
      (await d.register(app, 'h2', { zone: 'sh002', metadata: '{"cluster":"c1"}' })).body.code
    ).toBe(0)
    const set = await d.set(app, {
      hostname: 'h2',
      metadata: '{"weight":"20"}',
      status: 2,
      zone: 'sh002',
    })
    expect(set.body.code).toBe(0)
    const before = await d.fetch(app, { status: 3 })
    expect(before.body.code).toBe(0)
    const lt = await d.latest(app)
    await registry.stop()
    registry = undefined

    registry = await startRegistry({ persistDir: dir, vars: { POLL_HOLD_SECONDS: '2' } })
    d = new Discovery(registry.url)
    const after = await d.fetch(app, { status: 3 })
    expect(after.body.code).toBe(0)
    expect(await d.latest(app)).toBe(lt)
    expect(instancesOf(after.body.data)).toEqual(instancesOf(before.body.data))
    expect(
      instancesOf(after.body.data).map((i) => [i.zone, i.hostname, i.status, i.metadata, i.addrs])
    ).toEqual([
      ['sh001', 'h1', 1, { weight: '10' }, ['grpc://10.0.0.1:9000', 'http://10.0.0.1:8000']],
      ['sh002', 'h2', 2, { cluster: 'c1', weight: '20' }, ['grpc://10.0.0.1:9000']],
    ])
    // A poll at the pre-restart cursor has nothing new: the counter was restored, not reset.
    const poll = await d.polls({ [app]: lt })
    expect(poll.text).toBe(NOT_MODIFIED)

    const renew = await d.renew(app, 'h1')
    expect(renew.body.code).toBe(0)
    expect(renew.body.data.hostname).toBe('h1')
    expect((await d.renew(app, 'h2', { zone: 'sh002' })).body.code).toBe(0)
  })
})
