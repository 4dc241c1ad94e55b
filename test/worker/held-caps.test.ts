/**
 * Caps on the sockets an app's object holds for callers (held polls, sessions): a client that
 * is behind always gets the view at once, even when every socket is taken, and one token or one
 * client address can take only part of an app's sockets (socket-quota.ts). Counted in the
 * object: asked here directly, with the holder headers the Worker sends when auth is on.
 */
import { describe, expect, it } from 'vitest'
import { holderHeaders } from '../../src/server/holder.ts'
import { sessionGrantHeaders } from '../../src/server/session-grant.ts'
import { drainAlarms, get, latest, register, stubOf } from './support.ts'
import { SMALL_CAP_APPID, SMALL_POLL_CAP } from './worker.ts'

const apps = drainAlarms()

/** A capped app with one instance, and its counter. */
async function cappedApp(): Promise<{ appid: string; cursor: string }> {
  const appid = `${SMALL_CAP_APPID}${crypto.randomUUID()}`
  await register(appid, 'h1')
  apps.push(appid)
  return { appid, cursor: (await latest(appid)) ?? '0' }
}

/** Ask the app's object to hold a poll's watch, as the Worker does. */
async function watch(appid: string, since: string, holder: { token?: string; address?: string }) {
  const response = await stubOf(appid).fetch(`https://registry/watch?zone=&since=${since}`, {
    headers: { Upgrade: 'websocket', ...holderHeaders(holder) },
  })
  response.webSocket?.accept()
  return { status: response.status, text: response.webSocket ? '' : await response.text() }
}

describe('held polls', () => {
  it('answer a client that is behind at once, even when the app holds its most polls', async () => {
    const { appid, cursor } = await cappedApp()
    for (let i = 0; i < SMALL_POLL_CAP; i++)
      expect((await watch(appid, cursor, {})).status).toBe(101)
    const started = Date.now()
    const first = await get(`polls?appid=${appid}&latest_timestamp=0&env=dev&hostname=new`)
    expect(first.text).toContain('"hostname":"h1"')
    expect(Date.now() - started).toBeLessThan(500)
    const poll = await get(`poll?appid=${appid}&latest_timestamp=0&env=dev&hostname=new`)
    expect(poll.text).toMatch(/^\{"code":0,"message":"0","ttl":1,"data":\{"instances"/)
    // an up-to-date client gets no socket: it is held without one, and answered -304
    expect(await watch(appid, cursor, {})).toEqual({ status: 200, text: 'u' })
  })

  it('are capped per token (half the app) and per address (a tenth): 429, while one behind still gets its view', async () => {
    const { appid, cursor } = await cappedApp()
    for (let i = 0; i < SMALL_POLL_CAP / 2; i++)
      expect((await watch(appid, cursor, { token: 't1', address: `10.0.0.${i}` })).status).toBe(101)
    expect(await watch(appid, cursor, { token: 't1', address: '10.0.1.1' })).toEqual({
      status: 429,
      text: 'token t1 holds 10, the most one token may',
    })
    expect((await watch(appid, '0', { token: 't1', address: '10.0.1.1' })).text).toMatch(/^c\{/)
    expect((await watch(appid, cursor, { token: 't2', address: '10.0.2.1' })).status).toBe(101)
    expect((await watch(appid, cursor, { token: 't3', address: '10.0.2.1' })).status).toBe(101)
    expect(await watch(appid, cursor, { token: 't4', address: '10.0.2.1' })).toEqual({
      status: 429,
      text: 'client address 10.0.2.1 holds 2, the most one address may',
    })
  })
})

describe('sessions', () => {
  it('are capped per token and per address with HTTP 429 before any upgrade', async () => {
    const appid = `${SMALL_CAP_APPID}${crypto.randomUUID()}`
    const open = (session: string, holder: { token?: string; address?: string }) =>
      stubOf(appid).fetch('https://registry/session', {
        headers: {
          Upgrade: 'websocket',
          ...sessionGrantHeaders({ appid, env: 'dev', session, actor: 'token:t', may: ['read'] }),
          ...holderHeaders(holder),
        },
      })
    const first = await open('session-aaaaaaaaaaaaaaaa', { token: 't1', address: '10.0.0.1' })
    first.webSocket?.accept()
    expect(first.status).toBe(101)
    const sameToken = await open('session-bbbbbbbbbbbbbbbb', { token: 't1', address: '10.0.0.2' })
    expect([sameToken.status, await sameToken.text()]).toEqual([
      429,
      'token t1 holds 1, the most one token may',
    ])
    const sameAddress = await open('session-cccccccccccccccc', { token: 't2', address: '10.0.0.1' })
    expect(sameAddress.status).toBe(429)
    // the same session reconnecting replaces its socket: never refused for itself
    const again = await open('session-aaaaaaaaaaaaaaaa', { token: 't1', address: '10.0.0.1' })
    again.webSocket?.accept()
    expect(again.status).toBe(101)
  })
})
