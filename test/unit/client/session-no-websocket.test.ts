/** A platform without any WebSocket (Node 20 without the `ws` package). */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DiscoveryConfigError } from '../../../src/client/errors.ts'
import { closeSessionClient, sessionClient } from './session-harness.ts'

vi.mock('../../../src/client/find-websocket.ts', () => ({ findWebSocket: async () => undefined }))

afterEach(closeSessionClient)

const A = { appid: 'demo.a', addrs: ['grpc://10.0.0.1:9000'] }

describe('sessions without a WebSocket', () => {
  it("'auto' uses HTTP, saying so once to onError", async () => {
    const { client, registry, errors, writes } = sessionClient()
    const a = await client.register(A)
    const b = await client.register({ ...A, appid: 'demo.b' })
    expect([a.transport, b.transport]).toEqual(['http', 'http'])
    expect(writes()).toEqual(['register@a:1', 'register@a:1'])
    expect(registry.sockets).toEqual([])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(DiscoveryConfigError)
    expect(errors[0]?.message).toMatch(/no WebSocket here.*; using HTTP/)
  })

  it("'session' rejects register with a DiscoveryConfigError", async () => {
    const { client, writes } = sessionClient({ transport: 'session' })
    await expect(client.register(A)).rejects.toBeInstanceOf(DiscoveryConfigError)
    await expect(client.register(A)).rejects.toThrow(/no WebSocket here/)
    expect(writes()).toEqual([])
  })
})
