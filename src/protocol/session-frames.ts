/**
 * Session frames (docs/sessions.md), version 1: a client frame → a typed request, checked by
 * the same parameter rules as the HTTP forms (params.ts), and the server frames as JSON text.
 * Timestamps stay exact: frames are read with the int64 parser and written as bare digits.
 */
import type { CancelInput, RegisterInput, SetInput } from '../registry/model.ts'
import { err, ok } from '../registry/result.ts'
import type { Form } from './form.ts'
import { parse } from './int64-json.ts'
import { LIMITS } from './limits.ts'
import { type ParamError, type Parsed, parseCancel, parseRegister, parseSet } from './params.ts'

/** The subprotocol a client offers and the server selects. */
export const SESSION_PROTOCOL = 'discovery.v1'
/** A second subprotocol that carries a token (browsers cannot set headers on a WebSocket). */
export const TOKEN_PROTOCOL_PREFIX = 'bearer.'
/** The heartbeat, byte for byte, and the runtime's answer to it. */
export const PING_FRAME = '{"op":"ping"}'
export const PONG_FRAME = '{"type":"pong"}'
/** Largest frame accepted (as an HTTP body). */
export const MAX_FRAME_BYTES = LIMITS.bodyBytes

/** The request id a client may attach: echoed back. */
export type FrameId = number | string | undefined

/** A client request of an app `{appid, env}`. */
export type SessionRequest =
  | { op: 'register'; id: FrameId; input: RegisterInput }
  | { op: 'cancel'; id: FrameId; input: CancelInput }
  | { op: 'set'; id: FrameId; input: SetInput }
  | { op: 'watch'; id: FrameId; zone: string; statusMask: number; cursor: bigint }
  | { op: 'unwatch'; id: FrameId }

/** A frame that could not be read: which field, and the request id if it had one. */
export interface FrameError extends ParamError {
  id: FrameId
}

type Fields = Record<string, unknown>

class FrameFailure extends Error {
  constructor(
    readonly field: string,
    problem: string
  ) {
    super(`${field}: ${problem}`)
  }
}

/** Read one client frame for the app `app`. */
export function parseFrame(
  text: string,
  app: { appid: string; env: string }
): { ok: true; value: SessionRequest } | { ok: false; error: FrameError } {
  let fields: Fields
  try {
    const value = parse(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error()
    fields = value as Fields
  } catch {
    return err({ id: undefined, field: 'frame', message: 'frame: not a JSON object' })
  }
  const id = frameId(fields.id)
  if (id === null)
    return err({ id: undefined, field: 'id', message: 'id: a number or a string of at most 64' })
  try {
    const request = requestOf(fields, id, app)
    return request.ok ? ok(request.value) : err({ id, ...request.error })
  } catch (error) {
    if (error instanceof FrameFailure)
      return err({ id, field: error.field, message: error.message })
    throw error
  }
}

function requestOf(fields: Fields, id: FrameId, app: Fields): Parsed<SessionRequest> {
  const op = fields.op
  switch (op) {
    case 'register': {
      const form = formOf(app, fields, ['zone', 'hostname', 'version', 'region'])
      form.set('addrs', strings(fields.addrs, 'addrs'))
      form.set('status', [statusText(fields.status ?? 1)])
      const metadata = metadataText(fields.metadata)
      if (metadata !== undefined) form.set('metadata', [metadata])
      return mapped(parseRegister(form), (input) => ({ op, id, input }))
    }
    case 'cancel':
      return mapped(parseCancel(formOf(app, fields, ['zone', 'hostname'])), (input) => ({
        op,
        id,
        input,
      }))
    case 'set': {
      const form = formOf(app, fields, ['zone', 'hostname'])
      if (fields.status === undefined && fields.metadata === undefined)
        throw new FrameFailure('status', 'give status or metadata (or both)')
      if (fields.status !== undefined) form.set('status', [statusText(fields.status)])
      const metadata = metadataText(fields.metadata)
      if (metadata !== undefined) form.set('metadata', [metadata])
      return mapped(parseSet(form), (input) => ({ op, id, input }))
    }
    case 'watch':
      return ok({
        op,
        id,
        zone: zoneOf(fields.zone),
        statusMask: maskOf(fields.status),
        cursor: cursorOf(fields.cursor),
      })
    case 'unwatch':
      return ok({ op, id })
    default:
      throw new FrameFailure(
        'op',
        `unknown op ${JSON.stringify(String(op)).slice(0, 40)}: register, cancel, set, watch or unwatch`
      )
  }
}

const mapped = <T, U>(parsed: Parsed<T>, f: (value: T) => U): Parsed<U> =>
  parsed.ok ? ok(f(parsed.value)) : parsed

/** A form as the HTTP route would have it: the app, then these string fields. */
function formOf(app: Fields, fields: Fields, names: string[]): Form {
  const form: Form = new Map()
  for (const [name, value] of [...Object.entries(app), ...names.map((n) => [n, fields[n]])]) {
    if (value === undefined || value === '') continue
    if (typeof value !== 'string') throw new FrameFailure(String(name), 'must be a string')
    form.set(String(name), [value])
  }
  return form
}

function strings(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new FrameFailure(field, 'required: a list of strings')
  if (value.some((v) => typeof v !== 'string'))
    throw new FrameFailure(field, 'every entry must be a string')
  return value as string[]
}

function statusText(value: unknown): string {
  if (value !== 1 && value !== 2) throw new FrameFailure('status', 'must be 1 (UP) or 2 (WAITING)')
  return String(value)
}

function metadataText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value))
    throw new FrameFailure('metadata', 'must be an object of strings')
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new FrameFailure('metadata', `value of ${JSON.stringify(k)} must be a string`)
  }
  return JSON.stringify(value)
}

function zoneOf(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw new FrameFailure('zone', 'must be a string')
  if (value.length > LIMITS.idChars)
    throw new FrameFailure('zone', `longer than ${LIMITS.idChars} characters`)
  return value
}

function maskOf(value: unknown): number {
  if (value === undefined) return 1
  if (!Array.isArray(value) || value.length === 0 || value.some((s) => s !== 1 && s !== 2))
    throw new FrameFailure('status', 'a non-empty list of 1 (UP) and 2 (WAITING)')
  return value.reduce((mask: number, s: number) => mask | s, 0)
}

function cursorOf(value: unknown): bigint {
  if (value === undefined || value === null) return 0n
  const digits =
    typeof value === 'bigint' || typeof value === 'number' ? String(value) : String(value ?? '')
  if (!/^\d{1,19}$/.test(digits))
    throw new FrameFailure('cursor', 'a latest_timestamp: a non-negative integer')
  return BigInt(digits)
}

/** A request id, undefined when none was sent, null when unusable. */
function frameId(value: unknown): FrameId | null {
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  if (typeof value === 'string' && value.length <= 64) return value
  return null
}

// ---- server frames

const q = JSON.stringify
const idPart = (id: FrameId) => (id === undefined ? '' : `,"id":${q(id)}`)

export const helloFrame = (hello: {
  session: string
  pingIntervalMs: number
  graceMs: number
  may: readonly string[]
  limits: Record<string, number>
}): string =>
  `{"type":"hello","v":1,"session":${q(hello.session)},"ping":${q(PING_FRAME)},` +
  `"ping_interval_ms":${hello.pingIntervalMs},"grace_ms":${hello.graceMs},` +
  `"may":${q(hello.may)},"limits":${q(hello.limits)}}`

export const okFrame = (id: FrameId): string => `{"type":"ok"${idPart(id)}}`

export const errorFrame = (id: FrameId, code: number, message: string, field?: string): string =>
  `{"type":"error"${idPart(id)},"code":${code}` +
  `${field === undefined ? '' : `,"field":${q(field)}`},"message":${q(message)}}`

/** A `view` frame from an encoded view (`{"instances":…,"latest_timestamp":n}`). */
export const viewFrame = (view: string): string => `{"type":"view",${view.slice(1)}`

export const emptyViewFrame = (latest: bigint): string =>
  `{"type":"view","instances":{},"latest_timestamp":${latest}}`

/** A `delta` frame from encoded instances and removed keys. */
export const deltaFrame = (
  from: bigint,
  to: bigint,
  put: readonly string[],
  del: readonly { zone: string; hostname: string }[]
): string =>
  `{"type":"delta","from":${from},"latest_timestamp":${to},"put":[${put.join(',')}],` +
  `"del":[${del.map((d) => `{"zone":${q(d.zone)},"hostname":${q(d.hostname)}}`).join(',')}]}`
