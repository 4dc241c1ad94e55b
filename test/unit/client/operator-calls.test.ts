/**
 * The operator's calls on instances the client does not keep alive itself: cancel, set (drain,
 * weight, metadata) and history; what they send, what they answer, what they refuse.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createDiscoveryClient, type DiscoveryClient } from '../../../src/client/client.ts'
import { DiscoveryConfigError, DiscoveryNotFoundError } from '../../../src/client/errors.ts'
import { STATUS_WAITING } from '../../../src/registry/model.ts'
import { code, type FakeAnswer, fakeFetch, ok, type SeenRequest } from './fakes.ts'

let client: DiscoveryClient | undefined
afterEach(async () => {
  await client?.close()
})

function withAnswer(answer: (r: SeenRequest) => FakeAnswer = () => ok()) {
  const fetch = fakeFetch(answer)
  client = createDiscoveryClient({ nodes: 'a:1', env: 'dev', zone: 'sh001', hostname: 'me', fetch })
  return { client, fetch }
}

/** A request's parameters as a plain object of first values. */
const paramsOf = (r: SeenRequest | undefined) =>
  Object.fromEntries([...(r?.params ?? new Map()).entries()].map(([k, v]) => [k, v[0]]))

describe('DiscoveryClient.cancel', () => {
  it("cancels another host's instance in the client's zone, or the zone given", async () => {
    const { client, fetch } = withAnswer()
    await client.cancel('demo.a', { hostname: 'h1' })
    await client.cancel('demo.a', { hostname: 'h2', zone: 'sh002' })
    expect(fetch.requests.map((r) => [r.method, r.path, paramsOf(r)])).toEqual([
      ['POST', '/discovery/cancel', { appid: 'demo.a', env: 'dev', hostname: 'h1', zone: 'sh001' }],
      ['POST', '/discovery/cancel', { appid: 'demo.a', env: 'dev', hostname: 'h2', zone: 'sh002' }],
    ])
  })

  it('throws DiscoveryNotFoundError for an instance the registry does not know', async () => {
    const { client } = withAnswer(() => code(-404))
    await expect(client.cancel('demo.a', { hostname: 'h1' })).rejects.toBeInstanceOf(
      DiscoveryNotFoundError
    )
  })

  it('refuses a call without a hostname or with no zone at all, sending nothing', async () => {
    const { fetch } = withAnswer()
    const noZone = createDiscoveryClient({ nodes: 'a:1', env: 'dev', zone: '', fetch })
    await expect(client?.cancel('demo.a', {} as { hostname: string })).rejects.toThrow(
      'cancel demo.a: hostname must be a non-empty string, got undefined'
    )
    await expect(noZone.cancel('demo.a', { hostname: 'h1' })).rejects.toThrow(
      'cancel demo.a: no zone'
    )
    expect(fetch.requests).toEqual([])
    await noZone.close()
  })
})

describe('DiscoveryClient.set', () => {
  it('sends the status and the metadata to merge', async () => {
    const { client, fetch } = withAnswer()
    await client.set('demo.a', { hostname: 'h1', status: STATUS_WAITING })
    await client.set('demo.a', { hostname: 'h1', metadata: { weight: '0' } })
    expect(fetch.requests.map((r) => [r.path, paramsOf(r)])).toEqual([
      [
        '/discovery/set',
        { appid: 'demo.a', env: 'dev', hostname: 'h1', status: '2', zone: 'sh001' },
      ],
      [
        '/discovery/set',
        { appid: 'demo.a', env: 'dev', hostname: 'h1', metadata: '{"weight":"0"}', zone: 'sh001' },
      ],
    ])
  })

  it('refuses a set that changes nothing, a bad status or a non-string value', async () => {
    const { client, fetch } = withAnswer()
    await expect(client.set('demo.a', { hostname: 'h1' })).rejects.toThrow(
      'set demo.a: nothing to change (give status or metadata)'
    )
    await expect(client.set('demo.a', { hostname: 'h1', status: 0 as 1 })).rejects.toThrow(
      /^set demo\.a: status must be STATUS_UP \(1\) or STATUS_WAITING \(2\), got 0$/
    )
    const metadata = { weight: 5 } as unknown as Record<string, string>
    await expect(client.set('demo.a', { hostname: 'h1', metadata })).rejects.toThrow(
      'set demo.a: metadata.weight must be a string, got 5'
    )
    expect(fetch.requests).toEqual([])
  })
})

describe('DiscoveryClient.history', () => {
  it('reads the newest changes of the app in the client env', async () => {
    const entries =
      '[{"at_ms":1796285099355,"op":"register","zone":"sh001","hostname":"h1","actor":"auth-off"}]'
    const { client, fetch } = withAnswer(() => ok(entries))
    expect(await client.history('demo.a', { limit: 5 })).toEqual([
      { atMs: 1796285099355, op: 'register', zone: 'sh001', hostname: 'h1', actor: 'auth-off' },
    ])
    expect(fetch.requests[0]?.url.search).toBe('?appid=demo.a&env=dev&limit=5')
  })

  it('refuses a limit the registry would not take', async () => {
    const { client } = withAnswer()
    for (const limit of [0, 1.5, 1001]) {
      await expect(client.history('demo.a', { limit })).rejects.toBeInstanceOf(DiscoveryConfigError)
    }
  })
})
