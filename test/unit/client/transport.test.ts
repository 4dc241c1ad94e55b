import { describe, expect, it } from 'vitest'
import {
  DiscoveryApiError,
  DiscoveryError,
  DiscoveryHttpError,
  DiscoveryNetworkError,
  DiscoveryNotFoundError,
  DiscoveryResponseError,
  DiscoveryTimeoutError,
  isNodeFailure,
} from '../../../src/client/errors.ts'
import { NodeList, parseNodes } from '../../../src/client/nodes.ts'
import { expectOk, type FetchLike, Transport } from '../../../src/client/transport.ts'
import { code, FakeTimers, fakeFetch, hang, ok, refused } from './fakes.ts'

function transport(fetch: FetchLike, nodes = ['a:1', 'b:2'], token?: string) {
  const timers = new FakeTimers()
  const failovers: unknown[] = []
  const list = new NodeList(parseNodes(nodes), () => 0.999)
  const t = new Transport({
    fetch,
    nodes: list,
    timers,
    token,
    timeoutMs: 1000,
    onFailover: (e) => failovers.push(e),
  })
  return { t, timers, failovers, list }
}

describe('Transport.send', () => {
  it('sends POST parameters as a form body with sorted keys and repeated list keys, and a Bearer token', async () => {
    const fetch = fakeFetch(() => ok())
    const { t, list } = transport(fetch, ['a:1'], 'tok-1')
    await t.send(list.current(), 'POST', '/discovery/register', {
      zone: 'sh001',
      addrs: ['grpc://x:1', 'http://x:2'],
      appid: 'demo',
    })
    const [request] = fetch.requests
    expect(request?.url.href).toBe('http://a:1/discovery/register')
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer tok-1',
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect([...request!.params]).toEqual([
      ['addrs', ['grpc://x:1', 'http://x:2']],
      ['appid', ['demo']],
      ['zone', ['sh001']],
    ])
  })

  it('sends GET parameters in the query string, bigint cursors with every digit', async () => {
    const fetch = fakeFetch(() => ok())
    const { t, list } = transport(fetch)
    await t.send(list.current(), 'GET', '/discovery/polls', {
      appid: ['x', 'y'],
      latest_timestamp: [0n, 1_700_000_000_123_456_789n],
    })
    expect(fetch.requests[0]?.url.search).toBe(
      '?appid=x&appid=y&latest_timestamp=0&latest_timestamp=1700000000123456789'
    )
    expect(fetch.requests[0]?.headers.authorization).toBeUndefined()
  })

  it('uses a token given in the node address when no token option is set', async () => {
    const fetch = fakeFetch(() => ok())
    const { t, list } = transport(fetch, ['tok-2@a:1'])
    await t.send(list.current(), 'GET', '/discovery/nodes', {})
    expect(fetch.requests[0]?.headers.authorization).toBe('Bearer tok-2')
    expect(fetch.requests[0]?.url.username).toBe('')
  })

  it('reads int64 timestamps exactly', async () => {
    const fetch = fakeFetch(() => ok('{"latest_timestamp":1700000000123456789}'))
    const { t, list } = transport(fetch)
    const answer = await t.send(list.current(), 'GET', '/discovery/fetch', {})
    expect(answer.body.data).toEqual({ latest_timestamp: 1_700_000_000_123_456_789n })
  })

  it('throws one error class per kind of failure, each named, with cause and status or code', async () => {
    const { t, list } = transport(fakeFetch(refused))
    const network = await t.send(list.current(), 'GET', '/discovery/nodes', {}).catch((e) => e)
    expect(network).toBeInstanceOf(DiscoveryNetworkError)
    expect(network).toBeInstanceOf(DiscoveryError)
    expect(network.name).toBe('DiscoveryNetworkError')
    expect(network.cause).toBeInstanceOf(TypeError)
    expect(network.message).toBe(
      '[GET] "http://a:1/discovery/nodes": fetch failed: connect ECONNREFUSED'
    )

    const http = await transport(fakeFetch(() => ({ status: 401, body: 'token refused' })))
      .t.send(list.current(), 'GET', '/discovery/nodes', {})
      .catch((e) => e)
    expect(http).toBeInstanceOf(DiscoveryHttpError)
    expect(http.status).toBe(401)
    expect(http.message).toContain('401 Error (token refused)')

    const garbled = await transport(fakeFetch(() => '<html>'))
      .t.send(list.current(), 'GET', '/discovery/nodes', {})
      .catch((e) => e)
    expect(garbled).toBeInstanceOf(DiscoveryResponseError)
    expect(garbled.cause).toBeInstanceOf(SyntaxError)

    const notFound = await transport(fakeFetch(() => code(-404)))
      .t.send(list.current(), 'GET', '/discovery/fetch', {})
      .then(expectOk)
      .catch((e) => e)
    expect(notFound).toBeInstanceOf(DiscoveryNotFoundError)
    expect(notFound).toBeInstanceOf(DiscoveryApiError)
    expect(notFound.code).toBe(-404)
    expect(notFound.name).toBe('DiscoveryNotFoundError')

    const bad = await transport(
      fakeFetch(() => '{"code":-400,"message":"status: must be 1 or 2","ttl":1}')
    )
      .t.send(list.current(), 'POST', '/discovery/register', {})
      .then(expectOk)
      .catch((e) => e)
    expect(bad).toBeInstanceOf(DiscoveryApiError)
    expect(bad).not.toBeInstanceOf(DiscoveryNotFoundError)
    expect(bad.message).toBe(
      '[POST] "http://a:1/discovery/register": code -400: status: must be 1 or 2'
    )
  })

  it('times out with DiscoveryTimeoutError, and rethrows the caller abort reason as is', async () => {
    const { t, list, timers } = transport(fakeFetch(hang))
    const pending = t.send(list.current(), 'GET', '/discovery/nodes', {}).catch((e) => e)
    await timers.advance(1000)
    const timeout = await pending
    expect(timeout).toBeInstanceOf(DiscoveryTimeoutError)
    expect(timeout.timeoutMs).toBe(1000)

    const controller = new AbortController()
    const aborted = t
      .send(list.current(), 'GET', '/discovery/nodes', {}, { signal: controller.signal })
      .catch((e) => e)
    controller.abort(new Error('stop'))
    expect((await aborted).message).toBe('stop')
    expect(timers.pending()).toEqual([])
  })

  it('ends by its deadline, or on the caller abort, even when the body never arrives (nodejs/node#56917)', async () => {
    const bodyNeverEnds: FetchLike = async () => ({
      status: 200,
      statusText: 'OK',
      text: () => new Promise<string>(() => {}),
    })
    const { t, list, timers } = transport(bodyNeverEnds)
    const pending = t.send(list.current(), 'POST', '/discovery/renew', {}).catch((e) => e)
    await timers.advance(1000)
    expect(await pending).toBeInstanceOf(DiscoveryTimeoutError)

    const controller = new AbortController()
    const aborted = t
      .send(list.current(), 'POST', '/discovery/renew', {}, { signal: controller.signal })
      .catch((e) => e)
    await Promise.resolve()
    controller.abort(new Error('stop'))
    expect((await aborted).message).toBe('stop')
    expect(timers.pending()).toEqual([])
  })

  it('keeps a /t/<token> path prefix out of messages', async () => {
    const { t, list } = transport(fakeFetch(refused), ['http://a:1/t/secret-token'])
    const error = await t.send(list.current(), 'GET', '/discovery/nodes', {}).catch((e) => e)
    expect(error.message).not.toContain('secret-token')
    expect(error.message).toContain('/t/***')
  })
})

describe('Transport.call', () => {
  it('fails over to the next node on a node failure and reports the failure it recovered from', async () => {
    const fetch = fakeFetch((r) => (r.node === 'a:1' ? refused() : ok()))
    const { t, failovers, list } = transport(fetch)
    const answer = await t.call('GET', '/discovery/nodes', {})
    expect(answer.node.key).toBe('b:2')
    expect(fetch.requests.map((r) => r.node)).toEqual(['a:1', 'b:2'])
    expect(failovers).toHaveLength(1)
    expect(failovers[0]).toBeInstanceOf(DiscoveryNetworkError)
    expect(list.current().key).toBe('b:2') // later calls start at the node that worked
  })

  it('throws the last failure once every node was tried', async () => {
    const fetch = fakeFetch((r) => (r.node === 'a:1' ? refused() : { status: 503, body: '' }))
    const error = await transport(fetch)
      .t.call('GET', '/discovery/nodes', {})
      .catch((e) => e)
    expect(error).toBeInstanceOf(DiscoveryHttpError)
    expect(fetch.requests).toHaveLength(2)
  })

  it('does not fail over on answers every node would give (protocol codes, 401)', async () => {
    const fetch = fakeFetch(() => ({ status: 401, body: '' }))
    await expect(transport(fetch).t.call('GET', '/discovery/nodes', {})).rejects.toBeInstanceOf(
      DiscoveryHttpError
    )
    expect(fetch.requests).toHaveLength(1)
    const coded = fakeFetch(() => code(-400))
    expect((await transport(coded).t.call('POST', '/discovery/register', {})).code).toBe(-400)
    expect(coded.requests).toHaveLength(1)
  })
})

describe('isNodeFailure', () => {
  it('is true for transport-level failures and node-specific HTTP statuses only', () => {
    const request = { method: 'GET', url: 'http://a:1/' }
    expect(isNodeFailure(new DiscoveryNetworkError(request, 'x'))).toBe(true)
    expect(isNodeFailure(new DiscoveryTimeoutError(request, 1))).toBe(true)
    for (const status of [404, 408, 429, 500, 503])
      expect(isNodeFailure(new DiscoveryHttpError(request, status, '', ''))).toBe(true)
    for (const status of [400, 401, 403, 405])
      expect(isNodeFailure(new DiscoveryHttpError(request, status, '', ''))).toBe(false)
    expect(isNodeFailure(new DiscoveryApiError(request, -500, '-500'))).toBe(false)
    expect(isNodeFailure(new Error('x'))).toBe(false)
  })
})
