/**
 * Worker variables → a validated Config. A bad value throws a ConfigError whose message
 * names the variable; the worker module evaluates this at start-up, so it refuses to start.
 */

import { parseTokenKeys, type TokenKey } from '../auth/token.ts'

/** The raw variables (wrangler.toml [vars], overridable with --var). */
export interface ConfigVars {
  POLL_HOLD_SECONDS?: string
  EVICT_AFTER_SECONDS?: string
  RENEW_INTERVAL_SECONDS?: string
  SELF_PRESERVATION?: string
  ZONE?: string
  REGION?: string
  ENV?: string
  NODES?: string
  HOSTNAME?: string
  AUTH?: string
  TOKEN_KEYS?: string
  REVOKED_TOKENS?: string
  PUBLIC_READS?: string
  RATE_LIMIT_PER_TOKEN?: string
  RATE_LIMIT_PER_ADDRESS?: string
  CORS_ORIGINS?: string
  SESSION_GRACE_SECONDS?: string
  LOG_WAKES?: string
}

export interface Config {
  /** How long poll/polls hold before answering -304. */
  pollHoldMs: number
  /** Silence after which an instance is evicted. */
  evictAfterMs: number
  /** The renew interval clients use; sets the guard's window and the renew flush. */
  renewIntervalMs: number
  selfPreservation: boolean
  /** This registry's own identity, served by `nodes` and `infra.discovery`. */
  zone: string
  region: string
  env: string
  /** Public `host:port` addresses; empty = the address the request was sent to. */
  nodes: string[]
  /** Each node's hostname in infra.discovery, one per node in order; empty = its `host:port`. */
  hostnames: string[]
  auth: AuthConfig
  /** Browser origins allowed to call the registry (CORS_ORIGINS): `*`, a list, or none. */
  cors: CorsOrigins
  /** How long a closed session's instances wait to be taken back before eviction. */
  sessionGraceMs: number
  /** Log one line per object wake-up (LOG_WAKES=on): what the bench counts. */
  logWakes: boolean
}

export type CorsOrigins = '*' | ReadonlySet<string>

export interface AuthConfig {
  /** `tokens`: every request needs a valid token; `off`: nothing is checked (local runs). */
  mode: 'tokens' | 'off'
  /** Live signing keys (TOKEN_KEYS); two at once during a rotation. */
  keys: TokenKey[]
  /** Token ids refused although their signature holds (REVOKED_TOKENS). */
  revoked: Set<string>
  /** Whether fetch, fetchs, poll, polls and nodes work without a token. */
  publicReads: boolean
  /** Requests per 60 s allowed to one token / one client address; undefined = unlimited. */
  perTokenPerMinute: number | undefined
  perAddressPerMinute: number | undefined
}

/** A variable has a value the registry cannot run with. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

export const DEFAULTS = {
  POLL_HOLD_SECONDS: '30',
  EVICT_AFTER_SECONDS: '90',
  RENEW_INTERVAL_SECONDS: '30',
  SELF_PRESERVATION: 'true',
  ZONE: 'sh001',
  REGION: 'sh',
  ENV: 'dev',
  NODES: '',
  HOSTNAME: '',
  AUTH: 'tokens',
  TOKEN_KEYS: '',
  REVOKED_TOKENS: '',
  PUBLIC_READS: 'false',
  RATE_LIMIT_PER_TOKEN: '6000',
  RATE_LIMIT_PER_ADDRESS: '6000',
  CORS_ORIGINS: '',
  SESSION_GRACE_SECONDS: '10',
  LOG_WAKES: 'off',
} as const satisfies Required<ConfigVars>

const NODE = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/
const IDENTITY = /^[A-Za-z0-9._-]{1,64}$/
const HOSTNAME = /^[A-Za-z0-9._-]{1,255}$/

/** Parse and check every variable; throws ConfigError on the first bad one. */
export function parseConfig(vars: ConfigVars): Config {
  const get = (name: keyof ConfigVars) => (vars[name] ?? DEFAULTS[name]).trim()
  const config: Config = {
    pollHoldMs: seconds('POLL_HOLD_SECONDS', get('POLL_HOLD_SECONDS'), 3600),
    evictAfterMs: seconds('EVICT_AFTER_SECONDS', get('EVICT_AFTER_SECONDS'), 86_400),
    renewIntervalMs: seconds('RENEW_INTERVAL_SECONDS', get('RENEW_INTERVAL_SECONDS'), 86_400),
    selfPreservation: flag('SELF_PRESERVATION', get('SELF_PRESERVATION')),
    zone: identity('ZONE', get('ZONE')),
    region: identity('REGION', get('REGION')),
    env: identity('ENV', get('ENV')),
    nodes: nodes(get('NODES')),
    hostnames: hostnames(get('HOSTNAME')),
    auth: {
      mode: authMode(get('AUTH')),
      keys: tokenKeys(get('TOKEN_KEYS')),
      revoked: new Set(commaList(get('REVOKED_TOKENS'))),
      publicReads: flag('PUBLIC_READS', get('PUBLIC_READS')),
      perTokenPerMinute: perMinute('RATE_LIMIT_PER_TOKEN', get('RATE_LIMIT_PER_TOKEN')),
      perAddressPerMinute: perMinute('RATE_LIMIT_PER_ADDRESS', get('RATE_LIMIT_PER_ADDRESS')),
    },
    cors: corsOrigins(get('CORS_ORIGINS')),
    sessionGraceMs: seconds('SESSION_GRACE_SECONDS', get('SESSION_GRACE_SECONDS'), 3600),
    logWakes: onOff('LOG_WAKES', get('LOG_WAKES')),
  }
  if (config.evictAfterMs <= config.renewIntervalMs) {
    throw new ConfigError(
      `EVICT_AFTER_SECONDS (${config.evictAfterMs / 1000}) must be greater than RENEW_INTERVAL_SECONDS (${config.renewIntervalMs / 1000}), or live instances would be evicted between renews`
    )
  }
  // without NODES there is one node: the address the request was sent to
  const nodeCount = Math.max(config.nodes.length, 1)
  if (config.hostnames.length > 0 && config.hostnames.length !== nodeCount) {
    throw new ConfigError(
      `HOSTNAME must give one name per NODES address, in order (one name when NODES is empty), or be empty: HOSTNAME has ${config.hostnames.length}, NODES has ${config.nodes.length}`
    )
  }
  return config
}

/** A comma-separated variable's entries, trimmed, empty ones dropped. */
const commaList = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')

function seconds(name: string, value: string, max: number): number {
  const n = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > max) {
    throw new ConfigError(
      `${name} must be a number of seconds greater than 0 and at most ${max}, got ${JSON.stringify(value)}`
    )
  }
  return Math.round(n * 1000)
}

function onOff(name: string, value: string): boolean {
  if (value === 'on') return true
  if (value === 'off') return false
  throw new ConfigError(`${name} must be "on" or "off", got ${JSON.stringify(value)}`)
}

function flag(name: string, value: string): boolean {
  if (value === 'true') return true
  if (value === 'false') return false
  throw new ConfigError(`${name} must be "true" or "false", got ${JSON.stringify(value)}`)
}

function identity(name: string, value: string): string {
  if (!IDENTITY.test(value)) {
    throw new ConfigError(
      `${name} must be 1-64 characters of letters, digits, '.', '_' or '-', got ${JSON.stringify(value)}`
    )
  }
  return value
}

function nodes(value: string): string[] {
  const list = commaList(value)
  for (const node of list) {
    const port = Number(node.slice(node.lastIndexOf(':') + 1))
    if (!NODE.test(node) || port < 1 || port > 65_535)
      throw new ConfigError(
        `NODES must be comma-separated host:port addresses, got ${JSON.stringify(node)}`
      )
  }
  return list
}

function hostnames(value: string): string[] {
  const list = commaList(value)
  for (const hostname of list) {
    if (!HOSTNAME.test(hostname)) {
      throw new ConfigError(
        `HOSTNAME must be comma-separated names of 1-255 letters, digits, '.', '_' or '-', got ${JSON.stringify(hostname)}`
      )
    }
  }
  return list
}

function perMinute(name: string, value: string): number | undefined {
  if (value === 'off') return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > 1_000_000_000) {
    throw new ConfigError(
      `${name} must be a number of requests per 60 s (1 or more) or "off", got ${JSON.stringify(value)}`
    )
  }
  return n
}

/** `*`, or comma-separated origins written exactly as browsers send them (`https://app.example`). */
function corsOrigins(value: string): CorsOrigins {
  if (value === '*') return '*'
  const list = commaList(value)
  for (const origin of list) {
    if (!isOrigin(origin)) {
      throw new ConfigError(
        `CORS_ORIGINS must be "*" or comma-separated origins like https://app.example (scheme, host, optional port; no path), got ${JSON.stringify(origin)}`
      )
    }
  }
  return new Set(list)
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value
  } catch {
    return false
  }
}

function authMode(value: string): 'tokens' | 'off' {
  if (value === 'tokens' || value === 'off') return value
  throw new ConfigError(`AUTH must be "tokens" or "off", got ${JSON.stringify(value)}`)
}

function tokenKeys(value: string): TokenKey[] {
  try {
    return parseTokenKeys(value)
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error))
  }
}
