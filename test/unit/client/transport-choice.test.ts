import { describe, expect, it } from 'vitest'
import WsWebSocket from 'ws'
import {
  DiscoveryNetworkError,
  DiscoveryResponseError,
  DiscoverySessionError,
  DiscoveryTimeoutError,
} from '../../../src/client/errors.ts'
import { findWebSocket } from '../../../src/client/find-websocket.ts'
import { parseNode } from '../../../src/client/nodes.ts'
import type { SocketEnd, WebSocketConstructor } from '../../../src/client/session-socket.ts'
import { TransportChoice } from '../../../src/client/transport-choice.ts'
import { FakeSocket } from './fake-websocket.ts'

describe('findWebSocket', () => {
  it('takes the class given, else the platform’s, else the ws package’s', async () => {
    expect(await findWebSocket(FakeSocket)).toBe(FakeSocket)
    const platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
    // Node 20 has no global WebSocket: the optional `ws` peer dependency is imported instead.
    expect(await findWebSocket()).toBe(platform ?? WsWebSocket)
  })

  it('accepts the ws package’s class as a WebSocketConstructor', () => {
    const ws: WebSocketConstructor = WsWebSocket
    expect(typeof ws).toBe('function')
  })
})

/** How a connection can end other than by the SDK closing it. */
type Ended = Exclude<SocketEnd, { kind: 'local' }>

describe('TransportChoice.judge', () => {
  const request = { method: 'GET', url: 'ws://a:1/discovery/session?appid=demo.a' }
  const node = parseNode('a:1')
  const details = { node, appid: 'demo.a', timeoutMs: 5000 }
  const closed = (code: number, reason = ''): Ended => ({
    kind: 'closed',
    code,
    reason,
    error: undefined,
  })

  it('retries on the next node after timeouts, dead or garbled connections and other closes', () => {
    const choice = new TransportChoice('auto', undefined)
    const cases: [Ended, unknown][] = [
      [{ kind: 'timeout', waitingFor: 'hello' }, DiscoveryTimeoutError],
      [{ kind: 'dead' }, DiscoverySessionError],
      [{ kind: 'garbled', problem: 'x' }, DiscoveryResponseError],
      [closed(1011, 'internal error'), DiscoverySessionError],
      [closed(1001), DiscoverySessionError],
      [{ kind: 'unopened' }, DiscoveryNetworkError],
    ]
    for (const [end, type] of cases) {
      const verdict = choice.judge(end, request, details)
      expect(verdict).toMatchObject({ next: 'retry', failover: true })
      expect(verdict.error).toBeInstanceOf(type)
    }
    const verdict = choice.judge(closed(1011, 'internal error'), request, details)
    expect(verdict.error?.message).toBe(
      '[GET] "ws://a:1/discovery/session?appid=demo.a": closed with 1011: internal error'
    )
  })

  it('remembers a node that answered the upgrade with plain HTTP, in auto only', () => {
    const auto = new TransportChoice('auto', undefined)
    const probe = { answered: true, status: 404 } as const
    expect(auto.judge({ kind: 'unopened' }, request, { ...details, probe })).toEqual({
      next: 'fall back',
      error: undefined,
    })
    expect(auto.hasNoSessions(node)).toBe(true)
    expect(auto.hasNoSessions(parseNode('b:2'))).toBe(false)

    const session = new TransportChoice('session', undefined)
    const verdict = session.judge({ kind: 'unopened' }, request, { ...details, probe })
    expect(verdict).toMatchObject({ next: 'retry', failover: true })
    expect(verdict.error?.message).toMatch(/plain request got HTTP 404: no sessions there/)
    expect(session.hasNoSessions(node)).toBe(false)
    const refused = { answered: true, status: 401 } as const
    const unauthorized = session.judge({ kind: 'unopened' }, request, {
      ...details,
      probe: refused,
    })
    expect(unauthorized.error?.message).toMatch(/HTTP 401: check the token/)
  })

  it('keeps the node after 1013, 4401 and 1008, which are the app’s or the token’s', () => {
    const choice = new TransportChoice('session', undefined)
    for (const code of [1013, 4401, 1008]) {
      const verdict = choice.judge(closed(code), request, details)
      expect(verdict).toMatchObject({ next: 'retry', failover: false })
      expect((verdict.error as DiscoverySessionError).closeCode).toBe(code)
    }
  })
})
