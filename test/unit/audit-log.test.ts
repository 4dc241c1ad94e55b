/**
 * The audit log (src/server/audit-log.ts): every write AppRegistry makes or refuses is one JSON
 * line on console.log, with its actor, for HTTP and session writers alike; the lines outlive the
 * 1,000-row history; and through the HTTP app the actor is the token id, never the token.
 */
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { mintToken } from '../../src/auth/token.ts'
import { AppRegistry } from '../../src/server/app-registry.ts'
import { MemoryStore } from '../../src/server/memory-store.ts'
import { aCancelInput, aRegisterInput, aRenewInput, aSetInput } from '../support/builders.ts'
import { FakeClock, T0_MS } from '../support/fake-clock.ts'
import { K1 } from '../support/token-keys.ts'
import { testApp } from './server/test-app.ts'

let log: MockInstance<typeof console.log>
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {})
})
afterEach(() => {
  vi.restoreAllMocks()
})

/** The audit lines logged so far, parsed. */
const lines = (): Record<string, unknown>[] =>
  log.mock.calls
    .map(([line]) => String(line))
    .filter((line) => line.startsWith('{"audit":'))
    .map((line) => JSON.parse(line))

/** An app's registry over memory, strict leases (no self-preservation) and a fake clock. */
function anApp() {
  const clock = new FakeClock()
  const registry = new AppRegistry({
    store: new MemoryStore(),
    clock,
    config: {
      evictAfterMs: 90_000,
      renewIntervalMs: 30_000,
      selfPreservation: false,
      sessionGraceMs: 10_000,
      sessionCheckMs: 600_000,
    },
    announce: async () => {},
    catalog: async () => {},
  })
  return { registry, clock }
}

const target = { appid: 'demo.a', env: 'dev', zone: 'sh001' }

describe('AppRegistry audit lines', () => {
  it('logs each write once, with op, app, env, zone, hostname, actor, outcome and time', async () => {
    const { registry } = anApp()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:owner')
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      '{"audit":"write","op":"register","appid":"demo.a","env":"dev","zone":"sh001","hostname":"h1","actor":"token:owner","outcome":"ok","at_ms":1700000000000}',
    ])
  })

  it('logs set, a renew by another token, cancel, and each refusal with its outcome', async () => {
    const { registry } = anApp()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:owner')
    registry.renew(aRenewInput({ hostname: 'h1' }), 'token:owner') // the owner's: no line
    registry.renew(aRenewInput({ hostname: 'h1' }), 'token:other')
    await registry.register(aRegisterInput({ hostname: 'h1', dirtyTimestamp: 1n }), 'token:old')
    await registry.set(aSetInput({ hostnames: ['h1'], statuses: [2] }), 'token:ops')
    await registry.set(aSetInput({ hostnames: ['h1', 'nope'], statuses: [] }), 'token:ops')
    await registry.cancel(aCancelInput({ hostname: 'h1' }), 'token:owner')
    await registry.cancel(aCancelInput({ hostname: 'h1' }), 'token:owner')
    expect(
      lines().map(({ op, hostname, actor, outcome }) => [op, hostname, actor, outcome])
    ).toEqual([
      ['register', 'h1', 'token:owner', 'ok'],
      ['renew', 'h1', 'token:other', 'ok'],
      ['register', 'h1', 'token:old', 'stale'],
      ['set', 'h1', 'token:ops', 'ok'],
      ['set', 'h1', 'token:ops', 'refused'],
      ['set', 'nope', 'token:ops', 'refused'],
      ['cancel', 'h1', 'token:owner', 'ok'],
      ['cancel', 'h1', 'token:owner', 'not_found'],
    ])
    const places = lines().map(({ appid, env, zone }) => ({ appid, env, zone }))
    expect(places.every((p) => JSON.stringify(p) === JSON.stringify(target))).toBe(true)
  })

  it('logs each eviction with the actor lease', async () => {
    const { registry, clock } = anApp()
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:owner')
    await registry.register(aRegisterInput({ hostname: 'h2' }), 'token:owner')
    clock.advance(90_000)
    await registry.alarm()
    expect(lines().slice(2)).toEqual(
      ['h1', 'h2'].map((hostname) => ({
        audit: 'write',
        op: 'evict',
        ...target,
        hostname,
        actor: 'lease',
        outcome: 'ok',
        at_ms: T0_MS + 90_000,
      }))
    )
  })

  it('logs session writes with the grant actor, never the session id, and their evictions as session', async () => {
    const { registry, clock } = anApp()
    const session = 'secret-session-id-0001'
    registry.sessionOpened(session)
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:svc', session)
    await registry.register(aRegisterInput({ hostname: 'h1' }), 'token:svc', session) // as it is
    registry.sessionClosed(session)
    clock.advance(10_000)
    await registry.alarm(new Map())
    expect(lines().map(({ op, actor, outcome }) => [op, actor, outcome])).toEqual([
      ['register', 'token:svc', 'ok'],
      ['register', 'token:svc', 'claimed'],
      ['evict', 'session', 'ok'],
    ])
    expect(log.mock.calls.join('\n')).not.toContain(session)
  })

  it('keeps a hijack on record after 1,040 junk writes pushed it out of the history', async () => {
    const { registry } = anApp()
    await registry.register(aRegisterInput({ hostname: 'payments-1' }), 'token:owner')
    const hijack = aRegisterInput({ hostname: 'payments-1', addrs: ['grpc://6.6.6.6:9000'] })
    await registry.register(hijack, 'token:intruder')
    await Promise.all(
      Array.from({ length: 1_040 }, () =>
        registry.register(aRegisterInput({ hostname: 'junk' }), 'token:intruder')
      )
    )
    const history = await registry.history(1_000)
    expect(history.some((e) => e.hostname === 'payments-1')).toBe(false)
    expect(lines()).toContainEqual(
      expect.objectContaining({ hostname: 'payments-1', actor: 'token:intruder', outcome: 'ok' })
    )
  })
})

describe('audit lines through the HTTP app', () => {
  it('name the token id as the actor and never contain the token', async () => {
    const { call } = testApp({ AUTH: 'tokens', TOKEN_KEYS: `${K1.kid}:${K1.secret}` })
    const exp = Math.floor(Date.now() / 1000) + 600
    const token = await mintToken(
      { tid: 'deployer-7', scopes: ['write'], apps: ['demo.a'], envs: ['dev'], exp },
      K1
    )
    const form = { ...target, hostname: 'h1', status: 1, addrs: 'grpc://10.0.0.1:9000' }
    expect((await call('/discovery/register', { token, form })).code).toBe('0')
    expect(lines()).toEqual([
      expect.objectContaining({ op: 'register', hostname: 'h1', actor: 'token:deployer-7' }),
    ])
    expect(log.mock.calls.join('\n')).not.toContain(token)
  })
})
