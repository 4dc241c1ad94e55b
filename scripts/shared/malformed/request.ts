/**
 * The requests of the malformed-input fuzz (test/e2e/malformed.test.ts) and of the stress
 * stream (scripts/stress/): the instances every request aims at, the shape of a generated
 * request and its parameters' text exactly as generated (odd encodings). The generators are in
 * arbitraries.ts; the fuzz sends with test/support/fuzz/malformed-send.ts, the stress as raw
 * bytes (scripts/stress/raw-request.ts).
 */

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

/** Parameters as form text, each pair encoded as `encoding` says (raw ones as written). */
export const formText = (params: Param[], encoding: Encoding): string =>
  params.map((p) => pairText(p, encoding)).join('&')

/** A generated request's parameters where its carrier puts them: the query, a body's text and type. */
export interface Placed {
  query: string
  /** The body as text; none for `query`, and for `multipart`, whose body each sender builds. */
  body?: string
  contentType?: string
}

/** Place `r`'s parameters as its carrier says (a split form: first half in the body, rest in the query). */
export function place(r: Malformed): Placed {
  const { carrier, encoding, params } = r
  switch (carrier.kind) {
    case 'query':
    case 'multipart':
      return { query: carrier.kind === 'query' ? formText(params, encoding) : '' }
    case 'form': {
      const cut = carrier.split ? Math.ceil(params.length / 2) : params.length
      return {
        query: formText(params.slice(cut), encoding),
        body: formText(params.slice(0, cut), encoding),
        ...(carrier.contentType !== '' ? { contentType: carrier.contentType } : {}),
      }
    }
    case 'multipart-garbage':
      return {
        query: formText(params, encoding),
        body: carrier.body,
        contentType: carrier.contentType,
      }
    case 'json': {
      // without hostname, so that even a server that reads JSON bodies must refuse it
      const fields = params.filter((p) => p.name !== 'hostname').map((p) => [p.name, p.value])
      return {
        query: '',
        body: JSON.stringify(Object.fromEntries(fields)),
        contentType: carrier.contentType,
      }
    }
    case 'oversize':
      return {
        query: '',
        body: `${formText(params, encoding)}&pad=${'x'.repeat(carrier.padBytes)}`,
        contentType: 'application/x-www-form-urlencoded',
      }
  }
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
