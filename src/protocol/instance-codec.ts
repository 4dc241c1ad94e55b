/**
 * Instance and application view → wire JSON text (docs/protocol.md). Hand-built strings:
 * the key order is the reference's, timestamps are exact int64 digits, and metadata values are
 * always strings, under sorted keys. Encoding a 10,000-instance app is the hot path of fetch and poll.
 */
import type { AppView, Instance } from '../registry/model.ts'
import { utf8Length } from '../registry/utf8.ts'

const q = JSON.stringify

/** How metadata registered without a value appears: `{}` (fetch, poll, renew) or `null` (fetch/all). */
export type MissingMetadata = '{}' | 'null'

/** Metadata as Go writes a map: keys sorted (JSON.stringify would put "10" before "9"). */
function encodeMetadata(metadata: Record<string, string>): string {
  const keys = Object.keys(metadata).sort()
  return `{${keys.map((key) => `${q(key)}:${q(metadata[key])}`).join(',')}}`
}

/** One instance object, keys in the reference's order. */
export function encodeInstance(i: Instance, missingMetadata: MissingMetadata = '{}'): string {
  const metadata = i.metadata === null ? missingMetadata : encodeMetadata(i.metadata)
  return (
    `{"region":${q(i.region)},"zone":${q(i.zone)},"env":${q(i.env)},"appid":${q(i.appid)},` +
    `"hostname":${q(i.hostname)},"addrs":${q(i.addrs)},"version":${q(i.version)},` +
    `"metadata":${metadata},"status":${i.status},"reg_timestamp":${i.regTimestamp},` +
    `"up_timestamp":${i.upTimestamp},"renew_timestamp":${i.renewTimestamp},` +
    `"dirty_timestamp":${i.dirtyTimestamp},"latest_timestamp":${i.latestTimestamp}}`
  )
}

/**
 * An application view `{"instances":{zone:[…]},"latest_timestamp":n}`. `encode` lets the
 * caller supply a cached encoding per instance.
 */
export function encodeSnapshot(
  snapshot: AppView,
  encode: (i: Instance) => string = encodeInstance
): string {
  const zones = Object.entries(snapshot.instances).map(
    ([zone, list]) => `${q(zone)}:[${list.map((i) => encode(i)).join(',')}]`
  )
  return `{"instances":{${zones.join(',')}},"latest_timestamp":${snapshot.latestTimestamp}}`
}

/**
 * What an instance encoded as `json` can add to any answer that carries it (a view, a fetch/all
 * list), in UTF-8 bytes: its JSON (with `null` where it has `{}`), a comma, and a key for its
 * zone. An upper bound, so a budget counted in these bytes bounds each of those answers.
 */
export const instanceAnswerBytes = (json: string, zone: string): number =>
  utf8Length(json) + utf8Length(q(zone)) + 7

/** The all-empty instance a renew of an unknown hostname carries as `data` (PROTOCOL §3.2). */
export const EMPTY_INSTANCE_JSON =
  '{"region":"","zone":"","env":"","appid":"","hostname":"","addrs":null,"version":"",' +
  '"metadata":null,"status":0,"reg_timestamp":0,"up_timestamp":0,"renew_timestamp":0,' +
  '"dirty_timestamp":0,"latest_timestamp":0}'
