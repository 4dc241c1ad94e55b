/**
 * The requests of the malformed-input fuzz (test/e2e/malformed.test.ts): the instances every
 * request aims at, the shape of a generated request, and sending it exactly as generated (odd
 * encodings, split form bodies, oversize bodies on a connection of their own). The generators
 * are in malformed-arbitraries.ts.
 */
import { request as httpRequest } from 'node:http'
import { FORM_HEADERS } from '../../../scripts/shared/discovery-text.ts'
import type { Discovery, HttpAnswer } from '../discovery-client.ts'

/** The /discovery/ routes that take parameters. */
export type Route = 'register' | 'renew' | 'cancel' | 'set' | 'fetch' | 'fetchs' | 'poll' | 'polls'
/** A route under /discovery/: one that takes parameters, or one that ignores them. */
export type Path = Route | 'fetch/all' | 'nodes'
/** Routes that change state (POST). */
export const WRITES: Route[] = ['register', 'renew', 'cancel', 'set']
/** Routes that only read (GET). */
export const READS: Route[] = ['fetch', 'fetchs', 'poll', 'polls']
/** Every known /discovery/ path. */
export const ALL_PATHS: Path[] = [...WRITES, ...READS, 'fetch/all', 'nodes']

/** The key of an instance. */
export interface Key {
  appid: string
  env: string
  zone: string
  hostname: string
}

/** The instances registered before the stream; every generated request aims at them. */
export const KNOWN: (Key & { status: string; addrs: string[]; metadata?: string })[] = [
  {
    ...{ appid: 'demo.fuzz.a', env: 'dev', zone: 'sh001', hostname: 'h1', status: '1' },
    ...{ addrs: ['grpc://10.0.0.1:9000'], metadata: '{"weight":"10"}' },
  },
  {
    ...{ appid: 'demo.fuzz.a', env: 'dev', zone: 'sh001', hostname: 'h2', status: '1' },
    ...{ addrs: ['grpc://10.0.0.2:9000', 'http://10.0.0.2:8000'] },
  },
  {
    appid: 'demo.fuzz.a',
    env: 'dev',
    zone: 'sh002',
    hostname: 'h3',
    status: '2',
    addrs: ['grpc://10.0.0.3:9000'],
  },
  {
    ...{ appid: 'demo.fuzz.b', env: 'dev', zone: 'sh001', hostname: 'h1', status: '1' },
    ...{ addrs: ['http://10.0.1.1:8000'], metadata: '{}' },
  },
  {
    appid: 'demo.fuzz.a',
    env: 'prod',
    zone: 'sh001',
    hostname: 'h1',
    status: '1',
    addrs: ['grpc://10.0.2.1:9000'],
  },
]
/** The (appid, env) pairs of KNOWN, each fetched for the before/after comparison. */
export const APPS: [string, string][] = [...new Set(KNOWN.map((k) => `${k.appid} ${k.env}`))].map(
  (s) => s.split(' ') as [string, string]
)

/** One parameter. `raw` values are sent exactly as written (bad percent-escapes). */
export interface Param {
  name: string
  value: string
  raw?: boolean
}

/** How the parameters travel: a form body (maybe half in the query), the query, multipart, JSON or an oversize body. */
export type Carrier =
  | { kind: 'form'; contentType: string; split: boolean }
  | { kind: 'query' }
  | { kind: 'multipart' }
  | { kind: 'multipart-garbage'; contentType: string; body: string }
  | { kind: 'json'; contentType: string }
  | { kind: 'oversize'; padBytes: number; chunked: boolean }

/** How names and values are percent-encoded. */
export type Encoding = 'component' | 'plus' | 'rawish'

/** What the answer must be. */
export type Expect = 'invalid' | 'method' | 'read-ok' | 'odd-path'

/** One generated request, with what its answer must be. */
export interface Malformed {
  expect: Expect
  method: string
  path: string
  /** The defect that makes the request invalid, for the report. */
  defect: string
  params: Param[]
  carrier: Carrier
  encoding: Encoding
  headers: Record<string, string>
}

const HEX = '0123456789ABCDEF'
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Percent-encode a value: fully, form-style, or leaving reserved characters raw (as brpc). */
function encode(text: string, encoding: Encoding): string {
  const wellFormed = text.replace(LONE_SURROGATE, '\ufffd')
  if (encoding === 'component') return encodeURIComponent(wellFormed)
  if (encoding === 'plus') return encodeURIComponent(wellFormed).replaceAll('%20', '+')
  let out = ''
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0
    if (c === ' ') out += '+'
    else if ('%&+#'.includes(c) || code < 0x20 || code === 0x7f)
      out += `%${HEX[code >> 4]}${HEX[code & 15]}`
    else if (code >= 0xd800 && code <= 0xdfff) out += encodeURIComponent('\ufffd')
    else out += c
  }
  return out
}

const pairText = (p: Param, encoding: Encoding) =>
  p.raw ? `${p.name}=${p.value}` : `${encode(p.name, encoding)}=${encode(p.value, encoding)}`

const formText = (params: Param[], encoding: Encoding) =>
  params.map((p) => pairText(p, encoding)).join('&')

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

/** The request as text for a failure report (long values cut). */
export function describeRequest(r: Malformed): string {
  const cut = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…(${s.length} chars)` : s)
  const params = r.params
    .map((p) => `${p.name}=${cut(JSON.stringify(p.value))}${p.raw ? ' (raw)' : ''}`)
    .join(' & ')
  const carrier =
    r.carrier.kind === 'multipart-garbage' ? { ...r.carrier, body: cut(r.carrier.body) } : r.carrier
  const how = `${JSON.stringify(carrier)} ${r.encoding} ${JSON.stringify(r.headers)}`
  return `${r.method} ${r.path} [${r.defect}] ${how} :: ${params}`
}
