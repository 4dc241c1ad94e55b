import { describe, expect, it } from 'vitest'
import type { HelloFrame, ServerFrame } from '../../../src/client/session-frames.ts'
import { SessionSocket, type SocketEnd } from '../../../src/client/session-socket.ts'
import { FakeSocket, hello, PING } from './fake-websocket.ts'
import { FakeTimers, settle } from './fakes.ts'

const TIMEOUT_MS = 5000
const INTERVAL_MS = 30_000

function connect() {
  const timers = new FakeTimers()
  const made: FakeSocket[] = []
  const hellos: HelloFrame[] = []
  const frames: ServerFrame[] = []
  let end: SocketEnd | undefined
  const session = new SessionSocket({
    WebSocket: class extends FakeSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols)
        made.push(this)
      }
    },
    url: 'ws://a:1/discovery/session?appid=demo.a&env=dev&session=s',
    protocols: ['discovery.v1', 'bearer.tok'],
    timers,
    timeoutMs: TIMEOUT_MS,
    onHello: (h) => hellos.push(h),
    onFrame: (f) => frames.push(f),
  })
  void session.ended.then((e) => {
    end = e
  })
  const socket = made[0] as FakeSocket
  const open = () => {
    socket.accept()
    socket.receive(hello())
  }
  return { session, socket, timers, hellos, frames, open, end: () => end }
}

describe('SessionSocket', () => {
  it('opens with the URL and subprotocols given, and is ready once hello arrives', async () => {
    const { session, socket, hellos } = connect()
    expect(socket.url.href).toBe('ws://a:1/discovery/session?appid=demo.a&env=dev&session=s')
    expect(socket.protocols).toEqual(['discovery.v1', 'bearer.tok'])
    socket.accept()
    expect(session.ready).toBe(false)
    expect(session.send('{"op":"watch"}')).toBe(false) // nothing goes out before hello
    socket.receive(hello())
    expect(session.ready).toBe(true)
    expect(hellos.map((h) => h.ping)).toEqual([PING])
    expect(session.send('{"op":"watch"}')).toBe(true)
    expect(socket.sent).toEqual(['{"op":"watch"}'])
  })

  it('sends the heartbeat text every interval while pongs come back', async () => {
    const { socket, timers, open, end } = connect()
    open()
    await timers.advance(INTERVAL_MS - 1)
    expect(socket.sent).toEqual([])
    for (let i = 1; i <= 4; i++) {
      await timers.advance(1)
      expect(socket.sent).toHaveLength(i)
      socket.receive({ type: 'pong' })
      await timers.advance(INTERVAL_MS - 1)
    }
    expect(socket.sent.every((text) => text === PING)).toBe(true)
    expect(end()).toBeUndefined()
  })

  it('calls the connection dead after two heartbeats without a pong, and closes it', async () => {
    const { socket, timers, open, end } = connect()
    open()
    await timers.advance(INTERVAL_MS) // heartbeat 1
    await timers.advance(INTERVAL_MS) // heartbeat 1 missed; heartbeat 2
    expect(socket.sent).toEqual([PING, PING])
    expect(end()).toBeUndefined()
    await timers.advance(INTERVAL_MS) // heartbeat 2 missed
    expect(end()).toEqual({ kind: 'dead' })
    expect(socket.closedWith).toBeDefined()
  })

  it('gives up on opening, then on hello, after the deadline', async () => {
    const never = connect()
    await never.timers.advance(TIMEOUT_MS)
    expect(never.end()).toEqual({ kind: 'timeout', waitingFor: 'open' })
    expect(never.socket.closedWith).toBeDefined()

    const mute = connect()
    await mute.timers.advance(TIMEOUT_MS - 1)
    mute.socket.accept()
    await mute.timers.advance(TIMEOUT_MS - 1)
    expect(mute.end()).toBeUndefined()
    await mute.timers.advance(1)
    expect(mute.end()).toEqual({ kind: 'timeout', waitingFor: 'hello' })
  })

  it('says whether it ended before opening or was closed after, with the refusal frame', async () => {
    const refused = connect()
    refused.socket.refuse()
    await settle()
    expect(refused.end()).toEqual({ kind: 'unopened' })

    const capped = connect()
    capped.socket.accept()
    const refusal = { type: 'error', code: -503, message: 'demo.a holds 20000 sessions' }
    capped.socket.receive(refusal)
    capped.socket.drop(1013, 'try again later')
    await settle()
    expect(capped.end()).toEqual({
      kind: 'closed',
      code: 1013,
      reason: 'try again later',
      error: { ...refusal, id: undefined, field: undefined },
    })
  })

  it('ends as garbled on a frame that is not a session frame, or anything before hello', async () => {
    const bad = connect()
    bad.open()
    bad.socket.receive('{"type":"view","latest_timestamp":"soon"}')
    await settle()
    expect(bad.end()).toMatchObject({ kind: 'garbled', problem: /latest_timestamp/ })
    expect(bad.socket.closedWith).toBeDefined()

    const early = connect()
    early.socket.accept()
    early.socket.receive({ type: 'pong' })
    await settle()
    expect(early.end()).toEqual({ kind: 'garbled', problem: 'pong before hello' })
  })

  it('passes frames after hello on, except pongs and types it does not know', async () => {
    const { socket, open, frames } = connect()
    open()
    socket.receive({ type: 'pong' })
    socket.receive({ type: 'gossip' })
    socket.receive({ type: 'ok', id: 7 })
    expect(frames).toEqual([{ type: 'ok', id: 7 }])
  })

  it('ends as local on close(), with code 1000, and ignores what arrives after', async () => {
    const { session, socket, open, frames, end } = connect()
    open()
    session.close()
    socket.receive({ type: 'ok', id: 1 })
    await settle()
    expect(end()).toEqual({ kind: 'local' })
    expect(socket.closedWith).toEqual({ code: 1000 })
    expect(frames).toEqual([])
  })
})
