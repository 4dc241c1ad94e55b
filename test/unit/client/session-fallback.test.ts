import { afterEach, describe, expect, it } from 'vitest'
import type { AppSnapshot } from '../../../src/client/app-snapshot.ts'
import { DiscoverySessionError } from '../../../src/client/errors.ts'
import { hello, viewFrame } from './fake-websocket.ts'
import { anInstance, pollsAnswer, settle } from './fakes.ts'
import { closeSessionClient, sessionClient } from './session-harness.ts'

afterEach(closeSessionClient)

const A = { appid: 'demo.a', addrs: ['grpc://10.0.0.1:9000'] }
const FIRST_RETRY_MS = 1000
const NOT_FOUND = { status: 404, body: '404 page not found' }
const cap = { type: 'error', code: -503, message: 'demo.a holds its most sessions (20000)' }

describe("transport 'auto' against a registry without sessions", () => {
  it('uses HTTP for the app when the node answers the upgrade with plain HTTP, silently', async () => {
    const { client, registry, errors, writes, fetch } = sessionClient({}, (r) =>
      r.path === '/discovery/nodes' ? NOT_FOUND : undefined
    )
    registry.autoOpen = false
    const registering = client.register(A)
    await settle()
    registry.current().refuse()
    const registration = await registering
    expect(registration.transport).toBe('http')
    expect(fetch.requests[0]?.path).toBe('/discovery/nodes') // the probe
    expect(writes()).toEqual(['register@a:1'])
    expect(errors).toEqual([])
    // The node is known to have no sessions: another app goes straight to HTTP.
    await client.register({ ...A, appid: 'demo.b' })
    expect(registry.sockets).toHaveLength(1)
    expect(writes()).toEqual(['register@a:1', 'register@a:1'])
  })

  it("transport 'session' reports the same answer and keeps trying, never over HTTP", async () => {
    const { client, registry, timers, errors, writes } = sessionClient(
      { transport: 'session' },
      (r) => (r.path === '/discovery/nodes' ? NOT_FOUND : undefined)
    )
    registry.autoOpen = false
    void client.register(A).catch(() => {})
    await settle()
    registry.current().refuse()
    await timers.advance(FIRST_RETRY_MS)
    expect(registry.sockets).toHaveLength(2)
    expect(errors[0]).toBeInstanceOf(DiscoverySessionError)
    expect(errors[0]?.message).toMatch(/a plain request got HTTP 404: no sessions there; transport/)
    expect(writes()).toEqual([])
  })
})

describe('a registry restart: the reconnect’s upgrade fails while plain requests are answered', () => {
  // After a drop the retries come after 1, 2, 4… s (random 0.999: the top of each jitter range).
  const retry = (n: number) => FIRST_RETRY_MS * 2 ** (n - 1)

  it('keeps the session: the node held one, so it is restarting, not without sessions', async () => {
    const { client, registry, timers, errors, writes } = sessionClient()
    const registration = await client.register(A)
    registry.autoOpen = false
    registry.current().drop(1006)
    await timers.advance(retry(1))
    registry.current().refuse() // the probe (GET /discovery/nodes) is answered 200
    await settle()
    expect(registration.transport).toBe('session')
    await timers.advance(retry(2))
    const back = registry.current()
    expect(registry.sockets).toHaveLength(3)
    back.accept()
    back.receive(hello())
    await settle()
    expect(back.ops()).toEqual(['register']) // the registry hands the instance back
    expect(registration.transport).toBe('session')
    expect(writes()).toEqual([])
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/the connection was lost \(1006\)$/),
      expect.stringMatching(/HTTP 200: the node held sessions before \(restarting\?\)$/),
    ])
  })

  it('uses HTTP after the third refusal in a row (a rollback to a version without sessions)', async () => {
    const { client, registry, timers, writes } = sessionClient()
    const registration = await client.register(A)
    registry.autoOpen = false
    registry.current().drop(1006)
    for (let n = 1; n <= 3; n++) {
      await timers.advance(retry(n))
      expect(registration.transport).toBe('session')
      registry.current().refuse()
      await settle()
    }
    expect(registration.transport).toBe('http')
    expect(writes()).toEqual(['register@a:1'])
  })
})

describe('the session cap (an error frame, then close 1013)', () => {
  it('falls back to HTTP for the app on the first connection, saying why', async () => {
    const { client, registry, errors, writes } = sessionClient()
    registry.autoOpen = false
    const registering = client.register(A)
    await settle()
    const socket = registry.current()
    socket.accept()
    socket.receive(cap)
    socket.drop(1013, 'try again later')
    const registration = await registering
    expect(registration.transport).toBe('http')
    expect(writes()).toEqual(['register@a:1'])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(DiscoverySessionError)
    expect((errors[0] as DiscoverySessionError).closeCode).toBe(1013)
    expect(errors[0]?.message).toMatch(/demo\.a holds its most sessions .*; using HTTP for it/)
  })

  it('hands live registrations and the watch over to HTTP when a reconnect is refused', async () => {
    const h1 = anInstance({ appid: 'demo.a', hostname: 'h1' })
    const T1 = 1_700_000_000_000_000_011n
    // A poll that starts demo.a at cursor 0 gets its view; later ones are held.
    const { client, registry, timers, writes, fetch } = sessionClient({}, (r) =>
      r.path === '/discovery/polls' && r.params.get('latest_timestamp')?.[1] === '0'
        ? pollsAnswer({ 'demo.a': [[h1], T1] })
        : undefined
    )
    const registration = await client.register(A)
    const seen: AppSnapshot[] = []
    const watching = (async () => {
      for await (const s of client.watch('demo.a')) seen.push(s)
    })()
    await settle()
    registry.current().receive(viewFrame([h1], T1))
    await settle()
    expect(seen).toHaveLength(1)

    registry.autoOpen = false
    registry.current().drop(1006)
    await timers.advance(FIRST_RETRY_MS)
    const refused = registry.current()
    refused.accept()
    refused.receive(cap)
    refused.drop(1013)
    await settle()
    expect(registration.transport).toBe('http')
    expect(writes()).toEqual(['register@a:1']) // takes the instance over before the grace ends
    await timers.advance(30_000)
    expect(writes()).toEqual(['register@a:1', 'renew@a:1'])
    const polled = fetch.requests.filter((r) => r.path === '/discovery/polls')
    expect(polled.some((r) => r.params.get('appid')?.includes('demo.a'))).toBe(true)
    expect(seen).toHaveLength(1) // the same instances, so nothing new to tell
    await registration.cancel()
    expect(writes()).toContain('cancel@a:1')
    await closeSessionClient()
    await watching
  })

  it("transport 'session' reports the cap and tries again on the same node", async () => {
    const { client, registry, timers, errors, writes } = sessionClient({
      transport: 'session',
      nodes: ['a:1', 'b:2'],
    })
    registry.autoOpen = false
    void client.register(A).catch(() => {})
    await settle()
    registry.current().accept()
    registry.current().receive(cap)
    registry.current().drop(1013)
    await timers.advance(FIRST_RETRY_MS)
    expect(registry.sockets.map((s) => s.url.host)).toEqual(['a:1', 'a:1'])
    expect(errors[0]?.message).toMatch(/holds its most sessions.*keeps trying/)
    registry.current().accept()
    registry.current().receive(hello())
    await settle()
    expect(writes()).toEqual([])
    expect(registry.current().ops()).toEqual(['register'])
  })
})
