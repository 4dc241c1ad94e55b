/**
 * GET poll and polls in Node, with fake objects: how the Worker reads what each app's object
 * answered, and that one app whose watch cannot open never decides the answer for the others.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { registryName } from '../../../src/server/registry-stub.ts'
import { testApp } from './test-app.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

/** The fake object of app `appid` in env dev, whose `fetch` the test replaces. */
const objectOf = (env: Env, appid: string) =>
  env.REGISTRY.getByName(registryName(appid, 'dev')) as unknown as {
    fetch(url: string, init?: RequestInit): Promise<Response>
  }

describe('a watch that cannot open', () => {
  it('never fails the poll: the other apps answer as if it were unchanged', async () => {
    const { call, env } = testApp({ POLL_HOLD_SECONDS: '0.05' })
    vi.spyOn(objectOf(env, 'demo.broken'), 'fetch').mockRejectedValue(new Error('object reset'))
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const polls = await call(
      '/discovery/polls?appid=demo.broken&appid=infra.discovery&latest_timestamp=0&latest_timestamp=0&env=dev&hostname=c'
    )
    expect(polls.text).toMatch(/^\{"code":0,"data":\{"infra.discovery":\{"instances"/)
    expect(polls.text).not.toContain('demo.broken')
    const poll = await call(
      '/discovery/poll?appid=infra.discovery&appid=demo.broken&latest_timestamp=0&env=dev&hostname=c'
    )
    expect(poll.text).toMatch(/^\{"code":0,"message":"0","ttl":1,"data":\{"instances"/)
    const held = await call(
      '/discovery/polls?appid=demo.broken&latest_timestamp=5&env=dev&hostname=c'
    )
    expect(held.text).toBe('{"code":-304,"message":"-304","ttl":1}')
  })

  it('is logged with the app it belongs to', async () => {
    const { call, env } = testApp({ POLL_HOLD_SECONDS: '0.05' })
    vi.spyOn(objectOf(env, 'demo.broken'), 'fetch').mockRejectedValue(new Error('object reset'))
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    await call('/discovery/polls?appid=demo.broken&latest_timestamp=5&env=dev&hostname=c')
    const lines = log.mock.calls.map((c) => JSON.parse(String(c[0])))
    expect(lines).toContainEqual(
      expect.objectContaining({ op: 'watch', appid: 'demo.broken', env: 'dev' })
    )
  })
})
