/**
 * Transport faults the fuzz's generators (scripts/shared/malformed/) cannot send through an
 * HTTP client library: bodies on GETs (held polls among them, with `x1-bmspy-timeout`), bodies
 * shorter than declared or chunked bodies that never end, fields repeated thousands of times
 * (5,000 `addrs`), fields of almost the whole body limit, and wrong content types. Writes carry
 * a defect or aim at an instance that does not exist, so the stream changes nothing.
 */
import fc from 'fast-check'
import { PATHS } from '../../src/protocol/paths.ts'
import { formText, KNOWN } from '../shared/malformed/request.ts'
import { chunked, type RawRequest, safeTarget } from './raw-request.ts'

const FORM = 'application/x-www-form-urlencoded'
/** A cursor ahead of every app: a poll with it is held (the hold ends it). */
const AHEAD = '9000000000000000000'

const known = fc.constantFrom(...KNOWN)

const query = (pairs: [string, string][]) =>
  pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')

/** A body of junk form pairs, of any size up to past the 64 KiB limit. */
const junkBody = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.integer({ min: 1, max: 80_000 }).map((n) => Buffer.from(`junk=${'j'.repeat(n)}`))
)

/** A read route's query for a known app; polls are held unless the cursor is 0. */
const readTarget = fc
  .tuple(
    known,
    fc.constantFrom('fetch', 'fetchs', 'poll', 'polls', 'nodes', 'fetch/all'),
    fc.boolean()
  )
  .map(([k, route, held]) => {
    const base: [string, string][] = [
      ['appid', k.appid],
      ['env', k.env],
    ]
    const params: [string, string][] =
      route === 'poll' || route === 'polls'
        ? [...base, ['hostname', 'stress'], ['latest_timestamp', held ? AHEAD : '0']]
        : route === 'fetch' || route === 'fetchs'
          ? [...base, ['status', '3']]
          : []
    return { path: `/discovery/${route}`, query: query(params), held }
  })

/**
 * A GET with a body. A held poll always says how long it may wait (0 included): one without
 * the header would hold a slot of the stream for the whole hold.
 */
const getWithBody: fc.Arbitrary<RawRequest> = fc
  .tuple(readTarget, junkBody, fc.constantFrom('0', '1', '20', '100'), fc.boolean())
  .map(([t, body, timeout, withTimeout]) => {
    const headers: [string, string][] = [['content-type', FORM]]
    if (t.held || withTimeout) headers.push(['x1-bmspy-timeout', timeout])
    return {
      method: 'GET',
      target: safeTarget(`${t.path}?${t.query}`),
      headers,
      body,
      label: `GET ${t.path} with a ${body.length}-byte body${t.held ? ', held' : ''}`,
      kind: 'get-body',
    }
  })

/** A write that changes nothing: register with status 3, the rest on an unknown hostname. */
const harmlessWrite = fc
  .tuple(known, fc.constantFrom('register', 'renew', 'cancel', 'set'))
  .map(([k, route]): { path: string; pairs: [string, string][] } => {
    const pairs: [string, string][] = [
      ['appid', k.appid],
      ['env', k.env],
      ['zone', k.zone],
    ]
    if (route === 'register')
      pairs.push(['hostname', k.hostname], ['status', '3'], ['addrs', 'grpc://10.9.9.9:1'])
    else pairs.push(['hostname', 'stress-none'], ['status', '1'])
    return { path: `/discovery/${route}`, pairs }
  })

/** A body cut short: fewer bytes than Content-Length, or a chunked body without its end. */
const truncated: fc.Arbitrary<RawRequest> = fc
  .tuple(harmlessWrite, fc.boolean(), fc.double({ min: 0, max: 0.95, noNaN: true }))
  .map(([w, isChunked, part]) => {
    const text = Buffer.from(query(w.pairs))
    const body = isChunked ? chunked(text) : text
    const headers: [string, string][] = [['content-type', FORM]]
    if (isChunked) headers.push(['transfer-encoding', 'chunked'])
    return {
      method: 'POST',
      target: w.path,
      headers,
      body,
      truncateAt: Math.floor(body.length * part),
      label: `POST ${w.path}, ${isChunked ? 'chunked' : 'framed'} body cut at ${Math.round(part * 100)}%`,
      kind: 'truncated',
    }
  })

/** One field thousands of times, as repeated keys or one comma list (5,000 addrs among them). */
const repeated: fc.Arbitrary<RawRequest> = fc
  .tuple(
    harmlessWrite,
    fc.constantFrom('addrs', 'hostname', 'appid', 'metadata', 'x_unknown'),
    fc.constantFrom(33, 1_000, 5_000),
    fc.boolean(),
    fc.boolean()
  )
  .map(([w, field, times, asList, inQuery]) => {
    const value = field === 'addrs' ? 'grpc://10.9.9.9:1' : 'r'
    const extra = asList
      ? `${field}=${Array.from({ length: times }, () => encodeURIComponent(value)).join(',')}`
      : Array.from({ length: times }, () => `${field}=${encodeURIComponent(value)}`).join('&')
    const base = query(w.pairs)
    // a query string this long is refused by the runtime before the worker: both are sent
    const target = inQuery ? safeTarget(`${w.path}?${extra}`) : w.path
    const body = Buffer.from(inQuery ? base : `${base}&${extra}`)
    return {
      method: 'POST',
      target,
      headers: [['content-type', FORM]],
      body,
      label: `POST ${w.path}, ${field} ${times} times${asList ? ' in one list' : ''}${inQuery ? ' in the query' : ''} (${body.length + target.length} bytes)`,
      kind: 'repeated',
    }
  })

/** One field of almost the whole body limit (or just past it). */
const huge: fc.Arbitrary<RawRequest> = fc
  .tuple(
    harmlessWrite,
    fc.constantFrom('metadata', 'hostname', 'version', 'addrs'),
    fc.integer({ min: 60_000, max: 66_000 })
  )
  .map(([w, field, size]) => {
    const body = Buffer.from(`${query(w.pairs)}&${field}=${'h'.repeat(size)}`)
    return {
      method: 'POST',
      target: w.path,
      headers: [['content-type', FORM]],
      body,
      label: `POST ${w.path}, ${field} of ${size} bytes`,
      kind: 'huge',
    }
  })

/** A form body under a content type that is not a form (or a malformed one). */
const wrongType: fc.Arbitrary<RawRequest> = fc
  .tuple(
    harmlessWrite,
    fc.constantFrom(
      'application/json',
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/mixed; boundary=x',
      'text/html',
      'image/png',
      'application/x-www-form-urlencoded; charset=latin1',
      ';;;',
      'x'.repeat(5_000)
    )
  )
  .map(([w, type]) => ({
    method: 'POST',
    target: w.path,
    headers: [['content-type', type]],
    body: Buffer.from(query(w.pairs)),
    label: `POST ${w.path} as ${type.slice(0, 40)}`,
    kind: 'wrong-type',
  }))

/** A poll whose body is a whole form, answered at once by `x1-bmspy-timeout: 0`. */
const heldPollWithForm: fc.Arbitrary<RawRequest> = known.map((k) => ({
  method: 'GET',
  target: safeTarget(
    `${PATHS.poll}?${query([
      ['appid', k.appid],
      ['env', k.env],
      ['hostname', 'stress'],
      ['latest_timestamp', AHEAD],
    ])}`
  ),
  headers: [
    ['content-type', FORM],
    ['x1-bmspy-timeout', '0'],
  ],
  body: Buffer.from(formText([{ name: 'appid', value: k.appid }], 'component')),
  label: `GET ${PATHS.poll} held, x1-bmspy-timeout 0, with a form body`,
  kind: 'held-poll-body',
}))

/** Every fault, mixed. */
export const faultArb: fc.Arbitrary<RawRequest> = fc.oneof(
  { weight: 3, arbitrary: getWithBody },
  { weight: 1, arbitrary: heldPollWithForm },
  { weight: 2, arbitrary: truncated },
  { weight: 1, arbitrary: repeated },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: wrongType }
)
