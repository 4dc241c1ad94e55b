/**
 * Checklist items (docs/protocol.md) 47–49, 51–56, 58–60 (poll, polls) and 62–64 (nodes, self-registration),
 * black-box over HTTP, speaking like the Go SDK: repeated appid/latest_timestamp, cursors echoed
 * as the exact digits received. The registry holds polls for HOLD_MS; the reference's 30 s hold
 * (items 50, 57), item 8 and item 61 are in conformance-long-hold.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { sleep } from '../../scripts/shared/wait.ts'
import { conformanceRegistry, NOT_MODIFIED } from '../support/conformance.ts'
import {
  type Body,
  type HttpAnswer,
  hostnamesOf,
  INSTANCE_KEYS,
  instancesOf,
  ts,
} from '../support/discovery-client.ts'

const HOLD_MS = 2000
/** Tolerance on hold times: early by scheduling, late by workerd and loopback. */
const EARLY_MS = 250
const LATE_MS = 1500

const { registry, d, nextApp, registeredApps } = conformanceRegistry('demo.p', {
  POLL_HOLD_SECONDS: String(HOLD_MS / 1000),
})

/** A poll or polls that was held the whole (short) hold and answered the bare -304. */
function expectNotModifiedAfterHold(r: HttpAnswer): void {
  expect(r.status).toBe(200)
  expect(r.text).toBe(NOT_MODIFIED)
  expect(r.ms).toBeGreaterThanOrEqual(HOLD_MS - EARLY_MS)
  expect(r.ms).toBeLessThan(HOLD_MS + LATE_MS)
}

/** A poll of `apps` held at their current cursors, then woken by registering h2 under `changed`. */
async function pollWokenByRegisterOf(apps: string[], changed: string): Promise<HttpAnswer> {
  const cursors: string[] = []
  for (const app of apps) cursors.push(await d.latest(app))
  const held = d.poll(apps, cursors)
  await sleep(300)
  await d.register(changed, 'h2')
  return held
}

/**
 * Register `hostname` under `app` `afterMs` into the `held` poll or polls, and expect the hold
 * to end with code 0 within a second of that register.
 */
async function wokenByRegister(
  held: Promise<HttpAnswer>,
  afterMs: number,
  app: string,
  hostname: string
): Promise<HttpAnswer> {
  await sleep(afterMs)
  const registeredAt = performance.now()
  expect((await d.register(app, hostname)).body.code).toBe(0)
  const r = await held
  expect(r.body.code).toBe(0)
  expect(r.ms).toBeGreaterThanOrEqual(afterMs)
  expect(r.at - registeredAt).toBeLessThan(1000)
  return r
}

/** Every entry of a polls answer's data is a non-null view with a real counter and UP only. */
function expectPollsEntriesSound(body: Body): void {
  for (const [appid, entry] of Object.entries(body.data as Record<string, Body>)) {
    expect(entry, appid).not.toBeNull()
    expect(Object.keys(entry), appid).toEqual(['instances', 'latest_timestamp'])
    expect(ts(entry.latest_timestamp) > 0n, appid).toBe(true)
    for (const instance of instancesOf(entry))
      expect(instance.status, `${appid} ${instance.hostname}`).toBe(1)
  }
}

describe('poll', () => {
  it('refuses a poll without hostname with -400 (item 47)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const r = await d.poll([app], [0], { hostname: undefined })
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(-400)
    expect(r.ms).toBeLessThan(1000)
  })

  it('answers a poll of an unknown appid at once with "<appid> not found" and no ttl (item 48)', async () => {
    const app = nextApp()
    const r = await d.poll([app], [0])
    expect(r.status).toBe(200)
    expect(r.text).toBe(`{"code":-404,"message":"${app} not found"}`)
    expect(r.ms).toBeLessThan(1000)
    const withoutCursor = await d.poll([app], undefined)
    expect(withoutCursor.text).toBe(`{"code":-404,"message":"${app} not found"}`)
  })

  it('answers a poll with cursor 0 or no cursor at once with the application view (item 49)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const lt = await d.latest(app)
    for (const cursors of [[0], undefined]) {
      const r = await d.poll([app], cursors)
      expect(r.status).toBe(200)
      expect(r.ms).toBeLessThan(1000)
      expect(r.text).toMatch(
        /^\{"code":0,"message":"0","ttl":1,"data":\{"instances":\{"sh001":\[\{.*\}\]\},"latest_timestamp":\d{19}\}\}$/
      )
      expect(hostnamesOf(r.body.data)).toEqual(['h1'])
      expect(ts(r.body.data.latest_timestamp).toString()).toBe(lt)
    }
  })

  it('answers -304 when nothing changes within the hold time (item 50, short hold)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const lt = await d.latest(app)
    expectNotModifiedAfterHold(await d.poll([app], [lt]))
  })

  it('wakes a held poll within about a second of a register (item 51)', async () => {
    const app = nextApp()
    await d.register(app, 'h1')
    const lt = await d.latest(app)
    const r = await wokenByRegister(d.poll([app], [lt]), 1000, app, 'h2')
    expect(hostnamesOf(r.body.data)).toEqual(['h1', 'h2'])
    expect(ts(r.body.data.latest_timestamp) > BigInt(lt)).toBe(true)
  })

  it('answers data null when a change of a non-first appid wakes the poll (server choice, §3.7)', async () => {
    const [a, b] = await registeredApps('h1', 'h1')
    const r = await pollWokenByRegisterOf([a, b], b)
    expect(r.text).toBe('{"code":0,"message":"0","ttl":1,"data":null}')
    expect(r.ms).toBeLessThan(HOLD_MS)
  })

  it('answers a poll with the first appid data when the first appid changes', async () => {
    const [a, b] = await registeredApps('h1', 'h1')
    const r = await pollWokenByRegisterOf([a, b], a)
    expect(r.body.code).toBe(0)
    expect(r.ms).toBeLessThan(HOLD_MS)
    expect(instancesOf(r.body.data).map((i) => [i.appid, i.hostname])).toEqual([
      [a, 'h1'],
      [a, 'h2'],
    ])
  })

  it('takes every cursor as 0 when poll has fewer cursors than appids (§3.7)', async () => {
    const [a, b] = await registeredApps('h1', 'h1')
    const r = await d.poll([a, b], [await d.latest(a)])
    expect(r.ms).toBeLessThan(1000)
    expect(r.body.code).toBe(0)
    expect(instancesOf(r.body.data).map((i) => i.appid)).toEqual([a])
  })
})

describe('polls', () => {
  it('refuses polls with two appids and one latest_timestamp at once with -400 (item 52)', async () => {
    const [a, b] = await registeredApps('h1', 'h1')
    const r = await d.get('/discovery/polls', {
      appid: [a, b],
      env: 'dev',
      hostname: 'c1',
      latest_timestamp: 0,
    })
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(-400)
    expect(r.ms).toBeLessThan(1000)
  })

  it('answers polls with cursors 0 at once: code, message, data, error, no ttl (item 53)', async () => {
    const [a, b] = await registeredApps('h1', 'h2')
    const r = await d.polls({ [a]: 0, [b]: 0 }, { hostname: 'c1' })
    expect(r.status).toBe(200)
    expect(r.contentType).toMatch(/^application\/json/)
    expect(r.ms).toBeLessThan(1000)
    expect(Object.keys(r.body).sort()).toEqual(['code', 'data', 'error', 'message'])
    expect(r.body.code).toBe(0)
    expect(r.body.message).toBe('0')
    expect(r.text).toContain('"error":{"-404":null}')
    expect(r.body.error).toEqual({ '-404': null })
    expect(Object.keys(r.body.data).sort()).toEqual([a, b].sort())
    expect(hostnamesOf(r.body.data[a])).toEqual(['h1'])
    expect(hostnamesOf(r.body.data[b])).toEqual(['h2'])
    expect(ts(r.body.data[a].latest_timestamp).toString()).toBe(await d.latest(a))
    expect(ts(r.body.data[b].latest_timestamp).toString()).toBe(await d.latest(b))
  })

  it('answers only the appids whose cursor is behind (item 54)', async () => {
    const [a, b] = await registeredApps('h1', 'h2')
    const r = await d.polls({ [a]: await d.latest(a), [b]: 0 })
    expect(r.ms).toBeLessThan(1000)
    expect(r.body.code).toBe(0)
    expect(Object.keys(r.body.data)).toEqual([b])
  })

  it('lists unknown appids under error."-404" (item 55)', async () => {
    const a = nextApp()
    const x = nextApp()
    await d.register(a, 'h1')
    const r = await d.polls({ [a]: 0, [x]: 0 })
    expect(r.ms).toBeLessThan(1000)
    expect(r.body.code).toBe(0)
    expect(Object.keys(r.body.data)).toEqual([a])
    expect(r.text).toContain(`"error":{"-404":["${x}"]}`)
    expect(r.body.error).toEqual({ '-404': [x] })
  })

  it('holds polls of an unknown appid until it is registered (item 56)', async () => {
    const x = nextApp()
    const r = await wokenByRegister(d.polls({ [x]: 0 }), 500, x, 'h1')
    expect(Object.keys(r.body.data)).toEqual([x])
    expect(hostnamesOf(r.body.data[x])).toEqual(['h1'])
    expectPollsEntriesSound(r.body)
  })

  it('answers -304 when no polled appid changes within the hold time (item 57, short hold)', async () => {
    const [a, b] = await registeredApps('h1', 'h1')
    expectNotModifiedAfterHold(await d.polls({ [a]: await d.latest(a), [b]: await d.latest(b) }))
  })

  it('wakes held polls on a cancel with the remaining instance only (item 58)', async () => {
    const a = nextApp()
    await d.register(a, 'h1')
    await d.register(a, 'h2')
    const lt = await d.latest(a)
    const held = d.polls({ [a]: lt })
    await sleep(300)
    expect((await d.cancel(a, 'h2')).body.code).toBe(0)
    const r = await held
    expect(r.body.code).toBe(0)
    expect(r.ms).toBeLessThan(HOLD_MS)
    expect(Object.keys(r.body.data)).toEqual([a])
    expect(hostnamesOf(r.body.data[a])).toEqual(['h1'])
    expect(ts(r.body.data[a].latest_timestamp) > BigInt(lt)).toBe(true)
  })

  it('wakes held polls on a set with the new status and metadata (item 59)', async () => {
    const a = nextApp()
    await d.register(a, 'h1', { metadata: '{"weight":"10"}' })
    await d.register(a, 'h2', { metadata: '{"weight":"10"}' })
    const held = d.polls({ [a]: await d.latest(a) })
    await sleep(300)
    const set = await d.set(a, {
      hostname: ['h1', 'h2'],
      metadata: ['{"weight":"20"}', '{"weight":"30"}'],
      status: [1, 2],
    })
    expect(set.body.code).toBe(0)
    const r = await held
    expect(r.body.code).toBe(0)
    expect(r.ms).toBeLessThan(HOLD_MS)
    expect(instancesOf(r.body.data[a]).map((i) => [i.hostname, i.status, i.metadata])).toEqual([
      ['h1', 1, { weight: '20' }],
    ])
    expectPollsEntriesSound(r.body)
  })

  it('never answers WAITING instances, null entries or a zero latest_timestamp (item 60)', async () => {
    const mixed = nextApp()
    const waitingOnly = nextApp()
    await d.register(mixed, 'h1')
    await d.register(mixed, 'h2', { status: 2 })
    await d.register(waitingOnly, 'h1', { status: 2 })
    const immediate = await d.polls({ [mixed]: 0, [waitingOnly]: 0 })
    expect(immediate.body.code).toBe(0)
    expect(hostnamesOf(immediate.body.data[mixed])).toEqual(['h1'])
    expect(immediate.text).not.toContain('"status":2')
    for (const entry of Object.values(immediate.body.data as Record<string, Body>)) {
      expect(entry).not.toBeNull()
      expect(ts(entry.latest_timestamp) > 0n).toBe(true)
    }
    expectPollsEntriesSound(immediate.body)

    const held = d.polls({ [mixed]: await d.latest(mixed) })
    await sleep(300)
    await d.register(mixed, 'h3', { status: 2 })
    const woken = await held
    expect(woken.body.code).toBe(0)
    expect(hostnamesOf(woken.body.data[mixed])).toEqual(['h1'])
    expect(woken.text).not.toContain('"status":2')
    expectPollsEntriesSound(woken.body)
  })
})

describe('nodes and self-registration', () => {
  it('lists this node, UP, in its zone (item 62)', async () => {
    const r = await d.get('/discovery/nodes')
    expect(r.status).toBe(200)
    expect(r.body.code).toBe(0)
    expect(Array.isArray(r.body.data)).toBe(true)
    expect(r.text).toContain(`{"addr":"${registry.host}","status":0,"zone":"sh001"}`)
    expect(r.body.data).toContainEqual({ addr: registry.host, status: 0, zone: 'sh001' })
  })

  it('serves its own infra.discovery instance (item 63)', async () => {
    const r = await d.fetch('infra.discovery', { status: 1 })
    expect(r.body.code).toBe(0)
    const instances = instancesOf(r.body.data)
    expect(instances).toHaveLength(1)
    const [self] = instances
    expect(Object.keys(self)).toEqual([...INSTANCE_KEYS])
    expect(self.hostname).toBe(registry.host)
    expect(self.zone).toBe('sh001')
    expect(self.env).toBe('dev')
    expect(self.appid).toBe('infra.discovery')
    expect(self.addrs).toEqual([`http://${registry.host}`])
    expect(self.status).toBe(1)
    expect(Object.keys(r.body.data.instances)).toEqual(['sh001'])
  })

  it('answers polls of infra.discovery with cursor 0 with that instance (item 64)', async () => {
    const r = await d.get('/discovery/polls', {
      appid: 'infra.discovery',
      env: 'dev',
      hostname: 'x',
      latest_timestamp: 0,
    })
    expect(r.ms).toBeLessThan(1000)
    expect(r.body.code).toBe(0)
    const entry = r.body.data['infra.discovery']
    expect(ts(entry.latest_timestamp) > 0n).toBe(true)
    expect(instancesOf(entry).map((i) => [i.hostname, i.zone, i.addrs, i.status])).toEqual([
      [registry.host, 'sh001', [`http://${registry.host}`], 1],
    ])
  })

  describe('with HOSTNAME=node-1, as the reference registers its machine hostname (§6.6 step 4)', () => {
    const named = conformanceRegistry('demo.h', { HOSTNAME: 'node-1' })

    it('serves its infra.discovery instance under that hostname (item 63)', async () => {
      const r = await named.d.fetch('infra.discovery', { status: 1 })
      expect(r.body.code).toBe(0)
      expect(Object.keys(r.body.data.instances)).toEqual(['sh001'])
      expect(instancesOf(r.body.data).map((i) => [i.hostname, i.zone, i.addrs, i.status])).toEqual([
        ['node-1', 'sh001', [`http://${named.registry.host}`], 1],
      ])
    })
  })
})
