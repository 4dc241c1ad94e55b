/**
 * Audit lines from the real object (src/server/audit-log.ts): a write over HTTP and one over a
 * session each log one line with the actor the Worker established, and the eviction of a
 * closed session's instance logs the actor `session`; the session id is never logged.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { freshSession, openSession, registerFrame } from './session-support.ts'
import { advance, drainAlarms, freshAppid, register, stubOf, waitFor } from './support.ts'
import type { TestRegistryObject } from './worker.ts'

const apps = drainAlarms()
let log: MockInstance<typeof console.log>
beforeEach(() => {
  log = vi.spyOn(console, 'log')
})
afterEach(() => {
  vi.restoreAllMocks()
})

/** The audit lines of `appid` logged so far. */
const linesOf = (appid: string) =>
  log.mock.calls
    .map(([line]) => String(line))
    .filter((line) => line.startsWith('{"audit":'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.appid === appid)

describe('audit lines from RegistryObject', () => {
  it('logs an HTTP register, a session register and the eviction after the session ends', async () => {
    const appid = freshAppid()
    apps.push(appid)
    await register(appid, 'http-1')
    const id = freshSession()
    const session = await openSession(appid, id)
    expect((await session.request(registerFrame('s-1'))).type).toBe('ok')
    const closes = () =>
      runInDurableObject(stubOf(appid), (o: TestRegistryObject) => o.closesHandled())
    const before = await closes()
    session.close()
    await waitFor(async () => (await closes()) === before + 1)
    await advance(appid, 10_000)
    await runDurableObjectAlarm(stubOf(appid))
    expect(
      linesOf(appid).map(({ op, hostname, actor, outcome }) => [op, hostname, actor, outcome])
    ).toEqual([
      ['register', 'http-1', 'auth-off', 'ok'],
      ['register', 's-1', 'auth-off', 'ok'],
      ['evict', 's-1', 'session', 'ok'],
    ])
    expect(log.mock.calls.join('\n')).not.toContain(id)
  })
})
