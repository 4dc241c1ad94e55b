/**
 * The client's options and how left-out ones are filled in: on Node from the variables the
 * reference ecosystem uses (DISCOVERY_NODES, DEPLOY_ENV, ZONE, REGION) and the machine's
 * hostname (PROTOCOL.md §7.1); elsewhere they must be given.
 */
import type { BackoffOptions } from './backoff.ts'
import { DiscoveryConfigError, type DiscoveryError } from './errors.ts'
import { parseNodes, type RegistryNode } from './nodes.ts'
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

/** Fill in defaults and check what cannot work. Throws DiscoveryConfigError. */
export function resolveOptions(options: DiscoveryClientOptions): ClientConfig {
  const nodes = options.nodes ?? environmentVariable('DISCOVERY_NODES')
  if (nodes === undefined) {
    throw new DiscoveryConfigError('no registry nodes: pass `nodes` or set DISCOVERY_NODES')
  }
  const seeds = parseNodes(nodes)
  if (seeds.length === 0) throw new DiscoveryConfigError('no registry nodes: `nodes` is empty')
  const env = options.env ?? environmentVariable('DEPLOY_ENV')
  if (!env) throw new DiscoveryConfigError('no env: pass `env` or set DEPLOY_ENV')
  const userFetch = options.fetch
  return {
    seeds,
    env,
    zone: options.zone ?? environmentVariable('ZONE') ?? '',
    region: options.region ?? environmentVariable('REGION') ?? '',
    hostname: options.hostname ?? machineHostname(),
    token: options.token,
    // Called unbound: Workers reject a fetch invoked as a method of another object.
    fetch: userFetch
      ? (url, init) => userFetch(url, init)
      : (url, init) => globalThis.fetch(url, init),
    transport: transportMode(options.transport),
    webSocket: options.webSocket,
    onError: guarded(options.onError ?? ((error) => console.warn(`discovery: ${error.message}`))),
    renewIntervalMs: positive('renewIntervalMs', options.renewIntervalMs ?? RENEW_INTERVAL_MS),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
    backoff: options.backoff ?? {},
    random: options.random ?? Math.random,
    timers: options.timers ?? systemTimers,
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
  throw new DiscoveryConfigError(
    `transport must be one of ${choices}, got ${JSON.stringify(value)}`
  )
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new DiscoveryConfigError(`${name} must be a positive number, got ${value}`)
  }
  return value
}
