/**
 * A request as the bytes that go on the wire, so the stress stream can send what an HTTP
 * client library refuses to: a body on a GET, a body shorter than its Content-Length, a
 * chunked body that never ends, raw characters in the path. Built here from a generated
 * malformed request (scripts/shared/malformed/) or by the faults of faults.ts.
 */
import { LIMITS } from '../../src/protocol/limits.ts'
import { type Malformed, place } from '../shared/malformed/request.ts'

export interface RawRequest {
  method: string
  /** Path and query, as sent on the request line. */
  target: string
  headers: [string, string][]
  body?: Buffer
  /** Send only this many bytes of the body (chunk framing included), then half-close. */
  truncateAt?: number
  /** What the request is, for a report. */
  label: string
  /** Its family, for tallies: `fuzz` (the fuzz's own requests) or a fault of faults.ts. */
  kind: string
}

/** Request lines longer than this may be refused by the runtime itself, before any worker. */
const LONG_TARGET = 8 * 1024

/**
 * Whether a server may answer `r` by closing the connection: its body passes the limit (it is
 * answered before it is read) or its request line is longer than HTTP servers commonly take.
 */
export const mayReset = (r: RawRequest): boolean =>
  (r.body?.length ?? 0) > LIMITS.bodyBytes || r.target.length > LONG_TARGET

/**
 * Characters a request line cannot carry raw (RFC 9112: no spaces, controls or non-ASCII),
 * percent-encoded as a client library would; everything else (bad escapes, dot segments)
 * stays exactly as generated.
 */
const UNSAFE_IN_TARGET = /[^\x21-\x7e]|["<>\\^`{|}]/gu

export const safeTarget = (target: string): string =>
  target.replace(UNSAFE_IN_TARGET, (c) => encodeURIComponent(c))

const withQuery = (path: string, query: string) => safeTarget(query ? `${path}?${query}` : path)

/** A multipart/form-data body of `fields`, with FormData's escaping of names. */
function multipart(fields: [string, string][], boundary: string): Buffer {
  const quoted = (s: string) =>
    s.replaceAll('\r', '%0D').replaceAll('\n', '%0A').replaceAll('"', '%22')
  const parts = fields.map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`
  )
  return Buffer.from(`${parts.join('')}--${boundary}--\r\n`)
}

/** A body in chunked transfer coding (one chunk per 8 KiB, then the last chunk). */
export function chunked(body: Buffer): Buffer {
  const pieces: Buffer[] = []
  for (let at = 0; at < body.length; at += 8192) {
    const piece = body.subarray(at, at + 8192)
    pieces.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'))
  }
  pieces.push(Buffer.from('0\r\n\r\n'))
  return Buffer.concat(pieces)
}

/** A generated request as the fuzz sends it (no body on GET or HEAD), as raw bytes. */
export function fromMalformed(r: Malformed): RawRequest {
  const { carrier, params } = r
  const headers: [string, string][] = Object.entries(r.headers)
  const placed = place(r)
  let body: Buffer | undefined = placed.body === undefined ? undefined : Buffer.from(placed.body)
  if (placed.contentType !== undefined) headers.push(['content-type', placed.contentType])
  if (carrier.kind === 'multipart') {
    const boundary = `----stress${params.length}x${r.defect.length}`
    body = multipart(
      params.map((p) => [p.name, p.value]),
      boundary
    )
    headers.push(['content-type', `multipart/form-data; boundary=${boundary}`])
  }
  if (carrier.kind === 'oversize' && carrier.chunked && body) {
    headers.push(['transfer-encoding', 'chunked'])
    body = chunked(body)
  }
  const hasBody = r.method !== 'GET' && r.method !== 'HEAD'
  return {
    method: r.method,
    target: withQuery(r.path, placed.query),
    headers,
    ...(hasBody && body ? { body } : {}),
    label: `${r.method} ${r.path} [${r.defect}] ${carrier.kind}`,
    kind: 'fuzz',
  }
}

/** The request's head (request line and headers, Content-Length unless chunked) and body. */
export function toWire(r: RawRequest, host: string): { head: Buffer; body: Buffer | undefined } {
  const headers = [['host', host], ['connection', 'close'], ...r.headers]
  const isChunked = r.headers.some(([k, v]) => k === 'transfer-encoding' && v === 'chunked')
  if (r.body && !isChunked && !r.headers.some(([k]) => k === 'content-length'))
    headers.push(['content-length', String(r.body.length)])
  const head = `${r.method} ${r.target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`
  return { head: Buffer.from(head, 'latin1'), body: r.body }
}
