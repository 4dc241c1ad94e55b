/**
 * Registry answers → SDK values: the envelope, instances, application views and node lists,
 * read from int64-exact JSON (docs/protocol.md). As strict on types as the Go SDK
 * (timestamps are integers, metadata values strings); any mismatch throws WireError, which the
 * transport turns into a DiscoveryResponseError.
 */
import type { Int64Json } from '../protocol/int64-json.ts'
import { type Instance, type InstanceStatus, STATUS_UP, STATUS_WAITING } from '../registry/model.ts'
import type { AppSnapshot } from './app-snapshot.ts'

/** The answer does not have the shape the protocol promises. */
class WireError extends Error {
  override name = 'WireError'
}

/** A JSON object as the int64-exact parser returns it. */
export type JsonObject = { [key: string]: Int64Json }

/** The envelope of every answer: code, message, and the rest of the object. */
export interface Envelope {
  code: number
  message: string
  body: JsonObject
}

/** A node as `/discovery/nodes` lists it. */
export interface NodeStatus {
  addr: string
  /** 0 = UP, 1 = LOST. */
  status: number
  zone: string
}

export function decodeEnvelope(value: Int64Json): Envelope {
  const body = readObject(value, 'answer')
  const code = body.code
  if (typeof code !== 'number' || !Number.isInteger(code)) {
    throw new WireError('answer: no integer "code"')
  }
  const message = typeof body.message === 'string' ? body.message : String(code)
  return { code, message, body }
}

export function decodeInstance(value: Int64Json): Instance {
  const o = readObject(value, 'instance')
  const status = o.status
  if (status !== STATUS_UP && status !== STATUS_WAITING) {
    throw new WireError(`instance: bad status ${String(status)}`)
  }
  return {
    region: readString(o.region, 'region'),
    zone: readString(o.zone, 'zone'),
    env: readString(o.env, 'env'),
    appid: readString(o.appid, 'appid'),
    hostname: readString(o.hostname, 'hostname'),
    addrs: o.addrs === null ? [] : readArray(o.addrs, 'addrs').map((a) => readString(a, 'addrs')),
    version: readString(o.version, 'version'),
    metadata: metadata(o.metadata),
    status: status as InstanceStatus,
    regTimestamp: readInt64(o.reg_timestamp, 'reg_timestamp'),
    upTimestamp: readInt64(o.up_timestamp, 'up_timestamp'),
    renewTimestamp: readInt64(o.renew_timestamp, 'renew_timestamp'),
    dirtyTimestamp: readInt64(o.dirty_timestamp, 'dirty_timestamp'),
    latestTimestamp: readInt64(o.latest_timestamp, 'latest_timestamp'),
  }
}

/** An application view `{"instances":{zone:[…]},"latest_timestamp":n}`. */
export function decodeSnapshot(appid: string, value: Int64Json): AppSnapshot {
  const o = readObject(value, `${appid} view`)
  const instances = entriesOf(o.instances, 'instances', (list) =>
    list === null ? [] : readArray(list, 'instances').map(decodeInstance)
  )
  return { appid, instances, latestTimestamp: readInt64(o.latest_timestamp, 'latest_timestamp') }
}

/** `fetch/all` data: appid → flat list of instances. */
export function decodeAll(value: Int64Json): Record<string, Instance[]> {
  return entriesOf(value, 'data', (list, appid) =>
    list === null ? [] : readArray(list, appid).map(decodeInstance)
  )
}

/** `nodes` data. */
export function decodeNodes(value: Int64Json): NodeStatus[] {
  if (value === null) return []
  return readArray(value, 'nodes').map((n) => {
    const o = readObject(n, 'node')
    const status = o.status
    if (typeof status !== 'number') throw new WireError('node: no "status"')
    return { addr: readString(o.addr, 'addr'), status, zone: readString(o.zone, 'zone') }
  })
}

/** One change in an app's history (`GET /discovery/history`, not in the reference). */
export interface HistoryEntry {
  /** When, in ms since the epoch (the registry's clock). */
  atMs: number
  /** `register`, `renew` (by another token than the registrant's), `cancel`, `set`, `evict`. */
  op: string
  zone: string
  hostname: string
  /** `token:<tid>`, `auth-off`, or for evictions `lease` / `session`. */
  actor: string
}

/** `history` data, newest first. */
export function decodeHistory(value: Int64Json): HistoryEntry[] {
  if (value === null) return []
  return readArray(value, 'history').map((e) => {
    const o = readObject(e, 'history entry')
    return {
      atMs: Number(readInt64(o.at_ms, 'at_ms')),
      op: readString(o.op, 'op'),
      zone: readString(o.zone, 'zone'),
      hostname: readString(o.hostname, 'hostname'),
      actor: readString(o.actor, 'actor'),
    }
  })
}

/** The shape checkers below throw WireError naming `what`; shared with session-frames.ts. */
export function readObject(value: Int64Json | undefined, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WireError(`${what}: not an object`)
  }
  return value
}

export function readArray(value: Int64Json | undefined, what: string): Int64Json[] {
  if (!Array.isArray(value)) throw new WireError(`${what}: not an array`)
  return value
}

export function readString(value: Int64Json | undefined, what: string): string {
  if (typeof value !== 'string') throw new WireError(`${what}: not a string`)
  return value
}

export function readInt64(value: Int64Json | undefined, what: string): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  throw new WireError(`${what}: not an integer`)
}

function metadata(value: Int64Json | undefined): Record<string, string> | null {
  if (value === null || value === undefined) return null
  return entriesOf(value, 'metadata', (v, key) => readString(v, `metadata.${key}`))
}

/** An object's values decoded; built with fromEntries so a "__proto__" key stays an own key. */
function entriesOf<T>(
  value: Int64Json | undefined,
  what: string,
  decode: (v: Int64Json, key: string) => T
): Record<string, T> {
  return Object.fromEntries(
    Object.entries(readObject(value, what)).map(([key, v]) => [key, decode(v, key)])
  )
}
