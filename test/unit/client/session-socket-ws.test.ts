/**
 * SessionSocket over the real `ws` package (what Node 20 uses) against a loopback server: the
 * WebSocketLike contract holds for it (text frames as strings, close codes and reasons, the
 * subprotocol), and an upgrade answered with plain HTTP ends as 'unopened'.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import type { HelloFrame, ServerFrame } from '../../../src/client/session-frames.ts'
import { SessionSocket } from '../../../src/client/session-socket.ts'
import { systemTimers } from '../../../src/client/timers.ts'
import { hello, PING } from './fake-websocket.ts'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

/** A loopback server: upgrades /discovery/session with `onSocket`, answers anything else 404. */
async function loopback(onSocket: (socket: WebSocket) => void): Promise<string> {
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has('discovery.v1') ? 'discovery.v1' : false),
  })
  server = createServer((_, response) => response.writeHead(404).end('404 page not found'))
  server.on('upgrade', (request, socket, head) => {
    if (!request.url?.startsWith('/discovery/session')) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, onSocket)
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function open(url: string) {
  const hellos: HelloFrame[] = []
  const frames: ServerFrame[] = []
  const session = new SessionSocket({
    WebSocket,
    url,
    protocols: ['discovery.v1', 'bearer.dsc1.k1.abc.def'],
    timers: systemTimers,
    timeoutMs: 5000,
    onHello: (h) => hellos.push(h),
    onFrame: (f) => frames.push(f),
  })
  return { session, hellos, frames }
}

describe('SessionSocket with the ws package', () => {
  it('negotiates discovery.v1, reads hello and frames, answers to heartbeats, ends with the close code', async () => {
    const received: string[] = []
    let protocols = ''
    let twoPings = () => {}
    const pinged = new Promise<void>((resolve) => {
      twoPings = resolve
    })
    const base = await loopback((socket) => {
      protocols = socket.protocol
      socket.on('message', (data) => {
        received.push(String(data))
        if (received.length === 2) twoPings()
        if (String(data) === PING) socket.send('{"type":"pong"}')
        else socket.close(4401, 'token expired')
      })
      socket.send(JSON.stringify(hello({ ping_interval_ms: 10 })))
      socket.send('{"type":"ok","id":1}')
    })
    const { session, hellos, frames } = open(`${base}/discovery/session?appid=a&env=dev`)
    await pinged
    expect(protocols).toBe('discovery.v1')
    expect(hellos).toHaveLength(1)
    expect(frames).toEqual([{ type: 'ok', id: 1 }])
    expect(received.slice(0, 2)).toEqual([PING, PING]) // pongs came back, so it kept going
    session.send('{"op":"watch","id":2,"cursor":0}')
    expect(await session.ended).toEqual({
      kind: 'closed',
      code: 4401,
      reason: 'token expired',
      error: undefined,
    })
  })

  it('ends as unopened when the upgrade gets a plain HTTP answer', async () => {
    const base = await loopback(() => {})
    const { session } = open(`${base}/elsewhere`)
    expect(await session.ended).toEqual({ kind: 'unopened' })
  })
})
