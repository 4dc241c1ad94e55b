/**
 * The discovery requests the benchmark sends, as the Go SDK writes them, and the one thing it
 * reads back: an answer's `latest_timestamp` digits (int64: taken from the raw text with a
 * regular expression, never JSON.parse).
 */
import { encodeForm } from '../../src/protocol/form.ts'
import { PATHS } from '../../src/protocol/paths.ts'

export const ZONE = 'sh001'
export const ENV = 'dev'
const ADDR = 'grpc://10.0.0.1:9000'

export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' }

/** A unique appid per measurement, so no figure sees another's instances or waiters. */
export function freshAppid(label: string): string {
  return `bench.${label}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
}

/** The hostname of instance `i` of an app. */
export const hostname = (i: number): string => `host-${i}`

/** Body of POST /discovery/register for one UP instance. */
export const registerBody = (appid: string, host: string): string =>
  encodeForm({ addrs: ADDR, appid, env: ENV, hostname: host, status: 1, zone: ZONE })

/** Body of POST /discovery/renew. */
export const renewBody = (appid: string, host: string): string =>
  encodeForm({ appid, env: ENV, hostname: host, zone: ZONE })

/** Path of GET /discovery/fetch (UP instances, every zone). */
export const fetchPath = (appid: string): string =>
  `${PATHS.fetch}?${encodeForm({ appid, env: ENV, status: 1 })}`

/** Path of GET /discovery/polls for several apps, one cursor each. */
export function pollsPath(cursors: [appid: string, cursor: string][], watcher: string): string {
  const appid = cursors.map(([a]) => a)
  const latest_timestamp = cursors.map(([, cursor]) => cursor)
  return `${PATHS.polls}?${encodeForm({ appid, latest_timestamp, env: ENV, hostname: watcher })}`
}

/** Whether a write answered code 0. */
export const isOk = (body: string): boolean => body.startsWith('{"code":0,')

/** The app's `latest_timestamp` digits from a fetch answer (the last one in the text). */
export function cursorOf(text: string): string {
  const match = /"latest_timestamp":(\d+)\}\}$/.exec(text)
  if (!match?.[1]) throw new Error(`no latest_timestamp in ${text.slice(0, 200)}`)
  return match[1]
}
