/**
 * A TCP proxy in front of a registry that can play a registry restart as clients see it: every
 * connection dropped at once, then, for a while, session upgrades that fail while plain requests
 * are still answered (wrangler dev's proxy answering 503 while the worker restarts; a dying
 * process still serving a keep-alive connection, or a new one coming up between the upgrade and
 * the next request). It records the request lines it forwards and the upgrades it saw through.
 */
import { connect, createServer, type Socket } from 'node:net'

/** How session upgrades fail during the glitch. */
export type UpgradeGlitch =
  /** Answered `503 Service Unavailable`, as wrangler dev's proxy does mid-restart. */
  | '503'
  /** The connection is reset without an answer. */
  | 'reset'

export interface GlitchProxy {
  /** host:port to give clients. */
  host: string
  /** Request lines forwarded (`POST /discovery/register`), in order. */
  requests: string[]
  /** Upgrades the registry accepted (101). */
  upgraded: number
  /** Upgrades failed by the glitch. */
  refused: number
  /** Until `heal()`, fail upgrades as `how`; plain requests still pass. Drops every connection. */
  restart(how: UpgradeGlitch): void
  heal(): void
  close(): Promise<void>
}

const HEAD_END = '\r\n\r\n'
const REQUEST_LINE = /^(GET|POST) (\/[^ ?]*)[^ ]* HTTP\/1\.1$/gm

export async function glitchProxy(target: string): Promise<GlitchProxy> {
  const [targetHost = '', targetPort = ''] = target.split(':')
  const open = new Set<Socket>()
  let glitch: UpgradeGlitch | undefined
  const proxy: Omit<GlitchProxy, 'host' | 'close'> = {
    requests: [],
    upgraded: 0,
    refused: 0,
    restart(how) {
      glitch = how
      for (const socket of open) socket.destroy()
      open.clear()
    },
    heal() {
      glitch = undefined
    },
  }
  const track = (socket: Socket) => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const record = (chunk: Buffer) => {
    for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE))
      proxy.requests.push(`${m[1]} ${m[2]}`)
  }
  const server = createServer((client) => {
    track(client)
    let head = Buffer.alloc(0)
    const first = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const text = head.toString('latin1')
      if (!text.includes(HEAD_END)) return
      client.off('data', first)
      const upgrade = /^upgrade: *websocket\s*$/im.test(text.split(HEAD_END)[0] ?? '')
      if (upgrade && glitch !== undefined) {
        proxy.refused += 1
        if (glitch === 'reset') client.resetAndDestroy()
        else
          client.end(
            'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
          )
        return
      }
      const upstream = connect(Number(targetPort), targetHost)
      track(upstream)
      record(head)
      upstream.write(head)
      client.on('data', (more: Buffer) => {
        record(more)
        upstream.write(more)
      })
      let answered = false
      upstream.on('data', (answer: Buffer) => {
        if (upgrade && !answered && answer.toString('latin1').startsWith('HTTP/1.1 101'))
          proxy.upgraded += 1
        answered = true
        client.write(answer)
      })
      upstream.on('close', () => client.destroy())
      client.on('close', () => upstream.destroy())
    }
    client.on('data', first)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy()
      server.close(() => resolve())
    })
  return Object.assign(proxy, { host: `127.0.0.1:${port}`, close })
}
