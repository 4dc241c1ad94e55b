import { afterEach, describe, expect, it } from 'vitest'
import { createDiscoveryClient, type DiscoveryClient } from '../../../src/client/client.ts'
import { DiscoveryNotFoundError, DiscoveryResponseError } from '../../../src/client/errors.ts'
import { encodeInstance } from '../../../src/protocol/instance-codec.ts'
import { anInstance, code, fakeFetch, ok, viewJson } from './fakes.ts'

let client: DiscoveryClient | undefined
afterEach(async () => {
  await client?.close()
})

function withAnswer(answer: string) {
  const fetch = fakeFetch(() => answer)
  client = createDiscoveryClient({ nodes: 'a:1', env: 'dev', zone: 'sh001', hostname: 'me', fetch })
  return { client, fetch }
}

describe('DiscoveryClient.fetch', () => {
  it('asks for UP instances of every zone by default and decodes the view exactly', async () => {
    const h1 = anInstance({
      hostname: 'h1',
      metadata: { weight: '5' },
      renewTimestamp: 1_700_000_000_999_999_999n,
    })
    const { client, fetch } = withAnswer(ok(viewJson([h1], 1_700_000_000_123_456_789n)))
    const snapshot = await client.fetch('demo.a')
    expect(fetch.requests[0]?.url.search).toBe('?appid=demo.a&env=dev&status=1')
    expect(snapshot).toEqual({
      appid: 'demo.a',
      instances: { sh001: [h1] },
      latestTimestamp: 1_700_000_000_123_456_789n,
    })
  })

  it('passes the status filter and zone', async () => {
    const { client, fetch } = withAnswer(ok(viewJson([], 1n)))
    await client.fetch('demo.a', { status: 'all', zone: 'sh002' })
    await client.fetch('demo.a', { status: 'waiting' })
    expect(fetch.requests.map((r) => r.url.search)).toEqual([
      '?appid=demo.a&env=dev&status=3&zone=sh002',
      '?appid=demo.a&env=dev&status=2',
    ])
  })

  it('refuses an appid that is not a string and an unknown status filter, sending nothing', async () => {
    const { client, fetch } = withAnswer(ok(viewJson([], 1n)))
    await expect(client.fetch(undefined as unknown as string)).rejects.toThrow(
      'fetch: appid must be a non-empty string, got undefined'
    )
    await expect(client.fetch('demo.a', { status: 'UP' as 'up' })).rejects.toThrow(
      'fetch demo.a: status must be up, waiting or all, got "UP"'
    )
    expect(() => client.watch([])).toThrow('watch: appids must name at least one app')
    expect(fetch.requests).toEqual([])
  })

  it('throws DiscoveryNotFoundError for an unknown app', async () => {
    const { client } = withAnswer(code(-404, 'null'))
    await expect(client.fetch('nope')).rejects.toBeInstanceOf(DiscoveryNotFoundError)
  })

  it('throws DiscoveryResponseError when the data has the wrong shape', async () => {
    const { client } = withAnswer(
      ok('{"instances":{"sh001":[{"hostname":5}]},"latest_timestamp":1}')
    )
    await expect(client.fetch('demo.a')).rejects.toBeInstanceOf(DiscoveryResponseError)
  })
})

describe('DiscoveryClient.fetchAll and nodes', () => {
  it('reads every app (metadata may be null) and the node list', async () => {
    const i = anInstance({ metadata: null })
    const all = withAnswer(ok(`{"demo.a":[${encodeInstance(i, 'null')}]}`))
    expect(await all.client.fetchAll()).toEqual({ 'demo.a': [i] })
    await client?.close()
    const nodes = withAnswer(ok('[{"addr":"127.0.0.1:7171","status":0,"zone":"sh001"}]'))
    expect(await nodes.client.nodes()).toEqual([
      { addr: '127.0.0.1:7171', status: 0, zone: 'sh001' },
    ])
    expect(nodes.fetch.requests[0]?.path).toBe('/discovery/nodes')
  })
})
