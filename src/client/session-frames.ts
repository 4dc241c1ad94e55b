/**
 * Session frames (docs/sessions.md "Frames"), the SDK's side: the client's requests written as
 * JSON text, the registry's frames read into typed values (the server's side, and the constants
 * both share, are in protocol/session-frames.ts). Cursors and timestamps exceed 2^53, so both ways go
 * through the int64-exact JSON codec. Pure: no sockets, no timers. A frame of the wrong shape
 * throws; a frame of an unknown `type` decodes to undefined (later versions may add some).
 */
import { type Int64Json, parse, stringify } from '../protocol/int64-json.ts'
import type { Instance } from '../registry/model.ts'
import { decodeInstance, readArray, readInt64, readObject, readString } from './wire.ts'

/** Used when `hello` names no interval (the protocol's 30 s). */
const PING_INTERVAL_MS = 30_000

export type RequestId = number | string

export interface HelloFrame {
  type: 'hello'
  session: string
  /** The heartbeat text, to be sent byte for byte. */
  ping: string
  pingIntervalMs: number
  /** What the token allows on this app: `read`, `write`. */
  may: string[]
}

export interface OkFrame {
  type: 'ok'
  id: RequestId | undefined
}

export interface ErrorFrame {
  type: 'error'
  id: RequestId | undefined
  code: number
  field: string | undefined
  message: string
}

export interface ViewFrame {
  type: 'view'
  latestTimestamp: bigint
  instances: Instance[]
}

export interface DeltaFrame {
  type: 'delta'
  from: bigint
  latestTimestamp: bigint
  put: Instance[]
  del: { zone: string; hostname: string }[]
}

export type ServerFrame =
  | HelloFrame
  | OkFrame
  | ErrorFrame
  | ViewFrame
  | DeltaFrame
  | { type: 'pong' }

/** What a `register` frame carries besides the op and id (the app comes from the session). */
export interface RegisterFields {
  zone: string
  hostname: string
  addrs: readonly string[]
  status: number
  version: string
  metadata: Record<string, string> | undefined
  region: string
}

/** A client request, as `encodeRequest` writes it. */
export type ClientRequest =
  | ({ op: 'register' } & RegisterFields)
  | { op: 'cancel'; zone: string; hostname: string }
  | { op: 'watch'; cursor: bigint }
  | { op: 'unwatch' }

/** One request frame. `watch` asks for UP instances of every zone, as the HTTP poller does. */
export function encodeRequest(id: number, request: ClientRequest): string {
  if (request.op === 'watch') {
    return stringify({ op: 'watch', id, zone: '', status: [1], cursor: request.cursor })
  }
  return stringify({ ...request, id })
}

/** A server frame; undefined for a `type` this version does not know. Throws on a bad shape. */
export function decodeFrame(text: string): ServerFrame | undefined {
  const frame = readObject(parse(text), 'frame')
  switch (frame.type) {
    case 'hello':
      return {
        type: 'hello',
        session: readString(frame.session, 'hello.session'),
        ping: readString(frame.ping, 'hello.ping'),
        pingIntervalMs: positiveOr(frame.ping_interval_ms, PING_INTERVAL_MS),
        may: Array.isArray(frame.may)
          ? frame.may.filter((m): m is string => typeof m === 'string')
          : [],
      }
    case 'ok':
      return { type: 'ok', id: requestId(frame.id) }
    case 'error':
      return {
        type: 'error',
        id: requestId(frame.id),
        code: integer(frame.code, 'error.code'),
        field: typeof frame.field === 'string' ? frame.field : undefined,
        message: typeof frame.message === 'string' ? frame.message : '',
      }
    case 'view':
      return {
        type: 'view',
        latestTimestamp: readInt64(frame.latest_timestamp, 'view.latest_timestamp'),
        instances: instances(frame.instances, 'view.instances'),
      }
    case 'delta':
      return {
        type: 'delta',
        from: readInt64(frame.from, 'delta.from'),
        latestTimestamp: readInt64(frame.latest_timestamp, 'delta.latest_timestamp'),
        put: frame.put === undefined ? [] : instances(frame.put, 'delta.put'),
        del: frame.del === undefined ? [] : readArray(frame.del, 'delta.del').map(removed),
      }
    case 'pong':
      return { type: 'pong' }
    default:
      return undefined
  }
}

/** 128 random bits, base64url: the id a client keeps for one app across reconnects. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  const base64 = btoa(String.fromCharCode(...bytes))
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Instances as a list, or grouped by zone as `fetch` writes a view. The protocol says `put`
 * holds "instances" without fixing which of the two, so both are read.
 */
function instances(value: Int64Json | undefined, what: string): Instance[] {
  if (Array.isArray(value)) return value.map(decodeInstance)
  return Object.values(readObject(value, what)).flatMap((list) =>
    list === null ? [] : readArray(list, what).map(decodeInstance)
  )
}

function removed(value: Int64Json): { zone: string; hostname: string } {
  const o = readObject(value, 'delta.del[]')
  return { zone: readString(o.zone, 'del.zone'), hostname: readString(o.hostname, 'del.hostname') }
}

function requestId(value: Int64Json | undefined): RequestId | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined
}

function integer(value: Int64Json | undefined, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new Error(`${what}: not an integer`)
  }
  return value
}

function positiveOr(value: Int64Json | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback
}
