/**
 * `client.register()` checks what it is given before sending anything (a DiscoveryConfigError
 * naming the field), and with `timeoutMs` gives up the first register, over HTTP and over a
 * session alike, with a DiscoveryTimeoutError whose cause is the last failure.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createDiscoveryClient, type DiscoveryClient } from '../../../src/client/client.ts'
import {
  DiscoveryConfigError,
  DiscoveryNetworkError,
  DiscoveryTimeoutError,
} from '../../../src/client/errors.ts'
import type { InstanceInput } from '../../../src/client/registration.ts'
import { FakeTimers, fakeFetch, NOT_MODIFIED, ok, refused } from './fakes.ts'
import { closeSessionClient, sessionClient } from './session-harness.ts'

let client: DiscoveryClient | undefined
afterEach(async () => {
  await client?.close()
  client = undefined
  await closeSessionClient()
})

function httpClient(fetch: ReturnType<typeof fakeFetch>, timers = new FakeTimers()) {
  client = createDiscoveryClient({
    nodes: 'a:1',
    env: 'dev',
    zone: 'sh001',
    hostname: 'host-1',
    transport: 'http',
    fetch,
    timers,
    random: () => 0.999,
    onError: () => {},
  })
  return { client, timers }
}

const A = { appid: 'demo.a', addrs: ['grpc://10.0.0.1:9000'] }

describe('DiscoveryClient.register input checks', () => {
  const refusal = async (instance: unknown, options?: unknown): Promise<string> => {
    const fetch = fakeFetch(() => ok())
    const { client } = httpClient(fetch)
    const error = await client
      .register(instance as InstanceInput, options as undefined)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DiscoveryConfigError)
    expect(fetch.requests).toEqual([]) // refused before anything was sent
    await client.close()
    return (error as Error).message
  }

  it('names what is wrong with addrs (missing, not a list, empty, not strings, no scheme)', async () => {
    const list = 'a non-empty array of addresses such as grpc://10.0.0.5:9000'
    expect(await refusal({ appid: 'demo.a' })).toBe(
      `register demo.a: addrs must be ${list}, got undefined`
    )
    expect(await refusal({ appid: 'demo.a', addrs: 'grpc://x:1' })).toBe(
      `register demo.a: addrs must be ${list}, got "grpc://x:1"`
    )
    expect(await refusal({ appid: 'demo.a', addrs: [] })).toMatch(/addrs must be .*, got an array/)
    expect(await refusal({ appid: 'demo.a', addrs: ['grpc://x:1', 9000] })).toBe(
      'register demo.a: addrs[1] must be a non-empty string, got 9000'
    )
    expect(await refusal({ appid: 'demo.a', addrs: ['10.0.0.5:9000'] })).toBe(
      'register demo.a: addrs[0] "10.0.0.5:9000" has no scheme (such as grpc://10.0.0.5:9000)'
    )
    expect(await refusal({ appid: 'demo.a', addrs: ['grpc://'] })).toBe(
      'register demo.a: addrs[0] "grpc://" has no host after its scheme'
    )
  })

  it('names the other fields: appid, metadata values, status, hostname, the options', async () => {
    expect(await refusal(undefined)).toBe('register: the instance must be an object, got undefined')
    expect(await refusal({ addrs: A.addrs })).toBe(
      'register: appid must be a non-empty string, got undefined'
    )
    expect(await refusal({ ...A, metadata: { weight: 20 } })).toBe(
      'register demo.a: metadata.weight must be a string, got 20'
    )
    expect(await refusal({ ...A, status: 3 })).toBe(
      'register demo.a: status must be STATUS_UP (1) or STATUS_WAITING (2), got 3'
    )
    expect(await refusal({ ...A, hostname: '' })).toMatch(/hostname must be a non-empty string/)
    expect(await refusal(A, { timeoutMs: 0 })).toMatch(/^register: timeoutMs must be a positive/)
    expect(await refusal(A, { signal: 'stop' })).toBe(
      'register: signal must be an AbortSignal, got "stop"'
    )
  })
})

describe('DiscoveryClient.register with timeoutMs', () => {
  it('gives up after timeoutMs over HTTP, with the last failure as cause, and stops trying', async () => {
    const fetch = fakeFetch(refused)
    const { client, timers } = httpClient(fetch)
    const pending = client.register(A, { timeoutMs: 5000 }).catch((e: unknown) => e)
    await timers.advance(5000)
    const error = (await pending) as DiscoveryTimeoutError
    expect(error).toBeInstanceOf(DiscoveryTimeoutError)
    expect(error.message).toBe(
      '[POST] "http://a:1/discovery/register": not registered within 5000 ms'
    )
    expect(error.cause).toBeInstanceOf(DiscoveryNetworkError)
    const tries = fetch.requests.length
    await timers.advance(60_000)
    expect(fetch.requests).toHaveLength(tries)
    // it no longer counts as registered: the same instance may be registered again
    const again = client.register(A, { timeoutMs: 1 }).catch((e: unknown) => e)
    await timers.advance(1)
    expect(await again).toBeInstanceOf(DiscoveryTimeoutError)
  })

  it('leaves a registration that made it in time alone', async () => {
    const timers = new FakeTimers()
    const held = () =>
      new Promise<string>((resolve) => timers.setTimeout(() => resolve(NOT_MODIFIED), 30_000))
    const registry = fakeFetch((r) => (r.path === '/discovery/polls' ? held() : ok('{}')))
    const { client } = httpClient(registry, timers)
    const registration = await client.register(A, { timeoutMs: 5000 })
    await timers.advance(10_000)
    expect(registration.cancelled).toBe(false)
  })

  it('gives up after timeoutMs over a session that cannot connect, and leaves the session', async () => {
    const { client, registry, timers } = sessionClient({}, (r) =>
      r.path === '/discovery/nodes' ? refused() : undefined
    )
    registry.autoOpen = false
    const pending = client.register(A, { timeoutMs: 3000 }).catch((e: unknown) => e)
    await timers.advance(0)
    registry.current().refuse()
    await timers.advance(3000)
    const error = (await pending) as DiscoveryTimeoutError
    expect(error).toBeInstanceOf(DiscoveryTimeoutError)
    expect(error.message).toMatch(/not registered within 3000 ms$/)
    expect(error.cause).toBeInstanceOf(DiscoveryNetworkError)
  })
})
