/**
 * A request's parameters as one multi-map (docs/protocol.md): for a form body, body values
 * first, then the query string's; for multipart, the query's first. The body is read with a
 * hard size cap, so a large or endless body cannot exhaust memory; a body past it is read on
 * and dropped (body-drain.ts), and one the client broke off is -400, not a fault of ours.
 */
import { decodeForm, type Form } from '../protocol/form.ts'
import { LIMITS } from '../protocol/limits.ts'
import type { ParamError } from '../protocol/params.ts'
import { err, ok, type Result } from '../registry/result.ts'
import { readToEnd } from './body-drain.ts'

const tooLarge = (): Result<Form, ParamError> =>
  err({ field: 'body', message: `body: larger than ${LIMITS.bodyBytes} bytes` })

/** The query string of a request URL (already parsed and serialized by the runtime). */
function queryOf(url: string): string {
  const start = url.indexOf('?')
  if (start < 0) return ''
  const end = url.indexOf('#', start)
  return end < 0 ? url.slice(start + 1) : url.slice(start + 1, end)
}

/** The query string's parameters. */
export const queryForm = (request: Request): Form => decodeForm(queryOf(request.url))

const utf8 = new TextDecoder()

/** Body and query parameters of a POST. */
export async function postForm(request: Request): Promise<Result<Form, ParamError>> {
  const length = request.headers.get('content-length')
  const declared = Number(length ?? '0')
  if (declared > LIMITS.bodyBytes) return tooLarge()
  const contentType = request.headers.get('content-type') ?? ''
  // Lower case only to match the media type: a multipart boundary is case-sensitive (RFC 2046),
  // and browsers write mixed-case ones (----WebKitFormBoundaryAbC…).
  const type = contentType.toLowerCase()
  // A declared length (and no chunked encoding) frames the body: the runtime reads no more, so
  // it is read in one call. Only a body of unknown length is read piece by piece against the cap.
  const framed = length !== null && declared >= 0 && !request.headers.has('transfer-encoding')
  let body: Uint8Array | undefined
  try {
    body = framed ? new Uint8Array(await request.arrayBuffer()) : await readCapped(request)
  } catch {
    return err({ field: 'body', message: 'body: the connection ended before the whole body' })
  }
  if (body === undefined || body.byteLength > LIMITS.bodyBytes) return tooLarge()
  const query = queryOf(request.url)
  if (type.startsWith('multipart/form-data')) {
    const form = decodeForm(query)
    try {
      const parts = await new Response(body, {
        headers: { 'content-type': contentType },
      }).formData()
      for (const [key, value] of parts) {
        if (typeof value === 'string' && value !== '')
          form.set(key, [...(form.get(key) ?? []), value])
      }
    } catch {
      return err({ field: 'body', message: 'body: malformed multipart/form-data' })
    }
    return ok(form)
  }
  // JSON and other bodies carry no form parameters (no known client sends them).
  const form =
    type === '' ||
    type.startsWith('application/x-www-form-urlencoded') ||
    type.startsWith('text/plain')
      ? decodeForm(utf8.decode(body))
      : new Map()
  return ok(decodeForm(query, form))
}

/** The whole body, or undefined when it passes the limit (the rest is read and dropped). */
async function readCapped(request: Request): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let size = 0
  const ended = await readToEnd(request.body.getReader(), (chunk) => {
    size += chunk.byteLength
    if (size > LIMITS.bodyBytes) return false
    chunks.push(chunk)
    return true
  })
  if (!ended || size > LIMITS.bodyBytes) return undefined
  const body = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    body.set(chunk, at)
    at += chunk.byteLength
  }
  return body
}
