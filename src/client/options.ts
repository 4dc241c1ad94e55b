/**
 * The client's options and how left-out ones are filled in: on Node from the variables the
 * reference ecosystem uses (DISCOVERY_NODES, DEPLOY_ENV, ZONE, REGION) and the machine's
 * hostname (docs/protocol.md); elsewhere they must be given.
 */
import type { BackoffOptions } from './backoff.ts'
import { DiscoveryConfigError, type DiscoveryError } from './errors.ts'
import { parseNodes, type RegistryNode } from './nodes.ts'
import { checkDelayMs, checkFunction, checkObject, checkString, shown } from './option-checks.ts'
import { environmentVariable, machineHostname } from './runtime-env.ts'
import type { WebSocketConstructor } from './session-socket.ts'
import { systemTimers, type Timers } from './timers.ts'
import type { FetchLike } from './transport.ts'
import { TRANSPORT_MODES, type TransportMode } from './transport-choice.ts'

/** Options of `createDiscoveryClient`. */
export interface DiscoveryClientOptions {
  /** Registry addresses (`host:port` or URLs), list or comma-separated. Default DISCOVERY_NODES. */
  nodes?: string | readonly string[]
  /** Deployment environment (`dev`, `prod`…). Default: DEPLOY_ENV. */
  env?: string
  /** This client's zone: registrations go there, pickers prefer it. Default: ZONE. */
  zone?: string
  /** Region written on registrations. Default: REGION, else empty. */
  region?: string
  /** This machine's name: instance hostname and poller identity. Default: os.hostname(). */
  hostname?: string
  /** Sent as `Authorization: Bearer <token>` on every request. */
  token?: string
  /** The fetch to use. Default: the platform's. */
  fetch?: FetchLike
  /**
   * `auto` (default): one session (a WebSocket) per app where the registry offers sessions, renews
   * and long polls where it does not; `session`: sessions only; `http`: renews and long polls only.
   */
  transport?: TransportMode
  /**
   * The WebSocket class for sessions. Default: the platform's (browsers, Workers, Node ≥ 22), else
   * the `ws` package when installed (Node 20).
   */
  webSocket?: WebSocketConstructor
  /** Told of each background failure (renew, re-register, poll, failover). Default console.warn. */
  onError?: (error: DiscoveryError) => void
  /** How often registrations renew. Default 30 000 ms, as the Go SDK. */
  renewIntervalMs?: number
  /** Deadline of a non-polling request. Default 10 000 ms. */
  requestTimeoutMs?: number
  /** Retry delays after failures. Default 1 s doubling to 30 s, jittered. */
  backoff?: BackoffOptions
  /** Random source in [0, 1) for node order and jitter. Default Math.random. */
  random?: () => number
  /** Timer functions. Default: the platform's. */
  timers?: Timers
}

/** Options with defaults applied. */
export interface ClientConfig {
  seeds: RegistryNode[]
  env: string
  zone: string
  region: string
  /** Undefined outside Node when not given: registering then needs a hostname per instance. */
  hostname: string | undefined
  token: string | undefined
  fetch: FetchLike
  transport: TransportMode
  webSocket: WebSocketConstructor | undefined
  onError: (error: DiscoveryError) => void
  renewIntervalMs: number
  requestTimeoutMs: number
  backoff: BackoffOptions
  random: () => number
  timers: Timers
}

const RENEW_INTERVAL_MS = 30_000
const REQUEST_TIMEOUT_MS = 10_000

/** Fill in defaults and check what cannot work. Throws DiscoveryConfigError naming the option. */
export function resolveOptions(options: DiscoveryClientOptions): ClientConfig {
  checkObject('createDiscoveryClient options', options)
  const nodes = options.nodes ?? environmentVariable('DISCOVERY_NODES')
  if (nodes === undefined) {
    throw new DiscoveryConfigError('no registry nodes: pass `nodes` or set DISCOVERY_NODES')
  }
  const seeds = parseNodes(nodes, options.nodes === undefined ? 'DISCOVERY_NODES' : 'nodes')
  if (seeds.length === 0) throw new DiscoveryConfigError('no registry nodes: `nodes` is empty')
  const env = options.env ?? environmentVariable('DEPLOY_ENV')
  if (env === undefined || env === '') {
    throw new DiscoveryConfigError('no env: pass `env` or set DEPLOY_ENV')
  }
  checkString('env', env)
  const identity = {
    zone: options.zone ?? environmentVariable('ZONE') ?? '',
    region: options.region ?? environmentVariable('REGION') ?? '',
    hostname: options.hostname ?? machineHostname(),
  }
  for (const [name, value] of Object.entries(identity)) {
    if (value !== undefined) checkString(name, value, { empty: true })
  }
  const userFetch = options.fetch
  for (const name of ['fetch', 'webSocket', 'onError', 'random'] as const) {
    if (options[name] !== undefined) checkFunction(name, options[name])
  }
  return {
    seeds,
    env,
    ...identity,
    token: token(options.token),
    // Called unbound: Workers reject a fetch invoked as a method of another object.
    fetch: userFetch
      ? (url, init) => userFetch(url, init)
      : (url, init) => globalThis.fetch(url, init),
    transport: transportMode(options.transport),
    webSocket: options.webSocket,
    onError: guarded(options.onError ?? ((error) => console.warn(`discovery: ${error.message}`))),
    renewIntervalMs: delay('renewIntervalMs', options.renewIntervalMs, RENEW_INTERVAL_MS),
    requestTimeoutMs: delay('requestTimeoutMs', options.requestTimeoutMs, REQUEST_TIMEOUT_MS),
    backoff: backoff(options.backoff),
    random: options.random ?? Math.random,
    timers: timers(options.timers),
  }
}

/** A throwing `onError` must not break the loop that reported to it. */
function guarded(onError: (error: DiscoveryError) => void): (error: DiscoveryError) => void {
  return (error) => {
    try {
      onError(error)
    } catch {
      // the application's handler failed; the loops must keep running regardless
    }
  }
}

function transportMode(value: TransportMode | undefined): TransportMode {
  if (value === undefined) return 'auto'
  if (TRANSPORT_MODES.includes(value)) return value
  const choices = TRANSPORT_MODES.join(', ')
  throw new DiscoveryConfigError(`transport must be one of ${choices}, got ${shown(value)}`)
}

function delay(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  checkDelayMs(name, value)
  return value
}

/**
 * A token goes into a header and a WebSocket subprotocol, which take visible ASCII only; a
 * token read from a file often ends with a newline.
 */
function token(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  checkString('token', value)
  if (!/^[\x21-\x7e]+$/.test(value)) {
    const why = 'must be visible ASCII without spaces (a trailing newline?)'
    throw new DiscoveryConfigError(`token ${why}`)
  }
  return value
}

function backoff(value: BackoffOptions | undefined): BackoffOptions {
  if (value === undefined) return {}
  checkObject('backoff', value)
  const { initialMs, maxMs } = value
  if (initialMs !== undefined) checkDelayMs('backoff.initialMs', initialMs)
  if (maxMs !== undefined) checkDelayMs('backoff.maxMs', maxMs)
  return value
}

function timers(value: Timers | undefined): Timers {
  if (value === undefined) return systemTimers
  checkObject('timers', value)
  checkFunction('timers.setTimeout', value.setTimeout)
  checkFunction('timers.clearTimeout', value.clearTimeout)
  return value
}
