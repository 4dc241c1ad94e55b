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
import {
  REFUSALS_BEFORE_NO_SESSIONS,
  TransportChoice,
} from '../../../src/client/transport-choice.ts'
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

  it('takes a 5xx answer to the plain request for a failing node, not one without sessions', () => {
    for (const mode of ['auto', 'session'] as const) {
      const choice = new TransportChoice(mode, undefined)
      for (const status of [500, 502, 503]) {
        const probe = { answered: true, status } as const
        const verdict = choice.judge({ kind: 'unopened' }, request, { ...details, probe })
        expect(verdict).toMatchObject({ next: 'retry', failover: true })
        expect(verdict.error).toBeInstanceOf(DiscoverySessionError)
        expect(verdict.error?.message).toMatch(
          new RegExp(`a plain request got HTTP ${status}: the node is failing$`)
        )
      }
      expect(choice.hasNoSessions(node)).toBe(false)
    }
  })

  it('takes a node that held sessions for restarting until it refuses the upgrade 3 times in a row', () => {
    const auto = new TransportChoice('auto', undefined)
    const probe = { answered: true, status: 200 } as const
    const refused = () => auto.judge({ kind: 'unopened' }, request, { ...details, probe })
    auto.spoke(node)
    for (let i = 1; i < REFUSALS_BEFORE_NO_SESSIONS; i++) {
      const verdict = refused()
      expect(verdict).toMatchObject({ next: 'retry', failover: true })
      expect(verdict.error?.message).toMatch(
        /HTTP 200: the node held sessions before \(restarting\?\)$/
      )
    }
    auto.spoke(node) // a hello in between: the count starts again
    for (let i = 1; i < REFUSALS_BEFORE_NO_SESSIONS; i++) expect(refused().next).toBe('retry')
    expect(auto.hasNoSessions(node)).toBe(false)
    // a rollback to a version without sessions: then it has none
    expect(refused()).toEqual({ next: 'fall back', error: undefined })
    expect(auto.hasNoSessions(node)).toBe(true)
    // other nodes never held a session: one refusal is enough there
    const other = parseNode('b:2')
    expect(auto.judge({ kind: 'unopened' }, request, { ...details, node: other, probe }).next).toBe(
      'fall back'
    )
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
