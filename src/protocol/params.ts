/**
 * Request parameters → typed inputs (docs/protocol.md). Lenient where clients differ
 * (repeated keys, comma-joined lists, ignored extras), strict where data would be lost
 * (numbers out of range, bad metadata), and bounded by LIMITS. Every failure names its field.
 */

import { INT64_MAX, INT64_MIN } from '../registry/clock.ts'
import {
  type CancelInput,
  type InstanceStatus,
  type Metadata,
  type RegisterInput,
  type RenewInput,
  type SetInput,
  STATUS_UP,
  STATUS_WAITING,
} from '../registry/model.ts'
import { err, ok, type Result } from '../registry/result.ts'
import { utf8Length } from '../registry/utf8.ts'
import type { Form } from './form.ts'
import { LIMITS } from './limits.ts'

/** A parameter problem: which field, and a message that names it. */
export interface ParamError {
  field: string
  message: string
}

export type Parsed<T> = Result<T, ParamError>

/** fetch: one application view. */
export interface FetchInput {
  appid: string
  env: string
  zone: string
  statusMask: number
}

/** fetchs: several application views. */
export interface FetchsInput {
  appids: string[]
  env: string
  zone: string
  statusMask: number
}

/** poll and polls: appids with their cursors (0n = "I know nothing"). */
export interface PollInput {
  env: string
  zone: string
  hostname: string
  cursors: Map<string, bigint>
}

const UINT32_MAX = 4_294_967_295
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/

class ParamFailure extends Error {
  constructor(
    readonly field: string,
    problem: string
  ) {
    super(`${field}: ${problem}`)
  }
}

/** Run a parser body; a ParamFailure becomes an `err`, anything else is a bug and rethrown. */
function parsing<T>(body: () => T): Parsed<T> {
  try {
    return ok(body())
  } catch (error) {
    if (error instanceof ParamFailure) return err({ field: error.field, message: error.message })
    throw error
  }
}

const first = (form: Form, name: string): string => form.get(name)?.[0] ?? ''

const text = (form: Form, name: string, max: number, required: boolean): string =>
  checked(name, first(form, name), max, required)

function checked(name: string, value: string, max: number, required: boolean): string {
  if (required && value === '') throw new ParamFailure(name, 'required')
  if (value.length > max) throw new ParamFailure(name, `longer than ${max} characters`)
  if (CONTROL.test(value)) throw new ParamFailure(name, 'contains a control character')
  return value
}

/** An appid, env, zone or region: limited in UTF-8 bytes (LIMITS.idBytes). */
function checkedId(name: string, value: string, required: boolean): string {
  if (required && value === '') throw new ParamFailure(name, 'required')
  if (utf8Length(value) > LIMITS.idBytes)
    throw new ParamFailure(name, `longer than ${LIMITS.idBytes} bytes`)
  if (CONTROL.test(value)) throw new ParamFailure(name, 'contains a control character')
  return value
}

const id = (form: Form, name: string, required = true) =>
  checkedId(name, first(form, name), required)
const hostname = (form: Form, name = 'hostname') => text(form, name, LIMITS.hostnameChars, true)

/** A repeated parameter, each value also split on commas (Python clients join lists). */
function list(form: Form, name: string): string[] {
  return (form.get(name) ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '')
}

function uint32(name: string, value: string): number {
  if (value === '') return 0
  if (!/^\d+$/.test(value))
    throw new ParamFailure(name, `not an unsigned integer: ${JSON.stringify(value.slice(0, 40))}`)
  const n = Number(value)
  if (n > UINT32_MAX) throw new ParamFailure(name, `out of range (max ${UINT32_MAX})`)
  return n
}

function int64(name: string, value: string): bigint {
  if (value === '') return 0n
  if (!/^[+-]?\d{1,20}$/.test(value))
    throw new ParamFailure(name, `not an int64: ${JSON.stringify(value.slice(0, 40))}`)
  const n = BigInt(value)
  if (n > INT64_MAX || n < INT64_MIN) throw new ParamFailure(name, 'out of int64 range')
  return n
}

function instanceStatus(name: string, value: string): InstanceStatus {
  const n = uint32(name, value)
  if (n === 0) throw new ParamFailure(name, 'required (1 = UP, 2 = WAITING)')
  if (n !== STATUS_UP && n !== STATUS_WAITING)
    throw new ParamFailure(name, `must be 1 (UP) or 2 (WAITING), got ${n}`)
  return n
}

function statusMask(form: Form): number {
  const n = uint32('status', first(form, 'status'))
  if (n === 0)
    throw new ParamFailure('status', 'required (a bit mask: 1 = UP, 2 = WAITING, 3 = both)')
  return n
}

function metadataText(name: string, value: string): unknown {
  if (metadataTooLong(value))
    throw new ParamFailure(name, `longer than ${LIMITS.metadataBytes} bytes`)
  try {
    return JSON.parse(value)
  } catch {
    throw new ParamFailure(name, 'not valid JSON')
  }
}

const encoder = new TextEncoder()
/** Whether `text` is over the metadata limit in UTF-8 bytes (encoding only when it could be). */
const metadataTooLong = (text: string): boolean =>
  text.length * 3 > LIMITS.metadataBytes && encoder.encode(text).length > LIMITS.metadataBytes

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Register metadata: valid JSON required; a non-object means none; non-string values become "". */
function registerMetadata(form: Form): Metadata {
  const value = first(form, 'metadata')
  if (value === '') return null
  const parsed = metadataText('metadata', value)
  if (!isObject(parsed)) return null
  return Object.fromEntries(
    Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : ''])
  )
}

/** Set metadata: each value must be a JSON object of strings. */
function setMetadata(value: string): Record<string, string> {
  const parsed = metadataText('metadata', value)
  if (!isObject(parsed)) throw new ParamFailure('metadata', 'must be a JSON object')
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string')
      throw new ParamFailure('metadata', `value of ${JSON.stringify(k)} must be a string`)
  }
  return Object.fromEntries(Object.entries(parsed)) as Record<string, string>
}

function instanceKey(form: Form) {
  return {
    appid: id(form, 'appid'),
    env: id(form, 'env'),
    zone: id(form, 'zone'),
    hostname: hostname(form),
  }
}

function appids(form: Form): string[] {
  const values = [...new Set(list(form, 'appid'))]
  if (values.length === 0) throw new ParamFailure('appid', 'required')
  if (values.length > LIMITS.appidsPerRequest)
    throw new ParamFailure('appid', `more than ${LIMITS.appidsPerRequest} appids`)
  for (const appid of values) checkedId('appid', appid, true)
  return values
}

/** POST /discovery/register */
export const parseRegister = (form: Form): Parsed<RegisterInput> =>
  parsing(() => {
    const key = instanceKey(form)
    const addrs = list(form, 'addrs')
    if (addrs.length === 0) throw new ParamFailure('addrs', 'required (at least one address)')
    if (addrs.length > LIMITS.addrs)
      throw new ParamFailure('addrs', `more than ${LIMITS.addrs} addresses`)
    if (addrs.some((a) => a.length > LIMITS.addrChars))
      throw new ParamFailure('addrs', `an address is longer than ${LIMITS.addrChars} characters`)
    if (addrs.some((a) => CONTROL.test(a)))
      throw new ParamFailure('addrs', 'contains a control character')
    // The reference binds it as int64 and then ignores it: only an unparsable value shows (-400).
    int64('latest_timestamp', first(form, 'latest_timestamp'))
    return {
      ...key,
      status: instanceStatus('status', first(form, 'status')),
      addrs,
      region: id(form, 'region', false),
      version: text(form, 'version', LIMITS.versionChars, false),
      metadata: registerMetadata(form),
      dirtyTimestamp: int64('dirty_timestamp', first(form, 'dirty_timestamp')),
    }
  })

/** POST /discovery/renew */
export const parseRenew = (form: Form): Parsed<RenewInput> =>
  parsing(() => ({
    ...instanceKey(form),
    replication: bool(first(form, 'replication')),
    dirtyTimestamp: int64('dirty_timestamp', first(form, 'dirty_timestamp')),
  }))

/** POST /discovery/cancel */
export const parseCancel = (form: Form): Parsed<CancelInput> =>
  parsing(() => ({
    ...instanceKey(form),
    latestTimestamp: int64('latest_timestamp', first(form, 'latest_timestamp')),
  }))

/** POST /discovery/set */
export const parseSet = (form: Form): Parsed<SetInput> =>
  parsing(() => {
    const hostnames = form.get('hostname') ?? []
    if (hostnames.length === 0) throw new ParamFailure('hostname', 'required (at least one)')
    if (hostnames.length > LIMITS.hostnamesPerSet)
      throw new ParamFailure('hostname', `more than ${LIMITS.hostnamesPerSet} hostnames`)
    for (const h of hostnames) checked('hostname', h, LIMITS.hostnameChars, true)
    const statuses = form.get('status') ?? []
    const metadata = form.get('metadata') ?? []
    if (statuses.length !== 0 && statuses.length !== hostnames.length) {
      throw new ParamFailure(
        'status',
        `expected none or one per hostname (${hostnames.length}), got ${statuses.length}`
      )
    }
    if (metadata.length !== 0 && metadata.length !== hostnames.length) {
      throw new ParamFailure(
        'metadata',
        `expected none or one per hostname (${hostnames.length}), got ${metadata.length}`
      )
    }
    return {
      appid: id(form, 'appid'),
      env: id(form, 'env'),
      zone: id(form, 'zone'),
      hostnames,
      statuses: statuses.map((s) => instanceStatus('status', s)),
      metadata: metadata.map(setMetadata),
      setTimestamp: int64('set_timestamp', first(form, 'set_timestamp')),
    }
  })

/** A session id a client chose (docs/sessions.md): random enough that nobody else guesses it. */
export const SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/

/** GET /discovery/session: the app, and the session id to resume (undefined: a new session). */
export const parseSession = (
  form: Form
): Parsed<{ appid: string; env: string; session: string | undefined }> =>
  parsing(() => {
    const session = first(form, 'session')
    if (session !== '' && !SESSION_ID.test(session))
      throw new ParamFailure('session', '16 to 64 characters of A-Z a-z 0-9 _ -')
    return { appid: id(form, 'appid'), env: id(form, 'env'), session: session || undefined }
  })

/** GET /discovery/fetch */
export const parseFetch = (form: Form): Parsed<FetchInput> =>
  parsing(() => ({
    appid: id(form, 'appid'),
    env: id(form, 'env'),
    zone: id(form, 'zone', false),
    statusMask: statusMask(form),
  }))

/** GET /discovery/fetchs */
export const parseFetchs = (form: Form): Parsed<FetchsInput> =>
  parsing(() => ({
    appids: appids(form),
    env: id(form, 'env'),
    zone: id(form, 'zone', false),
    statusMask: statusMask(form),
  }))

/**
 * GET /discovery/poll and /discovery/polls. `strict` (polls) rejects a cursor count that
 * differs from the appid count; poll then takes every cursor as 0, as the reference does.
 */
export const parsePoll = (form: Form, strict: boolean): Parsed<PollInput> =>
  parsing(() => {
    const ids = list(form, 'appid')
    const unique = appids(form)
    const cursors = list(form, 'latest_timestamp').map((v) => int64('latest_timestamp', v))
    if (strict && cursors.length !== ids.length) {
      throw new ParamFailure(
        'latest_timestamp',
        `expected one per appid (${ids.length} appid, ${cursors.length} latest_timestamp)`
      )
    }
    const paired = cursors.length === ids.length
    const byApp = new Map<string, bigint>()
    ids.forEach((appid, i) => {
      if (!byApp.has(appid)) byApp.set(appid, paired ? (cursors[i] ?? 0n) : 0n)
    })
    return {
      env: id(form, 'env'),
      zone: id(form, 'zone', false),
      hostname: hostname(form),
      cursors: new Map(unique.map((appid) => [appid, byApp.get(appid) ?? 0n])),
    }
  })

/** GET /discovery/history: which app, and how many entries (default 100, at most LIMITS.historyRows). */
export const parseHistory = (form: Form): Parsed<{ appid: string; env: string; limit: number }> =>
  parsing(() => {
    const limit = uint32('limit', first(form, 'limit')) || 100
    if (limit > LIMITS.historyRows) throw new ParamFailure('limit', `at most ${LIMITS.historyRows}`)
    return { appid: id(form, 'appid'), env: id(form, 'env'), limit }
  })

/** Go's strconv.ParseBool, with anything unparsable as false (never an error). */
function bool(value: string): boolean {
  return ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)
}
