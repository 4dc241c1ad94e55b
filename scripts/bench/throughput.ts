/**
 * The request-rate and latency figures, each one bounded autocannon run against the server:
 * the runtime's baseline (/discovery/nodes, no Durable Object), registers into one app,
 * renews of its instances in turn (and the same on the floor worker), and fetches of a whole app.
 */
import { PATHS } from '../../src/protocol/paths.ts'
import { FORM_HEADERS } from '../shared/discovery-text.ts'
import { fetchHostnames } from './client.ts'
import { type LoadResult, type LoadSpec, runLoad } from './load.ts'
import { fetchPath, hostname, isOk, registerBody, renewBody } from './wire.ts'

/** Concurrent connections of the rate runs: enough to keep one workerd thread busy. */
export const CONNECTIONS = 32

/** Form POSTs over CONNECTIONS connections, each answer code 0: `amount` of them or for `seconds`. */
const writes = (
  url: string,
  bound: { amount: number } | { seconds: number },
  request: LoadSpec['request']
) =>
  runLoad({
    url,
    connections: CONNECTIONS,
    ...bound,
    method: 'POST',
    headers: FORM_HEADERS,
    request,
    verify: isOk,
  })

/** GET /discovery/nodes: answered by the Worker alone. */
export const baseline = (url: string, seconds: number): Promise<LoadResult> =>
  runLoad({ url, connections: CONNECTIONS, seconds, request: () => ({ path: PATHS.nodes }) })

/**
 * Register `count` new instances into `appid` (which holds `before`), named by `names` (a
 * source of unique hostnames: autocannon may prepare a request it never sends, so names can
 * have gaps), then check that the app lists one instance per answered register.
 */
export async function register(
  url: string,
  appid: string,
  count: number,
  names: () => string,
  before = 0
): Promise<LoadResult> {
  const result = await writes(url, { amount: count }, () => ({
    path: PATHS.register,
    body: registerBody(appid, names()),
  }))
  const listed = (await fetchHostnames(url, appid)).length
  const expected = before + result.requests
  if (listed !== expected) {
    throw new Error(`${expected} instances registered into ${appid}, fetch lists ${listed}`)
  }
  return result
}

/** A source of unique hostnames: host-0, host-1, … */
export function hostnames(): () => string {
  let next = 0
  return () => hostname(next++)
}

/** Register `perApp` instances into each of `appids` (setting up, e.g. 100 apps of 100). */
export const registerSpread = (url: string, appids: string[], perApp: number) =>
  writes(url, { amount: appids.length * perApp }, (n) => ({
    path: PATHS.register,
    body: registerBody(appids[n % appids.length] ?? '', hostname(Math.floor(n / appids.length))),
  }))

/** Renew the instances `hosts` of `appid` in turn for `seconds`. */
export const renew = (url: string, appid: string, hosts: string[], seconds: number) =>
  writes(url, { seconds }, (n) => ({
    path: PATHS.renew,
    body: renewBody(appid, hosts[n % hosts.length] ?? ''),
  }))

/** The same renews on the floor worker (floor/worker.js): a form POST to an object that does nothing. */
export const renewFloor = (url: string, appid: string, hosts: string[], seconds: number) =>
  writes(url, { seconds }, (n) => ({
    path: `/renew?app=${appid}`,
    body: renewBody(appid, hosts[n % hosts.length] ?? ''),
  }))

/** Fetch the whole of `appid` from `connections` clients for `seconds`. */
export const fetchRate = (url: string, appid: string, connections: number, seconds: number) =>
  runLoad({ url, connections, seconds, request: () => ({ path: fetchPath(appid) }) })

/** Fetch the whole of `appid` `amount` times, one request at a time (latency, no queueing). */
export const fetchLatency = (url: string, appid: string, amount: number): Promise<LoadResult> =>
  runLoad({ url, connections: 1, amount, request: () => ({ path: fetchPath(appid) }) })
