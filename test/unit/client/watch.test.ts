import { afterEach, describe, expect, it } from 'vitest'
import type { AppSnapshot } from '../../../src/client/app-snapshot.ts'
import { createDiscoveryClient, type DiscoveryClient } from '../../../src/client/client.ts'
import {
  type DiscoveryError,
  DiscoveryNetworkError,
  DiscoveryResponseError,
} from '../../../src/client/errors.ts'
import {
  anInstance,
  FakeTimers,
  fakeFetch,
  infraInstances,
  NOT_MODIFIED,
  ok,
  pollsAnswer,
  type SeenRequest,
  settle,
} from './fakes.ts'

interface HeldPoll {
  request: SeenRequest
  respond(body: string): void
  fail(): void
}

/** A registry whose polls wait until the test answers them. */
function pollServer() {
  const held: HeldPoll[] = []
  const fetch = fakeFetch((request) => {
    if (request.path !== '/discovery/polls') return ok()
    return new Promise<string>((resolve, reject) => {
      held.push({ request, respond: resolve, fail: () => reject(new TypeError('fetch failed')) })
    })
  })
  /** The one poll in flight (aborted ones are skipped). */
  async function poll(): Promise<HeldPoll> {
    await settle()
    const live = held.filter((p) => !p.request.signal.aborted)
    held.length = 0
    held.push(...live)
    if (live.length !== 1) throw new Error(`${live.length} polls in flight`)
    return held.shift() as HeldPoll
  }
  const inFlight = async () => {
    await settle()
    return held.filter((p) => !p.request.signal.aborted).length
  }
  return { fetch, poll, inFlight }
}

/** appid → cursor of a polls request, as sent. */
const cursors = (r: SeenRequest) => {
  const appids = r.params.get('appid') ?? []
  const stamps = r.params.get('latest_timestamp') ?? []
  return Object.fromEntries(appids.map((a, i) => [a, stamps[i]]))
}

const hosts = (s: AppSnapshot) =>
  Object.values(s.instances)
    .flat()
    .map((i) => i.hostname)
    .sort()

const h1 = anInstance({ hostname: 'h1' })
const h2 = anInstance({ hostname: 'h2', zone: 'sh002' })
const T1 = 1_700_000_000_000_000_011n
const T2 = 1_700_000_000_000_000_022n

let client: DiscoveryClient | undefined
afterEach(async () => {
  await client?.close()
  client = undefined
})

function setup(nodes = ['a:1'], random = () => 0.999) {
  const server = pollServer()
  const timers = new FakeTimers()
  const errors: DiscoveryError[] = []
  client = createDiscoveryClient({
    nodes,
    env: 'dev',
    zone: 'sh001',
    hostname: 'me',
    transport: 'http', // sessions: session-watch.test.ts
    fetch: server.fetch,
    timers,
    random,
    onError: (e) => errors.push(e),
    backoff: { initialMs: 1000, maxMs: 8000 },
  })
  return { ...server, client, timers, errors }
}

describe('DiscoveryClient.watch', () => {
  it('polls every watched app and infra.discovery in one request, echoing exact cursors', async () => {
    const { client, poll } = setup()
    const stream = client.watch(['demo.a', 'demo.b'])
    const first = stream.next()
    const p1 = await poll()
    expect(p1.request.params.get('env')).toEqual(['dev'])
    expect(p1.request.params.get('hostname')).toEqual(['me'])
    expect(p1.request.params.has('zone')).toBe(false)
    expect(p1.request.headers['x1-bmspy-timeout']).toBe('40000')
    expect(cursors(p1.request)).toEqual({ 'infra.discovery': '0', 'demo.a': '0', 'demo.b': '0' })
    p1.respond(
      pollsAnswer({ 'infra.discovery': [infraInstances(['a:1']), 5n], 'demo.a': [[h1, h2], T1] }, [
        'demo.b',
      ])
    )
    const snapshot = (await first).value as AppSnapshot
    expect(snapshot.appid).toBe('demo.a')
    expect(snapshot.latestTimestamp).toBe(T1)
    expect(hosts(snapshot)).toEqual(['h1', 'h2'])
    const p2 = await poll()
    expect(cursors(p2.request)).toEqual({
      'infra.discovery': '5',
      'demo.a': T1.toString(),
      'demo.b': '0',
    })
    p2.respond(NOT_MODIFIED)
    const p3 = await poll()
    expect(cursors(p3.request)).toEqual(cursors(p2.request))
  })

  it('yields each change, drops empty zones, and skips answers that change nothing a caller uses', async () => {
    const { client, poll } = setup()
    const stream = client.watch('demo.a')
    ;(await poll()).respond(pollsAnswer({ 'demo.a': [[h1], T1] }))
    expect(hosts((await stream.next()).value)).toEqual(['h1'])
    // same instance, new timestamps (e.g. it re-registered): nothing to tell
    ;(await poll()).respond(
      pollsAnswer({ 'demo.a': [[{ ...h1, regTimestamp: T2, latestTimestamp: T2 }], T2] })
    )
    const next = stream.next()
    const held = await poll()
    expect(cursors(held.request)['demo.a']).toBe(T2.toString())
    held.respond(
      `{"code":0,"data":{"demo.a":{"instances":{"sh001":[],"sh002":${JSON.stringify([])}},"latest_timestamp":${T2 + 1n}}},"error":{"-404":null},"message":"0"}`
    )
    ;(await poll()).respond(pollsAnswer({ 'demo.a': [[h1, h2], T2 + 2n] }))
    const changed = (await next).value as AppSnapshot
    expect(hosts(changed)).toEqual(['h1', 'h2'])
    expect(Object.keys(changed.instances).sort()).toEqual(['sh001', 'sh002'])
  })

  it('never replaces a non-empty list with an empty one (all WAITING, app gone, errors)', async () => {
    const { client, poll, errors } = setup()
    const stream = client.watch('demo.a')
    ;(await poll()).respond(pollsAnswer({ 'demo.a': [[h1], T1] }))
    expect(hosts((await stream.next()).value)).toEqual(['h1'])
    const next = stream.next()
    // every instance set to WAITING: polls sends the app with empty zones
    const waiting = await poll()
    waiting.respond(pollsAnswer({ 'demo.a': [[], T2] }))
    // the app is unknown (registry restarted without state): listed under error -404
    const gone = await poll()
    expect(cursors(gone.request)['demo.a']).toBe(T2.toString()) // no tight loop on an empty entry
    gone.respond(pollsAnswer({ 'infra.discovery': [infraInstances(['a:1']), 5n] }, ['demo.a']))
    ;(await poll()).respond(NOT_MODIFIED)
    let yielded = false
    void next.then(() => (yielded = true))
    await settle()
    expect(yielded).toBe(false)
    expect(errors).toEqual([])
    // and a later watcher of the same app starts from the last good list
    const late = client.watch('demo.a')
    expect(hosts((await late.next()).value)).toEqual(['h1'])
    await late.return?.()
  })

  it('restarts the held poll when a new app is watched, at cursor 0 for it only', async () => {
    const { client, poll } = setup()
    const a = client.watch('demo.a')
    ;(await poll()).respond(
      pollsAnswer({ 'infra.discovery': [infraInstances(['a:1']), 5n], 'demo.a': [[h1], T1] })
    )
    await a.next()
    const held = await poll()
    const b = client.watch('demo.b')
    await settle()
    expect(held.request.signal.aborted).toBe(true)
    const restarted = await poll()
    expect(cursors(restarted.request)).toEqual({
      'infra.discovery': '5',
      'demo.a': T1.toString(),
      'demo.b': '0',
    })
    restarted.respond(pollsAnswer({ 'demo.b': [[h2], T2] }))
    expect((await b.next()).value.appid).toBe('demo.b')
  })

  it('backs off with jitter after a failure, reports it, switches node and resets cursors there', async () => {
    const { client, poll, timers, errors } = setup(['a:1', 'b:2'])
    const stream = client.watch('demo.a')
    const first = await poll()
    expect(first.request.node).toBe('a:1')
    first.respond(pollsAnswer({ 'demo.a': [[h1], T1] }))
    await stream.next()
    const next = stream.next()
    ;(await poll()).fail()
    await settle()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(DiscoveryNetworkError)
    expect(timers.pending()[0]).toBeGreaterThanOrEqual(500) // 1 s step, upper-half jitter
    expect(timers.pending()[0]).toBeLessThanOrEqual(1000)
    await timers.advance(1000)
    const onB = await poll()
    expect(onB.request.node).toBe('b:2')
    expect(cursors(onB.request)).toEqual({ 'infra.discovery': '0', 'demo.a': '0' }) // node-local cursors
    onB.respond(pollsAnswer({ 'demo.a': [[h1], 77n] })) // same list from the other node: not a change
    ;(await poll()).respond(pollsAnswer({ 'demo.a': [[h2], 78n] }))
    expect(hosts((await next).value)).toEqual(['h2'])
  })

  it('treats a null entry or latest_timestamp 0 as a failed answer, as the Go SDK does', async () => {
    const { client, poll, errors, timers } = setup()
    const stream = client.watch('demo.a')
    ;(await poll()).respond('{"code":0,"data":{"demo.a":null},"error":{"-404":null},"message":"0"}')
    await settle()
    expect(errors[0]).toBeInstanceOf(DiscoveryResponseError)
    await timers.advance(1000)
    ;(await poll()).respond(pollsAnswer({ 'demo.a': [[h1], 0n] }))
    await settle()
    expect(errors).toHaveLength(2)
    await timers.advance(2000)
    ;(await poll()).respond(pollsAnswer({ 'demo.a': [[h1], T1] }))
    expect(hosts((await stream.next()).value)).toEqual(['h1'])
  })

  it('learns the registry nodes from infra.discovery and moves to them', async () => {
    const { client, poll } = setup(['seed:1'])
    const stream = client.watch('demo.a')
    const first = await poll()
    expect(first.request.node).toBe('seed:1')
    first.respond(
      pollsAnswer({
        'infra.discovery': [infraInstances(['10.0.0.7:7171', '10.0.0.8:7171']), 5n],
        'demo.a': [[h1], T1],
      })
    )
    await stream.next()
    const next = await poll()
    expect(['10.0.0.7:7171', '10.0.0.8:7171']).toContain(next.request.node)
    expect(cursors(next.request)).toEqual({ 'infra.discovery': '0', 'demo.a': '0' })
    expect([...client.knownNodes].sort()).toEqual(['http://10.0.0.7:7171', 'http://10.0.0.8:7171'])
  })

  it('ends on abort or break, and stops polling when nothing is watched', async () => {
    const { client, poll, inFlight, fetch } = setup()
    const controller = new AbortController()
    const a = client.watch('demo.a', { signal: controller.signal })
    const pending = a.next()
    await poll()
    controller.abort()
    expect(await pending).toEqual({ value: undefined, done: true })
    expect(await inFlight()).toBe(0)
    const count = fetch.requests.length

    const b = client.watch('demo.b')
    ;(await poll()).respond(pollsAnswer({ 'demo.b': [[h2], T2] }))
    for await (const snapshot of b) {
      expect(snapshot.appid).toBe('demo.b')
      break
    }
    expect(await inFlight()).toBe(0)
    expect(fetch.requests.length).toBe(count + 2)
    expect(await b.next()).toEqual({ value: undefined, done: true })
    expect(await client.watch('demo.c', { signal: AbortSignal.abort() }).next()).toEqual({
      value: undefined,
      done: true,
    })
  })
})
