/**
 * The discovery requests the benchmark sends, as the Go SDK writes them, and the check of a
 * write's answer. The form content type, the address and reading a cursor back are shared with
 * the tests (scripts/shared/discovery-text.ts).
 */
import { PATHS } from '../../src/protocol/paths.ts'
import { ADDR } from '../shared/discovery-text.ts'

export const ZONE = 'sh001'
export const ENV = 'dev'

/** A unique appid per measurement, so no figure sees another's instances or waiters. */
export function freshAppid(label: string): string {
  return `bench.${label}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
}

/** The hostname of instance `i` of an app. */
export const hostname = (i: number): string => `host-${i}`

/**
 * The native URLSearchParams rather than the protocol's encodeForm: the load generator shares
 * the machine's two cores with the server and builds a body per request, and encodeForm's
 * sorting and escaping in JavaScript lowered the measured renew ratio by about 0.07-0.1. The
 * values sent here need no escaping, and the keys are written in sorted order.
 */
const form = (params: Record<string, string>): string => new URLSearchParams(params).toString()

/** Body of POST /discovery/register for one UP instance. */
export const registerBody = (appid: string, host: string): string =>
  form({ addrs: ADDR, appid, env: ENV, hostname: host, status: '1', zone: ZONE })

/** Body of POST /discovery/renew. */
export const renewBody = (appid: string, host: string): string =>
  form({ appid, env: ENV, hostname: host, zone: ZONE })

/** Path of GET /discovery/fetch (UP instances, every zone). */
export const fetchPath = (appid: string): string =>
  `${PATHS.fetch}?${form({ appid, env: ENV, status: '1' })}`

/** Path of GET /discovery/polls for several apps, one cursor each. */
export function pollsPath(cursors: [appid: string, cursor: string][], watcher: string): string {
  const params = new URLSearchParams()
  for (const [appid] of cursors) params.append('appid', appid)
  for (const [, cursor] of cursors) params.append('latest_timestamp', cursor)
  params.append('env', ENV)
  params.append('hostname', watcher)
  return `${PATHS.polls}?${params}`
}

/** Whether a write answered code 0. */
export const isOk = (body: string): boolean => body.startsWith('{"code":0,')
