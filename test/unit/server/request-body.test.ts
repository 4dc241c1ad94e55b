/**
 * Request bodies the registry does not take: one the client broke off is -400 (not a fault of
 * ours, not -500), and one nothing reads (a GET's, one past the limit) is read to its end
 * before the answer, so the connection it came on stays usable (src/server/body-drain.ts).
 */
import { describe, expect, it } from 'vitest'
import { LIMITS } from '../../../src/protocol/limits.ts'
import { testApp } from './test-app.ts'

const FORM = 'application/x-www-form-urlencoded'

/** A body of `chunks`, then an error (the client went away) when `broken`; counts what was read. */
function body(chunks: string[], broken = false) {
  const read = { bytes: 0, ended: false }
  const encoder = new TextEncoder()
  let next = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++]
      if (chunk !== undefined) {
        read.bytes += chunk.length
        controller.enqueue(encoder.encode(chunk))
      } else if (broken) controller.error(new Error('Network connection lost.'))
      else {
        read.ended = true
        controller.close()
      }
    },
  })
  return { stream, read }
}

async function send(method: string, path: string, stream: ReadableStream, length?: number) {
  const { app, env } = testApp()
  const headers: Record<string, string> = { 'content-type': FORM }
  if (length !== undefined) headers['content-length'] = String(length)
  const init = { method, headers, body: stream, duplex: 'half' } as RequestInit
  const response = await app.request(`http://127.0.0.1:7171${path}`, init, env)
  return response.text()
}

describe('a body the client broke off', () => {
  it('answers -400 naming the body, framed or chunked', async () => {
    const expected =
      '{"code":-400,"message":"body: the connection ended before the whole body","ttl":1}'
    for (const length of [100, undefined]) {
      const { stream } = body(['appid=demo.a&env=dev'], true)
      expect(await send('POST', '/discovery/renew', stream, length)).toBe(expected)
    }
  })
})

describe('a body nothing reads', () => {
  // (a GET with a body, which Node's Request cannot make, is sent in test/e2e/unread-bodies.test.ts)
  it('is read to its end on a route that takes none (here answered 405)', async () => {
    const { stream, read } = body(['junk=1', '&more=2'])
    expect(await send('POST', '/discovery/nodes', stream)).toBe('Method Not Allowed')
    expect(read.ended).toBe(true)
  })

  it('is read to its end past the form limit, up to LIMITS.drainBytes', async () => {
    const piece = 'x'.repeat(16 * 1024)
    const within = body(Array.from({ length: 10 }, () => piece))
    expect(await send('POST', '/discovery/renew', within.stream)).toContain('larger than 65536')
    expect(within.read.ended).toBe(true)
    const count = LIMITS.drainBytes / piece.length + 8
    const past = body(Array.from({ length: count }, () => piece))
    expect(await send('POST', '/discovery/renew', past.stream)).toContain('larger than 65536')
    expect(past.read.ended).toBe(false)
    expect(past.read.bytes).toBeLessThan(LIMITS.drainBytes + 2 * piece.length)
  })
})
