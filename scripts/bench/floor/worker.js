// @ts-check
/**
 * The runtime's floor: the registry's request paths with no registry in them. The benchmark
 * times these as it times the registry, so the difference is the registry's own cost.
 * - `GET /poll?app=A` holds the request on a hibernatable socket to A's object and answers with
 *   the first pushed text; `POST /change?app=A` makes A's object push the request body to every
 *   socket and close them, as the registry's object does on a change.
 * - `POST /renew?app=A` reads the form body and calls A's object, which only echoes it: what
 *   every renew costs before the registry does anything.
 */
import { DurableObject } from 'cloudflare:workers'

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }

export class FloorObject extends DurableObject {
  /** @param {Request} _request */
  async fetch(_request) {
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server)
    server.send('u')
    return new Response(null, { status: 101, webSocket: client })
  }

  /** @param {string} form */
  renew(form) {
    return `{"code":0,"data":${JSON.stringify(form)}}`
  }

  /** @param {string} text */
  async change(text) {
    const sockets = this.ctx.getWebSockets()
    for (const ws of sockets) ws.send(`c${text}`)
    for (const ws of sockets) ws.close(1000, 'changed')
    return sockets.length
  }
}

/** @param {DurableObjectStub} stub */
async function heldPoll(stub) {
  const response = await stub.fetch('https://floor/watch', { headers: { Upgrade: 'websocket' } })
  const ws = response.webSocket
  if (!ws) return new Response('no socket', { status: 502 })
  ws.accept()
  const view = await new Promise((resolve) => {
    ws.addEventListener('message', (event) => {
      if (typeof event.data === 'string' && event.data.startsWith('c')) resolve(event.data.slice(1))
    })
  })
  return new Response(`{"code":0,"data":${view}}`, { headers: JSON_TYPE })
}

export default {
  /**
   * @param {Request} request
   * @param {{ FLOOR: DurableObjectNamespace<FloorObject> }} env
   */
  async fetch(request, env) {
    const url = new URL(request.url)
    const stub = env.FLOOR.get(env.FLOOR.idFromName(url.searchParams.get('app') ?? ''))
    if (url.pathname === '/poll') return heldPoll(stub)
    if (url.pathname === '/renew' && request.method === 'POST') {
      return new Response(await stub.renew(await request.text()), { headers: JSON_TYPE })
    }
    if (url.pathname === '/change' && request.method === 'POST') {
      const woken = await stub.change(await request.text())
      return new Response(`{"code":0,"data":${woken}}`, { headers: JSON_TYPE })
    }
    return new Response('{"code":0}', { headers: JSON_TYPE }) // what waitIdle asks for
  },
}
