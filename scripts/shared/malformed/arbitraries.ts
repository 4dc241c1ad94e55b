/**
 * The generators of the malformed-input fuzz: per route, valid parameters of a real instance
 * plus exactly one defect that no added noise can repair (missing, empty, overlong or badly
 * escaped fields, bad integers, …), wrong methods, odd paths and oversize bodies; and the
 * driver that runs a bounded stream of them.
 */
import fc from 'fast-check'
import {
  ALL_PATHS,
  type Carrier,
  type Encoding,
  type Expect,
  type Key,
  KNOWN,
  type Malformed,
  type Param,
  READS,
  type Route,
  WRITES,
} from './request.ts'

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
    '1,'
  ),
  fc.bigInt({ min: 1n << 63n, max: 1n << 80n }).map(String),
  fc.bigInt({ min: -(1n << 80n), max: -(1n << 63n) - 1n }).map(String),
  fc
    .tuple(fc.bigInt({ min: 0n, max: 1n << 40n }), fc.constantFrom('.', 'e', 'x', ' ', '\u0660'))
    .map(([n, s]) => `${n}${s}1`)
)

/** Status values register and set refuse. */
const badStatus = fc.constantFrom(
  ...[
    '0',
    '3',
    '4',
    '-1',
    '4294967296',
    '99999999999999999999',
    'abc',
    '1.0',
    '1e0',
    '１',
    ' 1',
    'UP',
  ]
)

/** Any text: unicode, lone surrogates, control characters, long runs. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength: 20,
  }),
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
      return [
        k('appid'),
        { name: 'appid', value: 'demo.fuzz.b' },
        k('env'),
        { name: 'status', value: '3' },
      ]
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
const set1 =
  (name: string, value: string, raw = false): ((params: Param[]) => Param[]) =>
  (params) =>
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

const MAX_CHARS: Record<string, number> = {
  appid: 128,
  env: 128,
  zone: 128,
  region: 128,
  hostname: 255,
  version: 256,
}

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
    fc
      .constantFrom(...required)
      .map((f) => ({ name: `missing ${f}`, touches: [f], apply: (p: Param[]) => drop(p, f) })),
    fc
      .constantFrom(...required)
      .chain((f) =>
        fc
          .constantFrom('', ...(LIST_FIELDS[route].includes(f) ? [',', ',,'] : []))
          .map((v) => [f, v] as const)
      )
      .map(([f, v]) => ({
        name: `empty ${f}`,
        touches: [f],
        apply: (p: Param[]) => replace(p, f, [{ name: f, value: v }]),
      })),
    fc
      .tuple(
        fc.constantFrom(...required),
        fc.constantFrom('%zz', '%', '%G1', '%e9', '%C3', '%%31', '%u0031')
      )
      .map(([f, v]) => ({
        name: `bad escape in ${f}`,
        touches: [f],
        apply: set1(f, v, true),
        formOnly: true,
      })),
    fc.tuple(fc.constantFrom(...strings), fc.integer({ min: 1, max: 2_000 })).map(([f, extra]) => ({
      name: `overlong ${f}`,
      touches: [f],
      apply: (p: Param[]) =>
        replace(p, f, [{ name: f, value: 'o'.repeat((MAX_CHARS[f] ?? 0) + extra) }]),
    })),
    fc.constantFrom(...strings).chain((f) =>
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
    const values =
      route === 'poll' || route === 'polls' ? badInt64.filter((v) => !v.includes(',')) : badInt64
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
    options.push(
      badStatus.map((v) => ({ name: 'bad status', touches: ['status'], apply: set1('status', v) }))
    )
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
      fc
        .constantFrom(
          'not-json',
          '{',
          "{'a':'b'}",
          '{"a":"b",}',
          '{"a":"b"} x',
          'NaN',
          '{"a":"b"',
          'undefined'
        )
        .map((v) => ({
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
      withControl('grpc://a:1').map((v) => ({
        name: 'control char in addrs',
        touches: ['addrs'],
        apply: set1('addrs', v),
      }))
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
      fc
        .constantFrom(
          '{"a":1}',
          '{"a":null}',
          '{"a":{"b":"c"}}',
          '[1]',
          'null',
          '"x"',
          '5',
          'not-json'
        )
        .map((v) => ({
          name: 'bad set metadata',
          touches: ['metadata'],
          apply: set1('metadata', v),
        })),
      fc.integer({ min: 101, max: 150 }).map((n) => ({
        name: 'too many hostnames',
        touches: ['hostname', 'status', 'metadata'],
        apply: (p: Param[]) => [
          ...['hostname', 'status', 'metadata'].reduce(drop, p),
          ...Array.from({ length: n }, (_, i) => ({
            name: 'hostname',
            value: i === 0 ? 'h1' : `h${i}`,
          })),
        ],
      })),
      ...REGISTRY_REFUSALS.map((d) => fc.constant(d))
    )
  }
  if (WRITES.includes(route)) {
    options.push(
      fc.constant({
        name: 'reserved appid',
        touches: ['appid'],
        apply: set1('appid', 'infra.discovery'),
      })
    )
  }
  if (route === 'fetchs' || route === 'poll' || route === 'polls') {
    options.push(
      fc.integer({ min: 51, max: 80 }).map((n) => ({
        name: 'too many appids',
        touches: ['appid', 'latest_timestamp'],
        apply: (p: Param[]) => [
          ...drop(drop(p, 'appid'), 'latest_timestamp'),
          {
            name: 'appid',
            value: Array.from({ length: n }, (_, i) => (i === 0 ? 'demo.fuzz.a' : `fuzz${i}`)).join(
              ','
            ),
          },
          ...(route === 'fetchs'
            ? []
            : Array.from({ length: n }, () => ({ name: 'latest_timestamp', value: '0' }))),
        ],
      }))
    )
  }
  if (route === 'polls') {
    options.push(
      fc
        .integer({ min: 0, max: 3 })
        .filter((n) => n !== 2)
        .map((n) => ({
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
  ...[
    'color',
    'callback',
    'sign',
    'appkey',
    'ts',
    'reg_timestamp',
    'from_zone',
    'replication',
    'treeid',
  ],
  ...['AppID', 'APPID', 'zone ', ' hostname'],
]

/** Noise that can never repair a defect: unknown names, junk pairs, later duplicates of untouched fields. */
function noise(params: Param[], touched: string[]): fc.Arbitrary<Param[]> {
  const untouched = [...new Set(params.map((p) => p.name))].filter((n) => !touched.includes(n))
  const extra = fc.oneof(
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom(...UNKNOWN_NAMES),
          fc.string({ maxLength: 6 }).map((s) => `x_${s}`)
        ),
        anyText
      )
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

function carrierArb(formOnly: boolean): fc.Arbitrary<Carrier> {
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
    contentType: fc.constantFrom(
      'multipart/form-data; boundary=zzz',
      'multipart/form-data',
      'multipart/form-data; boundary='
    ),
    body: fc.oneof(
      anyText,
      fc.constant(
        '--zzz\r\nContent-Disposition: form-data; name="appid"\r\n\r\ndemo.fuzz.a\r\n--zz'
      )
    ),
  })
  const options: fc.Arbitrary<Carrier>[] = [
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
      fc.tuple(
        fc.constant('x1-bmspy-timeout'),
        fc.constantFrom('-1', '0', '1', 'abc', '99999999999999999999', '1e3')
      ),
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
          .tuple(
            fc.shuffledSubarray(params, { minLength: params.length }),
            noise(params, defect.touches)
          )
          .map(([p, n]) => [...p, ...n]),
        carrier: isWrite
          ? carrierArb(defect.formOnly === true)
          : fc.constant<Carrier>({ kind: 'query' }),
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
      carrier: fc.oneof(
        fc.record({
          kind: fc.constant('form' as const),
          contentType: fc.constant('application/x-www-form-urlencoded'),
          split: fc.boolean(),
        }),
        fc.constant<Carrier>({ kind: 'query' }),
        fc.constant<Carrier>({ kind: 'multipart' })
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
    carrier: { kind: 'oversize' as const, padBytes, chunked },
    encoding,
    headers: {},
  }))

/** A known path with a method it does not take: 405. */
const wrongMethodRequest: fc.Arbitrary<Malformed> = fc
  .tuple(
    fc.constantFrom(...ALL_PATHS),
    knownKey,
    fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'GET', 'POST')
  )
  .filter(([path, , method]) => !(method === (WRITES.includes(path as Route) ? 'POST' : 'GET')))
  .map(([path, key, method]) => {
    const route: Route =
      WRITES.includes(path as Route) || READS.includes(path as Route) ? (path as Route) : 'fetch'
    return {
      expect: 'method' as const,
      method,
      path: `/discovery/${path}`,
      defect: `${method} on ${path}`,
      params: baseParams(route, key),
      carrier: { kind: 'query' as const },
      encoding: 'component' as const,
      headers: {},
    }
  })

/** fetch/all and nodes take no parameters: garbage is ignored (code 0, and fetch/all is unchanged). */
const readOkRequest: fc.Arbitrary<Malformed> = fc
  .tuple(
    fc.constantFrom('fetch/all', 'nodes'),
    fc.array(
      fc.tuple(fc.oneof(fc.constantFrom(...UNKNOWN_NAMES, 'appid', 'status'), anyText), anyText),
      {
        maxLength: 5,
      }
    ),
    encodingArb,
    headersArb
  )
  .map(([path, pairs, encoding, headers]) => ({
    expect: 'read-ok' as const,
    method: 'GET',
    path: `/discovery/${path}`,
    defect: 'none (read-only route)',
    params: pairs.map(([name, value]) => ({ name, value })),
    carrier: { kind: 'query' as const },
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

/** The stream: mostly invalid requests, with every other kind mixed in. */
export const requestArb: fc.Arbitrary<Malformed> = fc.oneof(
  { weight: 12, arbitrary: invalidRequest },
  { weight: 1, arbitrary: oversizeRequest },
  { weight: 1, arbitrary: registryRefusalRequest },
  { weight: 2, arbitrary: wrongMethodRequest },
  { weight: 1, arbitrary: readOkRequest },
  { weight: 2, arbitrary: oddPathRequest }
)

/**
 * Run `each` on a stream of generated requests: `runs` of them, fewer only when `timeLimitMs`
 * runs out first. A throw from `each` fails the stream (fast-check then shrinks the request).
 * Returns how many requests `each` was given.
 */
export async function malformedStream(
  runs: number,
  timeLimitMs: number,
  each: (request: Malformed) => Promise<void>
): Promise<number> {
  let sent = 0
  await fc.assert(
    fc.asyncProperty(requestArb, async (request) => {
      sent += 1
      await each(request)
    }),
    { numRuns: runs, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false }
  )
  return sent
}
