/** Sessions (docs/sessions.md) through the real Worker, object, SQLite, alarms and sockets. */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { sessionGrantHeaders } from '../../src/server/session-grant.ts'
import {
  type Frame,
  freshSession,
  openSession,
  registerFrame,
  type TestSession,
} from './session-support.ts'
import {
  advance,
  BASE,
  drainAlarms,
  freshAppid,
  get,
  hostnames,
  latest,
  post,
  register,
  renew,
  stubOf,
  waitFor,
  worker,
} from './support.ts'
import { SMALL_CAP_APPID, type TestRegistryObject } from './worker.ts'

const apps = drainAlarms()
const GRACE_MS = 10_000

const messagesHandled = (appid: string) =>
  runInDurableObject(stubOf(appid), (o: TestRegistryObject) => o.messagesHandled())

const openSockets = (appid: string) =>
  runInDurableObject(stubOf(appid), (_, state) => state.getWebSockets('s').length)

const closesHandled = (appid: string) =>
  runInDurableObject(stubOf(appid), (o: TestRegistryObject) => o.closesHandled())

/** Close these sessions and wait until the object has handled every close. */
async function closeAll(appid: string, sessions: TestSession[]): Promise<void> {
  const before = await closesHandled(appid)
  for (const s of sessions) s.close()
  await waitFor(async () => (await closesHandled(appid)) === before + sessions.length)
}

/** Run the lease alarm after moving the object's clock. */
async function alarmAfter(appid: string, ms: number): Promise<void> {
  await advance(appid, ms)
  await runDurableObjectAlarm(stubOf(appid))
}

/** A session on a new app with `h` registered through it. */
async function registered(h = 'h1'): Promise<{ appid: string; session: TestSession }> {
  const appid = freshAppid()
  apps.push(appid)
  const session = await openSession(appid)
  expect((await session.request(registerFrame(h))).type).toBe('ok')
  return { appid, session }
}

const isDelta = (f: Frame) => f.type === 'delta'

describe('a session registers', () => {
  it('instances that fetch, history and HTTP renews treat like any other', async () => {
    const { appid, session } = await registered('h1')
    expect(await hostnames(appid)).toEqual(['h1'])
    const { text } = await renew(appid, 'h1')
    expect(text).toMatch(/^\{"code":0,/)
    const history = await get(`history?appid=${appid}&env=dev`)
    expect(history.text).toContain('"op":"register","zone":"sh001","hostname":"h1"')
    session.close()
  })

  it('answers a bad frame with an error naming the field, and changes nothing', async () => {
    const appid = freshAppid()
    const session = await openSession(appid)
    const noAddrs = await session.request({ op: 'register', zone: 'sh001', hostname: 'h1' })
    expect(noAddrs).toMatchObject({ type: 'error', code: -400, field: 'addrs' })
    const badStatus = await session.request(registerFrame('h1', { status: 3 }))
    expect(badStatus).toMatchObject({ type: 'error', code: -400, field: 'status' })
    const badOp = await session.request({ op: 'renew' })
    expect(badOp).toMatchObject({ type: 'error', field: 'op' })
    const from = session.frames.length
    session.send('not json')
    expect(await session.next((f) => f.type === 'error', from)).toMatchObject({ field: 'frame' })
    expect(await hostnames(appid)).toBeUndefined()
    session.close()
  })

  it('at most 64 instances per session', async () => {
    const { appid, session } = await registered('h0')
    for (let i = 1; i < 64; i++) await session.request(registerFrame(`h${i}`))
    const refused = await session.request(registerFrame('h64'))
    expect(refused).toMatchObject({ type: 'error', code: -400, field: 'session' })
    expect(await hostnames(appid)).toHaveLength(64)
    session.close()
  })
})

describe('heartbeats', () => {
  it('are answered by the runtime without waking the object', async () => {
    const { appid, session } = await registered()
    const handled = await messagesHandled(appid)
    const from = session.frames.length
    for (let i = 0; i < 20; i++) session.send('{"op":"ping"}')
    await waitFor(() => session.frames.slice(from).filter((f) => f.type === 'pong').length === 20)
    expect(await messagesHandled(appid)).toBe(handled)
    const pinged = await runInDurableObject(stubOf(appid), (_, state) =>
      state.getWebSockets('s').map((ws) => state.getWebSocketAutoResponseTimestamp(ws))
    )
    expect(pinged[0]).toBeInstanceOf(Date)
    // any other frame does reach it
    await session.request({ op: 'unwatch' })
    expect(await messagesHandled(appid)).toBe(handled + 1)
    session.close()
  })
})

describe('when a session closes', () => {
  it("answers the client's close frame, so the client's socket closes at once", async () => {
    const { session } = await registered('h1')
    session.close()
    await waitFor(() => session.closed !== undefined, 2000)
    expect(session.closed?.code).toBe(1000)
  })

  it('its instances stay for the grace time, then are evicted as the session', async () => {
    const { appid, session } = await registered('h1')
    await closeAll(appid, [session])
    await alarmAfter(appid, GRACE_MS - 1000)
    expect(await hostnames(appid)).toEqual(['h1'])
    await alarmAfter(appid, 2000)
    expect(await hostnames(appid)).toBeUndefined()
    const history = await get(`history?appid=${appid}&env=dev`)
    expect(history.text).toContain('"op":"evict","zone":"sh001","hostname":"h1","actor":"session"')
  })

  it('a reconnect within the grace time takes them back without a change', async () => {
    const { appid, session } = await registered('h1')
    const before = await latest(appid)
    await closeAll(appid, [session])
    const again = await openSession(appid, sessionIdOf(session))
    expect((await again.request(registerFrame('h1'))).type).toBe('ok')
    expect(await latest(appid)).toBe(before)
    await alarmAfter(appid, GRACE_MS + 1000)
    expect(await hostnames(appid)).toEqual(['h1'])
    const history = await get(`history?appid=${appid}&env=dev`)
    expect(history.text.match(/"op":"register"/g)).toHaveLength(1)
    again.close()
  })

  it('a wave of closes evicts nobody', async () => {
    const appid = freshAppid()
    apps.push(appid)
    const sessions = await Promise.all([1, 2, 3, 4, 5].map(() => openSession(appid)))
    await Promise.all(sessions.map((s, i) => s.request(registerFrame(`h${i}`))))
    await closeAll(appid, sessions)
    await alarmAfter(appid, GRACE_MS + 1000)
    expect(await hostnames(appid)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4'])
  })

  it('a lone close among many is still evicted', async () => {
    const appid = freshAppid()
    apps.push(appid)
    const sessions = await Promise.all([1, 2, 3, 4, 5, 6].map(() => openSession(appid)))
    await Promise.all(sessions.map((s, i) => s.request(registerFrame(`h${i}`))))
    await closeAll(appid, sessions.slice(0, 1))
    await alarmAfter(appid, GRACE_MS + 1000)
    expect(await hostnames(appid)).toEqual(['h1', 'h2', 'h3', 'h4', 'h5'])
    for (const s of sessions.slice(1)) s.close()
  })

  it('its state survives the object leaving memory', async () => {
    const { appid, session } = await registered('h1')
    await evictDurableObject(stubOf(appid))
    // the socket is still the session's: its frames reach a new instance of the object
    expect((await session.request(registerFrame('h2'))).type).toBe('ok')
    await closeAll(appid, [session])
    await evictDurableObject(stubOf(appid))
    await alarmAfter(appid, GRACE_MS + 1000)
    expect(await hostnames(appid)).toBeUndefined()
  })
})

describe('a session watches', () => {
  it('gets the view at once, then every change as a delta', async () => {
    const appid = freshAppid()
    apps.push(appid)
    const session = await openSession(appid)
    expect((await session.request({ op: 'watch', cursor: 0 })).type).toBe('ok')
    const view = await session.next((f) => f.type === 'view')
    expect(view).toMatchObject({ instances: {}, latest_timestamp: 0 })
    await register(appid, 'h1')
    const added = await session.next(isDelta)
    expect(added).toMatchObject({ from: 0, put: [{ hostname: 'h1', status: 1 }], del: [] })
    expect(String(added.latest_timestamp)).toBe(await latest(appid))
    // leaving the watched statuses (UP only) is a removal
    const from = session.frames.length
    await post('set', { appid, env: 'dev', zone: 'sh001', hostname: 'h1', status: '2' })
    const drained = await session.next(isDelta, from)
    expect(drained).toMatchObject({ from: added.latest_timestamp, put: [] })
    expect(drained.del).toEqual([{ zone: 'sh001', hostname: 'h1' }])
    session.close()
  })

  it('learns at once that the last instance went', async () => {
    const appid = freshAppid()
    apps.push(appid)
    await register(appid, 'h1')
    const session = await openSession(appid)
    await session.request({ op: 'watch', cursor: 0, status: [1, 2] })
    await session.next((f) => f.type === 'view')
    await post('cancel', { appid, env: 'dev', zone: 'sh001', hostname: 'h1' })
    const gone = await session.next(isDelta)
    expect(gone).toMatchObject({ put: [], del: [{ zone: 'sh001', hostname: 'h1' }] })
    expect(gone.latest_timestamp).toBe(0)
    session.close()
  })

  it('resumes from its cursor: a delta while the log reaches back, else the view', async () => {
    const appid = freshAppid()
    apps.push(appid)
    await register(appid, 'h1')
    const cursor = await latest(appid)
    await register(appid, 'h2')
    await register(appid, 'h3')
    const behind = await openSession(appid)
    await behind.request({ op: 'watch', cursor })
    const missed = await behind.next(isDelta)
    expect(String(missed.from)).toBe(cursor)
    expect((missed.put as Frame[]).map((i) => i.hostname)).toEqual(['h2', 'h3'])
    const current = await openSession(appid)
    const from = current.frames.length
    await current.request({ op: 'watch', cursor: await latest(appid) })
    expect(current.frames.slice(from).map((f) => f.type)).toEqual(['ok'])
    behind.close()
    current.close()
    await waitFor(async () => (await openSockets(appid)) === 0)
    await evictDurableObject(stubOf(appid)) // the change log lives in memory
    const late = await openSession(appid)
    await late.request({ op: 'watch', cursor })
    const view = await late.next((f) => f.type === 'view')
    expect(Object.keys(view.instances as object)).toEqual(['sh001'])
    late.close()
  })
})

/** The session id a test session was opened with (from its hello). */
function sessionIdOf(session: TestSession): string {
  return String(session.frames.find((f) => f.type === 'hello')?.session)
}

describe('limits', () => {
  it('past the per-app cap, a session is told why and closed with 1013', async () => {
    const appid = `${SMALL_CAP_APPID}${crypto.randomUUID()}`
    const open = await Promise.all([1, 2, 3].map(() => openSession(appid)))
    const refused = await worker.fetch(`${BASE}/session?appid=${appid}&env=dev`, {
      headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'discovery.v1' },
    })
    const ws = refused.webSocket as WebSocket
    const said: string[] = []
    let closed: number | undefined
    ws.addEventListener('message', (e) => said.push(String(e.data)))
    ws.addEventListener('close', (e) => {
      closed = e.code
    })
    ws.accept()
    await waitFor(() => closed !== undefined)
    expect(closed).toBe(1013)
    expect(said[0]).toMatch(
      /^\{"type":"error","code":-503,"message":"capped\.[^"]* holds 3 sessions/
    )
    for (const s of open) s.close()
  })

  it('a session that sends too many frames is refused with -429, then closed with 1008', async () => {
    const appid = freshAppid()
    const session = await openSession(appid)
    for (let i = 0; i < 150; i++) session.send('{"op":"unwatch"}')
    await session.next((f) => f.type === 'error' && f.code === -429)
    for (let i = 0; i < 150; i++) session.send('{"op":"unwatch"}')
    await waitFor(() => session.closed !== undefined)
    expect(session.closed?.code).toBe(1008)
  })

  it('closes a session whose token expired with 4401 at its next frame', async () => {
    const appid = freshAppid()
    apps.push(appid)
    const grant = sessionGrantHeaders({
      appid,
      env: 'dev',
      session: freshSession(),
      actor: 'token:t1',
      may: ['read', 'write'],
      expiresMs: Date.now() + 60_000,
    })
    const response = await stubOf(appid).fetch('https://registry/session', {
      headers: { Upgrade: 'websocket', ...grant },
    })
    const ws = response.webSocket as WebSocket
    let closed: number | undefined
    ws.addEventListener('close', (e) => {
      closed = e.code
    })
    ws.accept()
    await advance(appid, 61_000)
    ws.send('{"op":"unwatch"}')
    await waitFor(() => closed !== undefined)
    expect(closed).toBe(4401)
  })
})
