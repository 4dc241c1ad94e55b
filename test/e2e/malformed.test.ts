/**
 * Black-box fuzz: a bounded stream of malformed requests to every /discovery route. Every
 * generated write is invalid by construction (one defect that no added noise can repair) and
 * aims at keys of real instances, so an accidental acceptance shows as a change in fetch/all.
 * Properties: never a 5xx (nor a -500 envelope), every 200 is JSON with an integer code,
 * invalid requests answer -400 with a message, wrong methods answer 405, and the registry is
 * byte-for-byte unchanged after every request.
 */
import { request as httpRequest } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'

const RUNS = 500

let registry: LocalRegistry

type Route = 'register' | 'renew' | 'cancel' | 'set' | 'fetch' | 'fetchs' | 'poll' | 'polls'
type Path = Route | 'fetch/all' | 'nodes'
const WRITES: Route[] = ['register', 'renew', 'cancel', 'set']
const READS: Route[] = ['fetch', 'fetchs', 'poll', 'polls']
const PATHS: Path[] = [...WRITES, ...READS, 'fetch/all', 'nodes']

interface Key {
  appid: string
  env: string
  zone: string
  hostname: string
}

/** The instances registered before the stream; every generated request aims at them. */
const KNOWN: (Key & { status: string; addrs: string[]; metadata?: string })[] = [
  {
    ...{ appid: 'demo.fuzz.a', env: 'dev', zone: 'sh001', hostname: 'h1', status: '1' },
    ...{ addrs: ['grpc://10.0.0.1:9000'], metadata: '{"weight":"10"}' },
  },
  {
    ...{ appid: 'demo.fuzz.a', env: 'dev', zone: 'sh001', hostname: 'h2', status: '1' },
    ...{ addrs: ['grpc://10.0.0.2:9000', 'http://10.0.0.2:8000'] },
  },
  { appid: 'demo.fuzz.a', env: 'dev', zone: 'sh002', hostname: 'h3', status: '2', addrs: ['grpc://10.0.0.3:9000'] },
  {
    ...{ appid: 'demo.fuzz.b', env: 'dev', zone: 'sh001', hostname: 'h1', status: '1' },
    ...{ addrs: ['http://10.0.1.1:8000'], metadata: '{}' },
  },
  { appid: 'demo.fuzz.a', env: 'prod', zone: 'sh001', hostname: 'h1', status: '1', addrs: ['grpc://10.0.2.1:9000'] },
]
const APPS: [string, string][] = [...new Set(KNOWN.map((k) => `${k.appid} ${k.env}`))].map(
  (s) => s.split(' ') as [string, string]
)

// ---------------------------------------------------------------------------------------------
// Requests

/** One parameter. `raw` values are sent exactly as written (bad percent-escapes). */
interface Param {
  name: string
  value: string
  raw?: boolean
}

type Transport =
  | { kind: 'form'; contentType: string; split: boolean }
  | { kind: 'query' }
  | { kind: 'multipart' }
  | { kind: 'multipart-garbage'; contentType: string; body: string }
  | { kind: 'json'; contentType: string }
  | { kind: 'oversize'; padBytes: number; chunked: boolean }

type Encoding = 'component' | 'plus' | 'rawish'

/** What the answer must be. */
type Expect = 'invalid' | 'method' | 'read-ok' | 'odd-path'

interface Malformed {
  expect: Expect
  method: string
  path: string
  /** The defect that makes the request invalid, for the report. */
  defect: string
  params: Param[]
  transport: Transport
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
    else if ('%&+#'.includes(c) || code < 0x20 || code === 0x7f) out += `%${HEX[code >> 4]}${HEX[code & 15]}`
    else if (code >= 0xd800 && code <= 0xdfff) out += encodeURIComponent('\ufffd')
    else out += c
  }
  return out
}

const pairText = (p: Param, encoding: Encoding) =>
  p.raw ? `${p.name}=${p.value}` : `${encode(p.name, encoding)}=${encode(p.value, encoding)}`

const formText = (params: Param[], encoding: Encoding) => params.map((p) => pairText(p, encoding)).join('&')

/** An HTTP answer, or the connection reset before one arrived. */
type Answer = { status: number; contentType: string; text: string } | { reset: string }

async function send(request: Malformed): Promise<Answer> {
  const { transport, encoding, params } = request
  const headers: Record<string, string> = { ...request.headers }
  let query = ''
  let body: BodyInit | undefined
  switch (transport.kind) {
    case 'query':
      query = formText(params, encoding)
      break
    case 'form': {
      const cut = transport.split ? Math.ceil(params.length / 2) : params.length
      body = new TextEncoder().encode(formText(params.slice(0, cut), encoding))
      query = formText(params.slice(cut), encoding)
      if (transport.contentType !== '') headers['content-type'] = transport.contentType
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
      headers['content-type'] = transport.contentType
      body = transport.body
      break
    case 'json':
      headers['content-type'] = transport.contentType
      // without hostname, so that even a server that reads JSON bodies must refuse it
      body = JSON.stringify(Object.fromEntries(params.filter((p) => p.name !== 'hostname').map((p) => [p.name, p.value])))
      break
    case 'oversize':
      return sendOversize(
        request.path,
        `${formText(params, encoding)}&pad=${'x'.repeat(transport.padBytes)}`,
        transport.chunked
      )
  }
  const url = `${registry.url}${request.path}${query === '' ? '' : `?${query}`}`
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  const res = await fetch(url, {
    method: request.method,
    headers,
    body: hasBody ? body : undefined,
    signal: AbortSignal.timeout(10_000),
  })
  const text = request.method === 'HEAD' ? '' : await res.text()
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text }
}

/**
 * POST a body over the limit on a connection of its own: the server answers before reading
 * it all and then drops the connection, which must not break the next request of the test.
 */
function sendOversize(path: string, text: string, chunked: boolean): Promise<Answer> {
  const { hostname, port } = new URL(registry.url)
  const bytes = Buffer.from(text)
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  if (chunked) headers['transfer-encoding'] = 'chunked'
  else headers['content-length'] = String(bytes.length)
  return new Promise((resolve) => {
    const req = httpRequest({ hostname, port, path, method: 'POST', headers, agent: false, timeout: 10_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: body })
      })
      res.on('error', (error) => resolve({ reset: String(error) }))
    })
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
function describeRequest(r: Malformed): string {
  const cut = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…(${s.length} chars)` : s)
  const params = r.params.map((p) => `${p.name}=${cut(JSON.stringify(p.value))}${p.raw ? ' (raw)' : ''}`).join(' & ')
  const transport = r.transport.kind === 'multipart-garbage' ? { ...r.transport, body: cut(r.transport.body) } : r.transport
  const how = `${JSON.stringify(transport)} ${r.encoding} ${JSON.stringify(r.headers)}`
  return `${r.method} ${r.path} [${r.defect}] ${how} :: ${params}`
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const CONTROL_CHARS = ['\u0000', '\u0001', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f']

/** Integers no int64 parameter may accept. */
const badInt64 = fc.oneof(
  fc.constantFrom(
    '9223372036854775808',
    '-9223372036854775809',
    '18446744073709551616',
    '123456789012345678901',
    '1e3',
    '1E18',
    '1.5',
    '1.0',
    '0x10',
    '1_000',
    '١٢٣',
    '１２３',
    '²',
    '-',
    '+',
    '--1',
    'NaN',
    'Infinity',
    '1 2',
    'true',
    '1,',
  ),
  fc.bigInt({ min: 1n << 63n, max: 1n << 80n }).map(String),
  fc.bigInt({ min: -(1n << 80n), max: -(1n << 63n) - 1n }).map(String),
  fc.tuple(fc.bigInt({ min: 0n, max: 1n << 40n }), fc.constantFrom('.', 'e', 'x', ' ', '\u0660')).map(([n, s]) => `${n}${s}1`)
)

/** Status values register and set refuse. */
const badStatus = fc.constantFrom(
  ...['0', '3', '4', '-1', '4294967296', '99999999999999999999', 'abc', '1.0', '1e0', '１', ' 1', 'UP']
)

/** Any text: unicode, lone surrogates, control characters, long runs. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.string({ unit: fc.constantFrom(...'%&=+,:/{}[]"\' ;#?0123456789aZ\u0000\né'), maxLength: 30 }),
  fc.integer({ min: 0, max: 3_000 }).map((n) => 'y'.repeat(n)),
  fc.constantFrom('', ',', '0', '1', '2', '-1', 'true', '{}', 'null', '9223372036854775808')
)

const knownKey = fc.constantFrom(...KNOWN)

/** A value with a control character somewhere. */
const withControl = (base: string) =>
  fc
    .tuple(fc.constantFrom(...CONTROL_CHARS), fc.nat({ max: base.length }))
    .map(([c, at]) => base.slice(0, at) + c + base.slice(at))

/** Valid parameters of a route for a real instance: accepting them would change something. */
function baseParams(route: Route, key: Key): Param[] {
  const k = (name: keyof Key) => ({ name, value: key[name] })
  switch (route) {
    case 'register':
      return [
        k('appid'),
        k('env'),
        k('zone'),
        k('hostname'),
        { name: 'status', value: '1' },
        { name: 'addrs', value: 'grpc://10.9.9.9:9999' },
        { name: 'version', value: 'v-fuzz' },
        { name: 'metadata', value: '{"fuzz":"1"}' },
        { name: 'region', value: 'sh' },
      ]
    case 'renew':
      return [k('appid'), k('env'), k('zone'), k('hostname')]
    case 'cancel':
      return [k('appid'), k('env'), k('zone'), k('hostname')]
    case 'set':
      return [
        k('appid'),
        k('env'),
        k('zone'),
        k('hostname'),
        { name: 'status', value: '2' },
        { name: 'metadata', value: '{"fuzz":"1"}' },
      ]
    case 'fetch':
      return [k('appid'), k('env'), { name: 'status', value: '3' }]
    case 'fetchs':
      return [k('appid'), { name: 'appid', value: 'demo.fuzz.b' }, k('env'), { name: 'status', value: '3' }]
    case 'poll':
    case 'polls':
      return [
        k('appid'),
        { name: 'appid', value: 'demo.fuzz.b' },
        k('env'),
        { name: 'hostname', value: 'fuzzer' },
        { name: 'latest_timestamp', value: '0' },
        { name: 'latest_timestamp', value: '0' },
      ]
  }
}

/** A defect: a name for the report, the fields it touches (noise leaves them alone), a change. */
interface Defect {
  name: string
  touches: string[]
  apply: (params: Param[]) => Param[]
  /** Only holds when the parameters go through form decoding (not multipart or JSON). */
  formOnly?: boolean
}

const drop = (params: Param[], name: string) => params.filter((p) => p.name !== name)
const replace = (params: Param[], name: string, values: Param[]) => {
  const at = params.findIndex((p) => p.name === name)
  const rest = drop(params, name)
  rest.splice(at < 0 ? rest.length : at, 0, ...values)
  return rest
}
const set1 = (name: string, value: string, raw = false): ((params: Param[]) => Param[]) => (params) =>
  replace(params, name, [{ name, value, raw }])

const REQUIRED: Record<Route, string[]> = {
  register: ['appid', 'env', 'zone', 'hostname', 'status', 'addrs'],
  renew: ['appid', 'env', 'zone', 'hostname'],
  cancel: ['appid', 'env', 'zone', 'hostname'],
  set: ['appid', 'env', 'zone', 'hostname'],
  fetch: ['appid', 'env', 'status'],
  fetchs: ['appid', 'env', 'status'],
  poll: ['appid', 'env', 'hostname'],
  polls: ['appid', 'env', 'hostname'],
}

/** Required fields that are split on commas, where ',' is as empty as ''. */
const LIST_FIELDS: Record<Route, string[]> = {
  register: ['addrs'],
  renew: [],
  cancel: [],
  set: [],
  fetch: [],
  fetchs: ['appid'],
  poll: ['appid'],
  polls: ['appid'],
}

const MAX_CHARS: Record<string, number> = { appid: 128, env: 128, zone: 128, region: 128, hostname: 255, version: 256 }

const INT_FIELD: Partial<Record<Route, string>> = {
  register: 'dirty_timestamp',
  renew: 'dirty_timestamp',
  cancel: 'latest_timestamp',
  set: 'set_timestamp',
  poll: 'latest_timestamp',
  polls: 'latest_timestamp',
}

function defects(route: Route): fc.Arbitrary<Defect> {
  const required = REQUIRED[route]
  const strings = required.filter((f) => f in MAX_CHARS)
  const options: fc.Arbitrary<Defect>[] = [
    fc.constantFrom(...required).map((f) => ({ name: `missing ${f}`, touches: [f], apply: (p: Param[]) => drop(p, f) })),
    fc
      .constantFrom(...required)
      .chain((f) => fc.constantFrom('', ...(LIST_FIELDS[route].includes(f) ? [',', ',,'] : [])).map((v) => [f, v] as const))
      .map(([f, v]) => ({ name: `empty ${f}`, touches: [f], apply: (p: Param[]) => replace(p, f, [{ name: f, value: v }]) })),
    fc
      .tuple(fc.constantFrom(...required), fc.constantFrom('%zz', '%', '%G1', '%e9', '%C3', '%%31', '%u0031'))
      .map(([f, v]) => ({ name: `bad escape in ${f}`, touches: [f], apply: set1(f, v, true), formOnly: true })),
    fc
      .tuple(fc.constantFrom(...strings), fc.integer({ min: 1, max: 2_000 }))
      .map(([f, extra]) => ({
        name: `overlong ${f}`,
        touches: [f],
        apply: (p: Param[]) => replace(p, f, [{ name: f, value: 'o'.repeat((MAX_CHARS[f] ?? 0) + extra) }]),
      })),
    fc
      .constantFrom(...strings)
      .chain((f) =>
        withControl(f === 'hostname' ? 'h1' : 'demo').map((v) => ({
          name: `control char in ${f}`,
          touches: [f],
          apply: set1(f, v),
        }))
      ),
  ]
  const intField = INT_FIELD[route]
  if (intField) {
    // poll/polls split cursors on commas, so a comma could turn one bad value into good ones
    const values = route === 'poll' || route === 'polls' ? badInt64.filter((v) => !v.includes(',')) : badInt64
    options.push(
      values.map((v) => ({
        name: `bad ${intField}`,
        touches: [intField],
        // poll/polls: one bad cursor among good ones, keeping the counts equal
        apply: (p: Param[]) =>
          route === 'poll' || route === 'polls'
            ? replace(p, intField, [
                { name: intField, value: '0' },
                { name: intField, value: v },
              ])
            : set1(intField, v)(p),
      }))
    )
  }
  if (route === 'register' || route === 'set') {
    options.push(badStatus.map((v) => ({ name: 'bad status', touches: ['status'], apply: set1('status', v) })))
  }
  if (route === 'fetch' || route === 'fetchs') {
    options.push(
      fc
        .constantFrom('0', '-1', '4294967296', '1e0', '0x1', 'all', '１')
        .map((v) => ({ name: 'bad status mask', touches: ['status'], apply: set1('status', v) }))
    )
  }
  if (route === 'register') {
    options.push(
      fc.constantFrom('not-json', '{', "{'a':'b'}", '{"a":"b",}', '{"a":"b"} x', 'NaN', '{"a":"b"', 'undefined').map((v) => ({
        name: 'bad metadata JSON',
        touches: ['metadata'],
        apply: set1('metadata', v),
      })),
      fc.integer({ min: 8_193, max: 20_000 }).map((n) => ({
        name: 'overlong metadata',
        touches: ['metadata'],
        apply: set1('metadata', `{"a":"${'m'.repeat(n - 8)}"}`),
      })),
      fc.integer({ min: 33, max: 60 }).map((n) => ({
        name: 'too many addrs',
        touches: ['addrs'],
        apply: set1('addrs', Array.from({ length: n }, (_, i) => `grpc://a:${i}`).join(',')),
      })),
      fc.integer({ min: 513, max: 3_000 }).map((n) => ({
        name: 'overlong addr',
        touches: ['addrs'],
        apply: set1('addrs', `grpc://${'a'.repeat(n)}`),
      })),
      withControl('grpc://a:1').map((v) => ({ name: 'control char in addrs', touches: ['addrs'], apply: set1('addrs', v) }))
    )
  }
  if (route === 'set') {
    const twoHosts = (p: Param[], extra: Param[]) => [
      ...['hostname', 'status', 'metadata'].reduce(drop, p),
      { name: 'hostname', value: 'h1' },
      { name: 'hostname', value: 'h2' },
      ...extra,
    ]
    options.push(
      fc.constant({
        name: 'status count mismatch',
        touches: ['hostname', 'status', 'metadata'],
        apply: (p: Param[]) => twoHosts(p, [{ name: 'status', value: '2' }]),
      }),
      fc.constant({
        name: 'metadata count mismatch',
        touches: ['hostname', 'status', 'metadata'],
        apply: (p: Param[]) => twoHosts(p, [{ name: 'metadata', value: '{"fuzz":"1"}' }]),
      }),
      fc.constantFrom('{"a":1}', '{"a":null}', '{"a":{"b":"c"}}', '[1]', 'null', '"x"', '5', 'not-json').map((v) => ({
        name: 'bad set metadata',
        touches: ['metadata'],
        apply: set1('metadata', v),
      })),
      fc.integer({ min: 101, max: 150 }).map((n) => ({
        name: 'too many hostnames',
        touches: ['hostname', 'status', 'metadata'],
        apply: (p: Param[]) => [
          ...['hostname', 'status', 'metadata'].reduce(drop, p),
          ...Array.from({ length: n }, (_, i) => ({ name: 'hostname', value: i === 0 ? 'h1' : `h${i}` })),
        ],
      })),
      ...REGISTRY_REFUSALS.map((d) => fc.constant(d))
    )
  }
  if (WRITES.includes(route)) {
    options.push(fc.constant({ name: 'reserved appid', touches: ['appid'], apply: set1('appid', 'infra.discovery') }))
  }
  if (route === 'fetchs' || route === 'poll' || route === 'polls') {
    options.push(
      fc.integer({ min: 51, max: 80 }).map((n) => ({
        name: 'too many appids',
        touches: ['appid', 'latest_timestamp'],
        apply: (p: Param[]) => [
          ...drop(drop(p, 'appid'), 'latest_timestamp'),
          { name: 'appid', value: Array.from({ length: n }, (_, i) => (i === 0 ? 'demo.fuzz.a' : `fuzz${i}`)).join(',') },
          ...(route === 'fetchs' ? [] : Array.from({ length: n }, () => ({ name: 'latest_timestamp', value: '0' }))),
        ],
      }))
    )
  }
  if (route === 'polls') {
    options.push(
      fc.integer({ min: 0, max: 3 }).filter((n) => n !== 2).map((n) => ({
        name: `cursor count ${n} for 2 appids`,
        touches: ['appid', 'latest_timestamp'],
        apply: (p: Param[]) => [
          ...drop(p, 'latest_timestamp'),
          ...Array.from({ length: n }, () => ({ name: 'latest_timestamp', value: '0' })),
        ],
      }))
    )
  }
  return fc.oneof(...options)
}

/**
 * Set requests that parse but that the registry refuses (-400, PROTOCOL §3.9). The first
 * hostname exists, so a set that is not all-or-nothing would change it.
 */
const REGISTRY_REFUSALS: Defect[] = [
  {
    name: 'unknown hostname after a known one',
    touches: ['hostname', 'status', 'metadata', 'zone'],
    apply: (p) => [
      ...['hostname', 'status', 'metadata', 'zone'].reduce(drop, p),
      { name: 'zone', value: 'sh001' },
      { name: 'hostname', value: 'h1' },
      { name: 'hostname', value: 'fuzz-unknown' },
      { name: 'status', value: '2' },
      { name: 'status', value: '2' },
      { name: 'metadata', value: '{"fuzz":"1"}' },
      { name: 'metadata', value: '{"fuzz":"1"}' },
    ],
  },
  { name: 'unknown zone', touches: ['zone'], apply: set1('zone', 'sh999') },
  { name: 'unknown appid', touches: ['appid'], apply: set1('appid', 'demo.fuzz.none') },
  { name: 'known appid in an env it is not in', touches: ['env'], apply: set1('env', 'fuzz-env') },
]

const UNKNOWN_NAMES = [
  ...['color', 'callback', 'sign', 'appkey', 'ts', 'reg_timestamp', 'from_zone', 'replication', 'treeid'],
  ...['AppID', 'APPID', 'zone ', ' hostname'],
]

/** Noise that can never repair a defect: unknown names, junk pairs, later duplicates of untouched fields. */
function noise(params: Param[], touched: string[]): fc.Arbitrary<Param[]> {
  const untouched = [...new Set(params.map((p) => p.name))].filter((n) => !touched.includes(n))
  const extra = fc.oneof(
    fc
      .tuple(fc.oneof(fc.constantFrom(...UNKNOWN_NAMES), fc.string({ maxLength: 6 }).map((s) => `x_${s}`)), anyText)
      .map(([name, value]) => ({ name, value })),
    fc.constantFrom<Param>(
      { name: 'x_junk', value: '%zz', raw: true },
      { name: '%', value: '1', raw: true },
      { name: '', value: 'orphan', raw: true },
      { name: 'x_eq', value: 'a=b=c', raw: true },
      { name: '%G0', value: '%G0', raw: true }
    )
  )
  const duplicate =
    untouched.length === 0
      ? extra
      : fc.tuple(fc.constantFrom(...untouched), anyText).map(([name, value]) => ({ name, value }))
  return fc.array(fc.oneof(extra, duplicate), { maxLength: 5 })
}

const encodingArb = fc.constantFrom<Encoding>('component', 'plus', 'rawish')

function transportArb(formOnly: boolean): fc.Arbitrary<Transport> {
  const formTypes = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'APPLICATION/X-WWW-FORM-URLENCODED',
    'text/plain',
    '',
    'application/octet-stream',
    'application/xml'
  )
  const garbage = fc.record({
    kind: fc.constant('multipart-garbage' as const),
    contentType: fc.constantFrom('multipart/form-data; boundary=zzz', 'multipart/form-data', 'multipart/form-data; boundary='),
    body: fc.oneof(anyText, fc.constant('--zzz\r\nContent-Disposition: form-data; name="appid"\r\n\r\ndemo.fuzz.a\r\n--zz')),
  })
  const options: fc.Arbitrary<Transport>[] = [
    fc.record({ kind: fc.constant('form' as const), contentType: formTypes, split: fc.boolean() }),
    fc.constant({ kind: 'query' as const }),
    garbage,
  ]
  if (!formOnly) {
    options.push(
      fc.constant({ kind: 'multipart' as const }),
      fc.record({
        kind: fc.constant('json' as const),
        contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
      })
    )
  }
  return fc.oneof(...options)
}

const headersArb = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constant('x1-bmspy-timeout'), fc.constantFrom('-1', '0', '1', 'abc', '99999999999999999999', '1e3')),
      fc.tuple(fc.constant('accept'), fc.constantFrom('text/html', '*/*', 'application/xml')),
      fc.tuple(fc.constant('x-forwarded-for'), fc.constantFrom('::1', 'garbage'))
    ),
    { maxLength: 2 }
  )
  .map((entries) => Object.fromEntries(entries))

/** An invalid request to a write or read route (always answered -400). */
const invalidRequest: fc.Arbitrary<Malformed> = fc
  .tuple(fc.constantFrom(...WRITES, ...READS), knownKey)
  .chain(([route, key]) =>
    defects(route).chain((defect) => {
      const params = defect.apply(baseParams(route, key))
      const isWrite = WRITES.includes(route)
      return fc.record({
        expect: fc.constant<Expect>('invalid'),
        method: fc.constant(isWrite ? 'POST' : 'GET'),
        path: fc.constant(`/discovery/${route}`),
        defect: fc.constant(defect.name),
        params: fc
          .tuple(fc.shuffledSubarray(params, { minLength: params.length }), noise(params, defect.touches))
          .map(([p, n]) => [...p, ...n]),
        transport: isWrite ? transportArb(defect.formOnly === true) : fc.constant<Transport>({ kind: 'query' }),
        encoding: encodingArb,
        headers: headersArb,
      })
    })
  )

/** A set that parses but that the registry must refuse without changing anything. */
const registryRefusalRequest: fc.Arbitrary<Malformed> = fc
  .tuple(knownKey, fc.constantFrom(...REGISTRY_REFUSALS))
  .chain(([key, defect]) => {
    const params = defect.apply(baseParams('set', key))
    const unknownOnly = noise([], []) // unknown names and junk pairs only: nothing may add a defect
    return fc.record({
      expect: fc.constant<Expect>('invalid'),
      method: fc.constant('POST'),
      path: fc.constant('/discovery/set'),
      defect: fc.constant(`${defect.name} (refused by the registry)`),
      params: unknownOnly.map((n) => [...params, ...n]),
      transport: fc.oneof(
        fc.record({
          kind: fc.constant('form' as const),
          contentType: fc.constant('application/x-www-form-urlencoded'),
          split: fc.boolean(),
        }),
        fc.constant<Transport>({ kind: 'query' }),
        fc.constant<Transport>({ kind: 'multipart' })
      ),
      encoding: encodingArb,
      headers: fc.constant({}),
    })
  })

/** A valid write whose only defect is a body over 64 KiB (form-urlencoded or chunked). */
const oversizeRequest: fc.Arbitrary<Malformed> = fc
  .record({
    route: fc.constantFrom(...WRITES),
    key: knownKey,
    padBytes: fc.integer({ min: 64 * 1024, max: 200 * 1024 }),
    chunked: fc.boolean(),
    encoding: encodingArb,
  })
  .map(({ route, key, padBytes, chunked, encoding }) => ({
    expect: 'invalid' as const,
    method: 'POST',
    path: `/discovery/${route}`,
    defect: 'body over 64 KiB',
    params: baseParams(route, key),
    transport: { kind: 'oversize' as const, padBytes, chunked },
    encoding,
    headers: {},
  }))

/** A known path with a method it does not take: 405. */
const wrongMethodRequest: fc.Arbitrary<Malformed> = fc
  .tuple(
    fc.constantFrom(...PATHS),
    knownKey,
    fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'GET', 'POST')
  )
  .filter(([path, , method]) => !(method === (WRITES.includes(path as Route) ? 'POST' : 'GET')))
  .map(([path, key, method]) => {
    const route: Route = WRITES.includes(path as Route) || READS.includes(path as Route) ? (path as Route) : 'fetch'
    return {
      expect: 'method' as const,
      method,
      path: `/discovery/${path}`,
      defect: `${method} on ${path}`,
      params: baseParams(route, key),
      transport: { kind: 'query' as const },
      encoding: 'component' as const,
      headers: {},
    }
  })

/** fetch/all and nodes take no parameters: garbage is ignored (code 0, and fetch/all is unchanged). */
const readOkRequest: fc.Arbitrary<Malformed> = fc
  .tuple(
    fc.constantFrom('fetch/all', 'nodes'),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...UNKNOWN_NAMES, 'appid', 'status'), anyText), anyText), {
      maxLength: 5,
    }),
    encodingArb,
    headersArb
  )
  .map(([path, pairs, encoding, headers]) => ({
    expect: 'read-ok' as const,
    method: 'GET',
    path: `/discovery/${path}`,
    defect: 'none (read-only route)',
    params: pairs.map(([name, value]) => ({ name, value })),
    transport: { kind: 'query' as const },
    encoding,
    headers,
  }))

/** Mangled paths (carrying an invalid request's parameters): 404, 405, or a real route's -400. */
const oddPathRequest: fc.Arbitrary<Malformed> = fc
  .tuple(
    invalidRequest,
    fc.constantFrom(
      (p: string) => `${p}/`,
      (p: string) => p.toUpperCase(),
      (p: string) => p.replace('/discovery/', '/discovery//'),
      (p: string) => p.replace('/discovery/', '//discovery/'),
      (p: string) => p.replace('/discovery/', '/discovery/./'),
      (p: string) => p.replace('/discovery/', '/discovery/x/../'),
      (p: string) => `${p}/all/extra`,
      (p: string) => `${p}%00`,
      (p: string) => `${p}%zz`,
      (p: string) => `${p};x=1`,
      (p: string) => p.replace('/discovery/', '/discovery/%'),
      (p: string) => p.replace('/discovery', ''),
      () => '/discovery',
      () => '/discovery/',
      () => '/discovery/fetch%2Fall',
      () => '/discovery/%66etch',
      () => '/discovery/fetch/all/'
    )
  )
  .map(([request, mangle]) => ({
    ...request,
    expect: 'odd-path' as const,
    path: mangle(request.path),
    defect: `${request.defect}, odd path`,
  }))

const requestArb: fc.Arbitrary<Malformed> = fc.oneof(
  { weight: 12, arbitrary: invalidRequest },
  { weight: 1, arbitrary: oversizeRequest },
  { weight: 1, arbitrary: registryRefusalRequest },
  { weight: 2, arbitrary: wrongMethodRequest },
  { weight: 1, arbitrary: readOkRequest },
  { weight: 2, arbitrary: oddPathRequest }
)

// ---------------------------------------------------------------------------------------------
// Test

const form = { 'content-type': 'application/x-www-form-urlencoded' }

async function post(path: string, params: [string, string][]): Promise<unknown> {
  const body = new URLSearchParams(params).toString()
  const res = await fetch(`${registry.url}${path}`, { method: 'POST', headers: form, body })
  return res.json()
}

const fetchAll = async () => (await fetch(`${registry.url}/discovery/fetch/all`)).text()
const fetchApp = async (appid: string, env: string) =>
  (await fetch(`${registry.url}/discovery/fetch?${new URLSearchParams({ appid, env, status: '3' })}`)).text()

let snapshot: { all: string; apps: string[] }

async function takeSnapshot() {
  return { all: await fetchAll(), apps: await Promise.all(APPS.map(([appid, env]) => fetchApp(appid, env))) }
}

beforeAll(async () => {
  // AUTH=off: this file is about input handling, not access control (ignored by builds without auth)
  registry = await startRegistry({ vars: { POLL_HOLD_SECONDS: '1', AUTH: 'off' } })
  for (const k of KNOWN) {
    const params: [string, string][] = [
      ['appid', k.appid],
      ['env', k.env],
      ['zone', k.zone],
      ['hostname', k.hostname],
      ['status', k.status],
      ['version', 'v1'],
      ...k.addrs.map((a): [string, string] => ['addrs', a]),
      ...(k.metadata ? [['metadata', k.metadata] as [string, string]] : []),
    ]
    expect(await post('/discovery/register', params)).toEqual({ code: 0, message: '0', ttl: 1 })
  }
  snapshot = await takeSnapshot()
})

afterAll(() => registry?.stop())

/** Oversize requests answered by a dropped connection instead of -400 (see sendOversize). */
let resets = 0
/** Outcomes by expectation, for the summary line: "invalid HTTP 200 code -400" → count. */
const outcomes = new Map<string, number>()
const tally = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1)

/** Check one answer against the request's expectation; returns a problem or undefined. */
function check(request: Malformed, answer: Answer): string | undefined {
  if ('reset' in answer) {
    if (request.transport.kind !== 'oversize') return `connection failed: ${answer.reset}`
    resets += 1
    return undefined
  }
  const { status, contentType, text } = answer
  tally(`${request.expect} ${status} ${/^\{"code":(-?\d+)/.exec(text)?.[1] ?? ''}`)
  const seen = `HTTP ${status} ${JSON.stringify(text.slice(0, 300))}`
  if (status >= 500) return `5xx: ${seen}`
  if (request.expect === 'method') return status === 405 ? undefined : `expected HTTP 405, got ${seen}`
  if (status !== 200) {
    return request.expect === 'odd-path' && (status === 404 || status === 405) ? undefined : `expected HTTP 200, got ${seen}`
  }
  if (request.method === 'HEAD') return `HEAD answered 200`
  if (!contentType.startsWith('application/json')) return `200 without a JSON content type: ${seen}`
  let body: { code?: unknown; message?: unknown; ttl?: unknown }
  try {
    body = JSON.parse(text)
  } catch {
    return `200 with a body that is not JSON: ${seen}`
  }
  if (!Number.isInteger(body.code)) return `200 without an integer code: ${seen}`
  if (body.code === -500) return `-500 (a crash inside a handler): ${seen}`
  if (request.expect === 'read-ok') {
    if (body.code !== 0) return `expected code 0, got ${seen}`
    if (request.path.endsWith('fetch/all') && text !== snapshot.all) return `fetch/all differs from the snapshot: ${seen}`
    return undefined
  }
  // a mangled path may land on a read route for which the parameters happen to be fine
  if (request.expect === 'odd-path' && request.method === 'GET' && body.code !== -400) return undefined
  if (body.code !== -400) return `expected code -400, got ${seen}`
  if (typeof body.message !== 'string' || body.message === '') return `-400 without a message: ${seen}`
  if (body.ttl !== 1) return `-400 without ttl 1: ${seen}`
  return undefined
}

describe('malformed requests', () => {
  it(`never crash, answer -400 and change nothing (${RUNS} requests)`, async () => {
    const started = Date.now()
    let sent = 0
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        sent += 1
        const problem = check(request, await send(request))
        if (problem) throw new Error(`${problem}\n  request: ${describeRequest(request)}`)
        const all = await fetchAll()
        if (all !== snapshot.all) {
          const described = describeRequest(request)
          throw new Error(`the registry changed\n  request: ${described}\n  before: ${snapshot.all}\n  after:  ${all}`)
        }
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: false }
    )
    const took = `${sent} requests in ${Date.now() - started} ms`
    console.log(`malformed: ${took}; ${resets} oversize bodies answered by a reset`, Object.fromEntries(outcomes))
    expect(sent).toBeGreaterThanOrEqual(RUNS)
  }, 180_000)

  it('leaves every known application exactly as it was', async () => {
    expect(await takeSnapshot()).toEqual(snapshot)
  })
})
