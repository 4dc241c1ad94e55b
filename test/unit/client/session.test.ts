import { afterEach, describe, expect, it } from 'vitest'
import {
  DiscoveryApiError,
  DiscoverySessionError,
  DiscoveryTimeoutError,
} from '../../../src/client/errors.ts'
import type { Registration } from '../../../src/client/registration.ts'
import { hello } from './fake-websocket.ts'
import { infraInstances, ok, refused, settle, viewJson } from './fakes.ts'
import { closeSessionClient, NODES, sessionClient } from './session-harness.ts'

afterEach(closeSessionClient)

const A = { appid: 'demo.a', addrs: ['grpc://10.0.0.1:9000'] }
/** The first backoff step with random 0.999 and initialMs 1000 (equal jitter: 500 + 0.999·500). */
const FIRST_RETRY_MS = 1000

describe('DiscoveryClient.register over a session', () => {
  it('waits for hello, sends one register frame and resolves on its ok', async () => {
    const { client, registry, fetch } = sessionClient()
    registry.autoOk = false
    let registered: Registration | undefined
    void client
      .register({ ...A, metadata: { weight: '20' }, version: 'v2' })
      .then((r) => (registered = r))
    await settle()
    const socket = registry.current()
    expect(`${socket.url.origin}${socket.url.pathname}`).toBe('ws://a:1/discovery/session')
    expect(socket.url.searchParams.get('appid')).toBe('demo.a')
    expect(socket.url.searchParams.get('env')).toBe('dev')
    expect(socket.url.searchParams.get('session')).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(socket.protocols).toEqual(['discovery.v1'])
    expect(socket.requests()).toEqual([
      {
        op: 'register',
        id: 1,
        zone: 'sh001',
        hostname: 'host-1',
        addrs: ['grpc://10.0.0.1:9000'],
        status: 1,
        version: 'v2',
        metadata: { weight: '20' },
        region: 'sh',
      },
    ])
    expect(registered).toBeUndefined()
    socket.ok('register')
    await settle()
    expect(registered?.transport).toBe('session')
    // No renews, no polls: over HTTP only infra.discovery, read once to learn the nodes.
    expect(fetch.requests.map((r) => `${r.path}?${r.url.searchParams.get('appid')}`)).toEqual([
      '/discovery/fetch?infra.discovery',
    ])
  })

  it('shares one session per app; another app gets its own session id', async () => {
    const { client, registry } = sessionClient()
    await client.register(A)
    await client.register({ ...A, hostname: 'host-2' })
    await client.register({ ...A, appid: 'demo.b' })
    expect(registry.sockets.map((s) => s.url.searchParams.get('appid'))).toEqual([
      'demo.a',
      'demo.b',
    ])
    const [a, b] = registry.sockets.map((s) => s.url.searchParams.get('session'))
    expect(a).not.toBe(b)
    expect(registry.sockets[0]?.ops()).toEqual(['register', 'register'])
  })

  it('rejects at once on a -400 error frame, naming the field', async () => {
    const { client, registry } = sessionClient()
    registry.autoOk = false
    const registering = client.register(A)
    const caught = registering.catch((e: unknown) => e)
    await settle()
    const socket = registry.current()
    const id = socket.last('register').id
    socket.receive({ type: 'error', id, code: -400, field: 'version', message: 'too long' })
    const error = await caught
    expect(error).toBeInstanceOf(DiscoveryApiError)
    expect((error as DiscoveryApiError).code).toBe(-400)
    expect((error as Error).message).toMatch(/code -400: version: too long/)
    // The registration is gone: the same instance may be registered again.
    registry.autoOk = true
    await expect(client.register(A)).resolves.toBeDefined()
  })

  it('sends register again after a -429, and resolves on the ok that follows', async () => {
    const { client, registry, timers, errors } = sessionClient()
    registry.autoOk = false
    const registering = client.register(A)
    await settle()
    const socket = registry.current()
    socket.receive({ type: 'error', id: 1, code: -429, message: 'too many frames' })
    await timers.advance(FIRST_RETRY_MS)
    expect(socket.ops()).toEqual(['register', 'register'])
    socket.ok('register')
    await expect(registering).resolves.toBeDefined()
    expect(errors.map((e) => (e as DiscoveryApiError).code)).toEqual([-429])
  })

  it('sends every unanswered request again after a -429 without an id', async () => {
    const { client, registry, timers, errors } = sessionClient()
    registry.autoOk = false
    const registering = client.register(A)
    await settle()
    const socket = registry.current()
    // The registry dropped a frame for going too fast, without saying which.
    socket.receive({ type: 'error', code: -429, message: 'more than 20 frames per second' })
    socket.receive({ type: 'error', code: -429, message: 'more than 20 frames per second' })
    await timers.advance(FIRST_RETRY_MS)
    const sent = socket.requests()
    expect(sent.map((r) => [r.op, r.id])).toEqual([
      ['register', 1],
      ['register', 1],
    ])
    socket.ok('register')
    await expect(registering).resolves.toBeDefined()
    expect(errors.map((e) => (e as DiscoveryApiError).code)).toEqual([-429, -429])
  })

  it('reconnects with the same session id and sends every registration again', async () => {
    const { client, registry, timers, errors } = sessionClient()
    await client.register(A)
    await client.register({ ...A, hostname: 'host-2' })
    const first = registry.current()
    first.drop(1006)
    await settle()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(DiscoverySessionError)
    // the session id lets whoever has it take the instances: never in a message
    expect(errors[0]?.message).toBe(
      '[GET] "ws://a:1/discovery/session?appid=demo.a&env=dev&session=***": the connection was lost (1006)'
    )
    expect(registry.sockets).toHaveLength(1) // waiting out the backoff
    await timers.advance(FIRST_RETRY_MS)
    const second = registry.current()
    expect(second).not.toBe(first)
    expect(second.url.searchParams.get('session')).toBe(first.url.searchParams.get('session'))
    expect(second.requests().map((r) => [r.op, r.hostname])).toEqual([
      ['register', 'host-1'],
      ['register', 'host-2'],
    ])
  })

  it('holds the first register while the node cannot be reached, and sends it once it can', async () => {
    const { client, registry, timers, errors } = sessionClient({}, (r) =>
      r.path === '/discovery/nodes' ? refused() : undefined
    )
    registry.autoOpen = false
    let done = false
    void client.register(A).then(() => (done = true))
    await settle()
    registry.current().refuse() // no connection, and no answer to the plain request either
    await timers.advance(FIRST_RETRY_MS)
    const socket = registry.current()
    expect(registry.sockets).toHaveLength(2)
    expect(done).toBe(false)
    socket.accept()
    socket.receive(hello())
    await settle()
    expect(done).toBe(true)
    expect(errors.map((e) => e.name)).toEqual(['DiscoveryNetworkError'])
  })
})

describe('node learning over sessions', () => {
  it('reads infra.discovery once per node a session reaches, and rotates over what it lists', async () => {
    const listed = infraInstances(['a:1', 'c:3'])
    const { client, registry, timers, fetch } = sessionClient({}, (r) =>
      r.path === '/discovery/fetch' ? ok(viewJson(listed, 5n)) : undefined
    )
    await client.register(A)
    await client.register({ ...A, appid: 'demo.b' })
    await settle()
    expect(client.knownNodes).toEqual(['http://a:1', 'http://c:3'])
    expect(fetch.requests.filter((r) => r.path === '/discovery/fetch')).toHaveLength(1)
    registry.sockets[0]?.drop(1006)
    await timers.advance(FIRST_RETRY_MS)
    expect(registry.current().url.host).toBe('c:3') // failover to a node it learned
    await settle()
    expect(fetch.requests.filter((r) => r.path === '/discovery/fetch')).toHaveLength(2)
  })
})

describe('Registration.cancel and client.close over a session', () => {
  it('close() sends cancel, waits for its ok, then closes the session with 1000', async () => {
    const { client, registry } = sessionClient()
    await client.register(A)
    const socket = registry.current()
    registry.autoOk = false
    let closed = false
    void client.close().then(() => (closed = true))
    await settle()
    expect(socket.ops()).toEqual(['register', 'cancel'])
    expect(socket.last('cancel')).toMatchObject({ zone: 'sh001', hostname: 'host-1' })
    expect(socket.closedWith).toBeUndefined()
    expect(closed).toBe(false)
    socket.ok('cancel')
    await settle()
    expect(closed).toBe(true)
    expect(socket.closedWith).toEqual({ code: 1000 })
  })

  it('cancel() gives up after the request timeout, and the idle session closes', async () => {
    const { client, registry, timers } = sessionClient({ requestTimeoutMs: 5000 })
    const registration = await client.register(A)
    registry.autoOk = false
    const cancelling = registration.cancel().catch((e: unknown) => e)
    await timers.advance(4999)
    expect(registry.current().closedWith).toBeUndefined()
    await timers.advance(1)
    expect(await cancelling).toBeInstanceOf(DiscoveryTimeoutError)
    expect(registry.current().closedWith).toEqual({ code: 1000 })
  })

  it('a cancel made while reconnecting goes out after the next hello', async () => {
    const { client, registry, timers } = sessionClient()
    const registration = await client.register(A)
    registry.current().drop(1006)
    await settle()
    let cancelled = false
    void registration.cancel().then(() => (cancelled = true))
    await timers.advance(FIRST_RETRY_MS)
    expect(registry.current().ops()).toEqual(['cancel'])
    expect(cancelled).toBe(true)
    expect(registration.cancelled).toBe(true)
  })
})

describe('session connections: heartbeats, failover, backoff', () => {
  it('after two missed pongs closes, reports, and reconnects to the next node', async () => {
    const { client, registry, timers, errors } = sessionClient({ nodes: NODES })
    await client.register(A)
    const first = registry.current()
    expect(first.url.host).toBe('a:1')
    await timers.advance(90_000) // heartbeats at 30 s and 60 s unanswered; the third is due
    expect(first.closedWith).toBeDefined()
    expect(errors).toHaveLength(1)
    expect(errors[0]?.message).toMatch(/two heartbeats/)
    await timers.advance(FIRST_RETRY_MS)
    const second = registry.current()
    expect(second.url.host).toBe('b:2')
    expect(second.ops()).toEqual(['register'])
  })

  it('backs off between failed connections, doubling up to the ceiling', async () => {
    const { client, registry, timers } = sessionClient({}, (r) =>
      r.path === '/discovery/nodes' ? refused() : undefined
    )
    registry.autoOpen = false
    void client.register(A).catch(() => {})
    const delays: number[] = []
    for (let i = 0; i < 5; i++) {
      await settle()
      registry.current().refuse()
      await settle()
      const [delay = 0] = timers.pending()
      delays.push(delay)
      await timers.advance(delay)
    }
    expect(delays.map(Math.round)).toEqual([1000, 1999, 3998, 7996, 7996])
    expect(registry.sockets).toHaveLength(6)
  })

  it('reports an expired token (4401) and a broken limit (1008), and keeps the node', async () => {
    const { client, registry, timers, errors } = sessionClient({ nodes: NODES })
    await client.register(A)
    registry.current().drop(4401, 'token expired')
    await timers.advance(FIRST_RETRY_MS)
    expect(registry.current().url.host).toBe('a:1')
    registry.current().drop(1008, 'too many frames')
    await timers.advance(FIRST_RETRY_MS)
    expect(registry.current().url.host).toBe('a:1')
    expect(errors.map((e) => (e as DiscoverySessionError).closeCode)).toEqual([4401, 1008])
    expect(errors[0]?.message).toMatch(/token expired/)
    expect(registry.sockets).toHaveLength(3)
  })

  it('offers the token as a subprotocol; path tokens stay in the URL; https becomes wss', async () => {
    const bearer = sessionClient({ token: 'dsc1.k1.abc.def' })
    await bearer.client.register(A)
    expect(bearer.registry.current().protocols).toEqual(['discovery.v1', 'bearer.dsc1.k1.abc.def'])
    await closeSessionClient()

    const user = sessionClient({ nodes: ['https://tok@d.example.com'] })
    await user.client.register(A)
    const socket = user.registry.current()
    expect(socket.url.origin).toBe('wss://d.example.com')
    expect(socket.protocols).toEqual(['discovery.v1', 'bearer.tok'])
    await closeSessionClient()

    const path = sessionClient({ nodes: ['d.example.com:80/t/secret'] })
    await path.client.register(A)
    expect(path.registry.current().url.pathname).toBe('/t/secret/discovery/session')
    expect(path.registry.current().protocols).toEqual(['discovery.v1'])
    path.registry.current().drop(1006)
    await settle()
    expect(path.errors[0]?.message).toContain('ws://d.example.com/t/***/discovery/session?')
    expect(path.errors[0]?.message).not.toContain('secret')
  })
})
