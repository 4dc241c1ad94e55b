import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDiscoveryClient, type DiscoveryClient } from '../../../src/client/client.ts'
import {
  DiscoveryApiError,
  DiscoveryConfigError,
  type DiscoveryError,
  DiscoveryNetworkError,
  DiscoveryNotFoundError,
} from '../../../src/client/errors.ts'
import {
  code,
  FakeTimers,
  fakeFetch,
  infraInstances,
  NOT_MODIFIED,
  ok,
  pollsAnswer,
  refused,
  type SeenRequest,
} from './fakes.ts'

const RENEW_MS = 30_000

/** The clock of the current test: the fake registry holds polls on it. */
let timers = new FakeTimers()

/** Answers like a registry at `node`; `override` may answer a request first. */
function registryAt(override: (r: SeenRequest) => string | undefined = () => undefined) {
  return fakeFetch((r) => {
    const answer = override(r)
    if (answer !== undefined) return answer
    if (r.path === '/discovery/polls') {
      // infra.discovery at cursor 0 answers at once; after that the poll is held for 30 s
      if (r.params.get('latest_timestamp')?.[0] === '0')
        return pollsAnswer({ 'infra.discovery': [infraInstances([r.node]), 5n] })
      return new Promise<string>((resolve) =>
        timers.setTimeout(() => resolve(NOT_MODIFIED), 30_000)
      )
    }
    if (r.path === '/discovery/renew') return ok('{}')
    return ok()
  })
}

let client: DiscoveryClient | undefined
beforeEach(() => {
  timers = new FakeTimers()
})
afterEach(async () => {
  await client?.close()
  client = undefined
})

function setup(fetch: ReturnType<typeof fakeFetch>, nodes = ['a:1']) {
  const errors: DiscoveryError[] = []
  client = createDiscoveryClient({
    nodes,
    env: 'dev',
    zone: 'sh001',
    region: 'sh',
    hostname: 'host-1',
    transport: 'http', // sessions: session.test.ts
    fetch,
    timers,
    random: () => 0.999,
    onError: (e) => errors.push(e),
  })
  const writes = () =>
    fetch.requests.filter((r) => r.method === 'POST').map((r) => `${r.path.slice(11)}@${r.node}`)
  return { client, timers, errors, writes }
}

describe('DiscoveryClient.register', () => {
  it('resolves after the first register, sending what the Go SDK sends', async () => {
    const fetch = registryAt()
    const { client } = setup(fetch)
    const registration = await client.register({
      appid: 'demo.a',
      addrs: ['grpc://10.0.0.1:9000'],
      metadata: { weight: '20' },
      version: 'v2',
    })
    expect(registration.hostname).toBe('host-1')
    const register = fetch.requests.find((r) => r.path === '/discovery/register')
    expect(Object.fromEntries([...register!.params].map(([k, v]) => [k, v.join('|')]))).toEqual({
      addrs: 'grpc://10.0.0.1:9000',
      appid: 'demo.a',
      env: 'dev',
      hostname: 'host-1',
      metadata: '{"weight":"20"}',
      region: 'sh',
      status: '1',
      version: 'v2',
      zone: 'sh001',
    })
  })

  it('renews every renewIntervalMs', async () => {
    const fetch = registryAt()
    const { client, timers, writes, errors } = setup(fetch)
    await client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    await timers.advance(RENEW_MS - 1)
    expect(writes()).toEqual(['register@a:1'])
    await timers.advance(1)
    expect(writes()).toEqual(['register@a:1', 'renew@a:1'])
    await timers.advance(2 * RENEW_MS)
    expect(writes()).toEqual(['register@a:1', 'renew@a:1', 'renew@a:1', 'renew@a:1'])
    const renew = fetch.requests.find((r) => r.path === '/discovery/renew')
    expect([...renew!.params.keys()]).toEqual(['appid', 'env', 'hostname', 'region', 'zone'])
    expect(errors).toEqual([])
  })

  it('registers again when a renew answers -404, and says so on onError', async () => {
    let lost = false
    const fetch = registryAt((r) => {
      if (r.path !== '/discovery/renew' || !lost) return undefined
      lost = false
      return code(-404, 'null')
    })
    const { client, timers, writes, errors } = setup(fetch)
    await client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    lost = true
    await timers.advance(RENEW_MS)
    expect(writes()).toEqual(['register@a:1', 'renew@a:1', 'register@a:1'])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(DiscoveryNotFoundError)
    await timers.advance(RENEW_MS)
    expect(writes().at(-1)).toBe('renew@a:1')
  })

  it('retries with backoff while the registry is unreachable, never stopping, and carries on after', async () => {
    let down = false
    const fetch = registryAt((r) => (down && r.method === 'POST' ? refused() : undefined))
    const { client, timers, writes, errors } = setup(fetch)
    await client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    down = true
    await timers.advance(RENEW_MS) // renew fails: retry in 1 s (jittered, random 0.999 ≈ full step)
    await timers.advance(1000)
    await timers.advance(2000)
    await timers.advance(4000)
    const failed = writes().length - 1
    expect(failed).toBe(4)
    expect(errors).toHaveLength(4)
    expect(errors.every((e) => e instanceof DiscoveryNetworkError)).toBe(true)
    // the retries never wait longer than the renew interval
    await timers.advance(10 * RENEW_MS)
    expect(writes().length - 1).toBeGreaterThanOrEqual(4 + 10)
    down = false
    await timers.advance(RENEW_MS)
    const settledErrors = errors.length
    await timers.advance(3 * RENEW_MS)
    expect(errors.length).toBe(settledErrors)
    expect(writes().slice(-3)).toEqual(['renew@a:1', 'renew@a:1', 'renew@a:1'])
  })

  it('fails over to the next node when the current one is down, and registers there on -404', async () => {
    let aDown = false
    let registeredAtB = false
    const fetch = registryAt((r) => {
      if (aDown && r.node === 'a:1') refused()
      if (r.node === 'b:2' && r.path === '/discovery/renew' && !registeredAtB)
        return code(-404, 'null')
      if (r.node === 'b:2' && r.path === '/discovery/register') registeredAtB = true
      return undefined
    })
    const { client, timers, writes } = setup(fetch, ['a:1', 'b:2'])
    await client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    aDown = true
    await timers.advance(RENEW_MS)
    // (the poller may notice first that a:1 is down; either way the renew ends up at b:2)
    expect(writes()[0]).toBe('register@a:1')
    expect(writes().slice(-2)).toEqual(['renew@b:2', 'register@b:2'])
    await timers.advance(RENEW_MS)
    expect(writes().at(-1)).toBe('renew@b:2')
  })

  it('retries the first register while nodes fail, and rejects at once on a protocol error', async () => {
    let attempts = 0
    const flaky = registryAt((r) =>
      r.path === '/discovery/register' && ++attempts < 3 ? refused() : undefined
    )
    const first = setup(flaky)
    const pending = first.client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    await first.timers.advance(1000)
    await first.timers.advance(2000)
    await expect(pending).resolves.toMatchObject({ appid: 'demo.a' })
    expect(first.errors).toHaveLength(2)
    await client?.close()

    const refusing = registryAt((r) => (r.path === '/discovery/register' ? code(-400) : undefined))
    const second = setup(refusing)
    await expect(
      second.client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    ).rejects.toBeInstanceOf(DiscoveryApiError)
  })

  it('stops retrying the first register when its signal aborts', async () => {
    const { client, timers } = setup(fakeFetch(refused))
    const controller = new AbortController()
    const pending = client
      .register({ appid: 'demo.a', addrs: ['grpc://x:1'] }, { signal: controller.signal })
      .catch((e) => e)
    await timers.advance(500)
    controller.abort(new Error('gave up'))
    expect((await pending).message).toBe('gave up')
  })

  it('keeps renewing when an answer never finishes: the renew times out and the loop goes on', async () => {
    const registry = registryAt()
    let stuck = false
    // headers arrive, the body never does (what a half-dead connection looks like)
    const fetch = Object.assign(
      async (url: string, init: Parameters<typeof registry>[1]) => {
        const response = await registry(url, init)
        if (!stuck || !url.endsWith('/discovery/renew')) return response
        stuck = false
        return { ...response, text: () => new Promise<string>(() => {}) }
      },
      { requests: registry.requests }
    )
    const { client, timers, writes, errors } = setup(fetch)
    const registration = await client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    stuck = true
    await timers.advance(RENEW_MS)
    await timers.advance(10_000) // the client's request timeout
    expect(errors.map((e) => e.name)).toEqual(['DiscoveryTimeoutError'])
    await timers.advance(1000) // the retry, after the first backoff step
    expect(writes()).toEqual(['register@a:1', 'renew@a:1', 'renew@a:1'])
    await registration.cancel()
    expect(writes().at(-1)).toBe('cancel@a:1')
  })

  it('cancel() stops renewing and deregisters, once', async () => {
    const fetch = registryAt()
    const { client, timers, writes } = setup(fetch)
    const registration = await client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    await timers.advance(RENEW_MS)
    const first = registration.cancel()
    expect(registration.cancel()).toBe(first)
    await first
    expect(registration.cancelled).toBe(true)
    await timers.advance(5 * RENEW_MS)
    expect(writes()).toEqual(['register@a:1', 'renew@a:1', 'cancel@a:1'])
    const cancel = fetch.requests.find((r) => r.path === '/discovery/cancel')
    expect([...cancel!.params.keys()]).toEqual(['appid', 'env', 'hostname', 'region', 'zone'])
  })

  it('treats a -404 on cancel as done, and [Symbol.asyncDispose] cancels', async () => {
    const fetch = registryAt((r) => (r.path === '/discovery/cancel' ? code(-404) : undefined))
    const { client, writes } = setup(fetch)
    {
      await using registration = await client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
      expect(registration.cancelled).toBe(false)
    }
    expect(writes()).toEqual(['register@a:1', 'cancel@a:1'])
  })

  it('refuses a second registration of the same appid and hostname, and checks identity first', async () => {
    const { client } = setup(registryAt())
    await client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })
    await expect(
      client.register({ appid: 'demo.a', addrs: ['grpc://x:2'] })
    ).rejects.toBeInstanceOf(DiscoveryConfigError)
    await expect(
      client.register({ appid: 'demo.a', addrs: ['grpc://x:2'], hostname: 'host-2' })
    ).resolves.toBeDefined()
    await expect(client.register({ appid: 'demo.b', addrs: [] })).rejects.toThrow(/addrs must be/)
    const noZone = createDiscoveryClient({
      nodes: 'a:1',
      env: 'dev',
      zone: '',
      hostname: 'h',
      fetch: registryAt(),
    })
    await expect(noZone.register({ appid: 'demo.a', addrs: ['grpc://x:1'] })).rejects.toThrow(
      /no zone/
    )
  })

  it('close() during the first register stops it, deregisters, and closes the client', async () => {
    const fetch = registryAt((r) => (r.path === '/discovery/register' ? refused() : undefined))
    const { client, timers, writes } = setup(fetch)
    const pending = client.register({ appid: 'demo.a', addrs: ['grpc://x:1'] }).catch((e) => e)
    await timers.advance(100)
    await client.close()
    expect(await pending).toMatchObject({ name: 'AbortError' })
    expect(writes()).toEqual(['register@a:1', 'cancel@a:1'])
    await timers.advance(10 * RENEW_MS)
    expect(writes()).toHaveLength(2)
    await expect(client.register({ appid: 'demo.b', addrs: ['grpc://x:1'] })).rejects.toThrow(
      /closed/
    )
    expect(() => client.watch('demo.b')).toThrow(/closed/)
  })
})
