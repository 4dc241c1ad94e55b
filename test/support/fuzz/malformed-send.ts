/**
 * Sending a generated malformed request (scripts/shared/malformed/) exactly as generated, for
 * the fuzz of test/e2e/malformed.test.ts: split form bodies, multipart, JSON, and oversize
 * bodies on a connection of their own.
 */
import { request as httpRequest } from 'node:http'
import { FORM_HEADERS } from '../../../scripts/shared/discovery-text.ts'
import { formText, type Malformed } from '../../../scripts/shared/malformed/request.ts'
import type { Discovery, HttpAnswer } from '../discovery-client.ts'

/** An HTTP answer, or the connection reset before one arrived. */
export type AnswerOrReset = Pick<HttpAnswer, 'status' | 'contentType' | 'text'> | { reset: string }

/** Send one generated request, exactly as generated, to the registry `d` talks to. */
export async function send(d: Discovery, request: Malformed): Promise<AnswerOrReset> {
  const { carrier, encoding, params } = request
  const headers: Record<string, string> = { ...request.headers }
  let query = ''
  let body: BodyInit | undefined
  switch (carrier.kind) {
    case 'query':
      query = formText(params, encoding)
      break
    case 'form': {
      const cut = carrier.split ? Math.ceil(params.length / 2) : params.length
      body = new TextEncoder().encode(formText(params.slice(0, cut), encoding))
      query = formText(params.slice(cut), encoding)
      if (carrier.contentType !== '') headers['content-type'] = carrier.contentType
      break
    }
    case 'multipart': {
      const form = new FormData()
      for (const p of params) form.append(p.name, p.value)
      body = form
      break
    }
    case 'multipart-garbage':
      query = formText(params, encoding)
      headers['content-type'] = carrier.contentType
      body = carrier.body
      break
    case 'json':
      headers['content-type'] = carrier.contentType
      // without hostname, so that even a server that reads JSON bodies must refuse it
      body = JSON.stringify(
        Object.fromEntries(
          params.filter((p) => p.name !== 'hostname').map((p) => [p.name, p.value])
        )
      )
      break
    case 'oversize':
      return sendOversize(
        d.url,
        request.path,
        `${formText(params, encoding)}&pad=${'x'.repeat(carrier.padBytes)}`,
        carrier.chunked
      )
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  return d.request(request.method, request.path, {
    query,
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
