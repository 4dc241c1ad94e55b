/**
 * Sending a generated malformed request (scripts/shared/malformed/) exactly as generated, for
 * the fuzz of test/e2e/malformed.test.ts: split form bodies, multipart, JSON, and oversize
 * bodies on a connection of their own.
 */
import { request as httpRequest } from 'node:http'
import { FORM_HEADERS } from '../../../scripts/shared/discovery-text.ts'
import { type Malformed, place } from '../../../scripts/shared/malformed/request.ts'
import type { Discovery, HttpAnswer } from '../discovery-client.ts'

/** An HTTP answer, or the connection reset before one arrived. */
export type AnswerOrReset = Pick<HttpAnswer, 'status' | 'contentType' | 'text'> | { reset: string }

/** Send one generated request, exactly as generated, to the registry `d` talks to. */
export async function send(d: Discovery, request: Malformed): Promise<AnswerOrReset> {
  const { carrier } = request
  const placed = place(request)
  if (carrier.kind === 'oversize')
    return sendOversize(d.url, request.path, placed.body ?? '', carrier.chunked)
  const headers: Record<string, string> = { ...request.headers }
  if (placed.contentType !== undefined) headers['content-type'] = placed.contentType
  // bytes, not a string, so that fetch adds no text/plain type to a form sent without one
  let body: BodyInit | undefined =
    placed.body === undefined ? undefined : new TextEncoder().encode(placed.body)
  if (carrier.kind === 'multipart') {
    const form = new FormData()
    for (const p of request.params) form.append(p.name, p.value)
    body = form
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  return d.request(request.method, request.path, {
    query: placed.query,
    headers,
    body: hasBody ? body : undefined,
    signal: AbortSignal.timeout(10_000),
  })
}

/**
 * POST a body over the limit on a connection of its own: the server answers before reading
 * it all and then drops the connection, which must not break the next request of the test.
 */
function sendOversize(
  url: string,
  path: string,
  text: string,
  chunked: boolean
): Promise<AnswerOrReset> {
  const { hostname, port } = new URL(url)
  const bytes = Buffer.from(text)
  const headers: Record<string, string> = { ...FORM_HEADERS }
  if (chunked) headers['transfer-encoding'] = 'chunked'
  else headers['content-length'] = String(bytes.length)
  return new Promise((resolve) => {
    const req = httpRequest(
      { hostname, port, path, method: 'POST', headers, agent: false, timeout: 10_000 },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: body,
          })
        })
        res.on('error', (error) => resolve({ reset: String(error) }))
      }
    )
    req.on('error', (error) => resolve({ reset: String(error) }))
    req.on('timeout', () => req.destroy(new Error('timed out')))
    let at = 0
    const pump = () => {
      while (at < bytes.length) {
        const ok = req.write(bytes.subarray(at, at + 8_192))
        at += 8_192
        if (!ok) {
          req.once('drain', pump)
          return
        }
      }
      req.end()
    }
    pump()
  })
}
