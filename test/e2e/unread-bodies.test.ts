/**
 * Bodies nothing reads, over raw keep-alive connections to the built worker: the answer must
 * leave on a connection that stays usable (src/server/body-drain.ts). A GET with a body (which
 * HTTP client libraries refuse to send) and a write past the 64 KiB limit are each followed by
 * a second request on the same connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { KeepAlive } from '../../scripts/stress/keep-alive.ts'

let registry: LocalRegistry

beforeAll(async () => {
  registry = await startRegistry({ vars: { AUTH: 'off' } })
})

afterAll(() => registry?.stop())

const FORM = 'application/x-www-form-urlencoded'

/** A request's text with `body` framed by Content-Length. */
const withBody = (method: string, path: string, body: string, headers = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: ${registry.host}\r\nContent-Type: ${FORM}\r\n` +
  `${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

const nodes = () => `GET /discovery/nodes HTTP/1.1\r\nHost: ${registry.host}\r\n\r\n`

async function connection(): Promise<KeepAlive> {
  const { hostname, port } = new URL(registry.url)
  return KeepAlive.open(hostname, Number(port))
}

describe('a body nothing reads', () => {
  it('on a GET leaves the connection usable for the next request', async () => {
    const c = await connection()
    try {
      const first = await c.request(withBody('GET', '/discovery/nodes', 'junk=1&more=2'))
      expect(first.body).toMatch(/^\{"code":0,/)
      expect((await c.request(nodes())).body).toMatch(/^\{"code":0,/)
    } finally {
      c.close()
    }
  })

  it('on a held poll with x1-bmspy-timeout 0 is answered at once, and the connection stays', async () => {
    const c = await connection()
    try {
      const poll =
        '/discovery/poll?appid=demo.unread&env=dev&hostname=c&latest_timestamp=9000000000000000000'
      const started = performance.now()
      const first = await c.request(withBody('GET', poll, 'appid=x', 'x1-bmspy-timeout: 0\r\n'))
      expect(first.body).toBe('{"code":-404,"message":"demo.unread not found"}')
      expect(performance.now() - started).toBeLessThan(2000)
      expect((await c.request(nodes())).body).toMatch(/^\{"code":0,/)
    } finally {
      c.close()
    }
  })

  it('past the 64 KiB limit (5,000 addrs) is answered -400 and the connection stays', async () => {
    const c = await connection()
    try {
      const addrs = Array.from({ length: 5000 }, (_, i) => `addrs=grpc%3A%2F%2F10.0.0.1%3A${i}`)
      const form = `appid=demo.unread&env=dev&zone=sh001&hostname=h&status=1&${addrs.join('&')}`
      expect(form.length).toBeGreaterThan(64 * 1024)
      const first = await c.request(withBody('POST', '/discovery/register', form))
      expect(first.body).toBe('{"code":-400,"message":"body: larger than 65536 bytes","ttl":1}')
      expect((await c.request(nodes())).body).toMatch(/^\{"code":0,/)
    } finally {
      c.close()
    }
  })
})
