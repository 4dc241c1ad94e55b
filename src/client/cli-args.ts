/**
 * The CLI's command line → what to do: the command with its checked arguments, and the client
 * options. Pure (the environment is passed in), so every usage error is unit-tested; a bad
 * command line throws UsageError, which the CLI answers with exit code 2.
 */
import { parseArgs } from 'node:util'
import { LIMITS } from '../protocol/limits.ts'
import { type InstanceStatus, STATUS_UP, STATUS_WAITING } from '../registry/model.ts'
import type { StatusFilter } from './client.ts'
import type { InstanceInput } from './registration.ts'
import { TRANSPORT_MODES, type TransportMode } from './transport-choice.ts'

/** A problem with the command line: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** One command with its arguments. */
export type CliCommand =
  | { name: 'help' }
  | { name: 'version' }
  | { name: 'apps' | 'nodes' }
  | { name: 'fetch'; appid: string; status: StatusFilter; zone: string | undefined }
  | { name: 'watch'; appids: string[] }
  | { name: 'register'; instance: InstanceInput }
  | { name: 'cancel'; appid: string; hostname: string }
  | {
      name: 'set'
      appid: string
      hostname: string
      status: InstanceStatus | undefined
      metadata: Record<string, string> | undefined
    }
  | { name: 'history'; appid: string; limit: number | undefined }

/** The client's options, from flags, else the environment, else the CLI's defaults. */
export interface CliClientOptions {
  nodes: string
  env: string
  /** Undefined: the SDK's default (ZONE), as for every SDK client. */
  zone: string | undefined
  region: string | undefined
  hostname: string | undefined
  token: string | undefined
  requestTimeoutMs: number
  renewIntervalMs: number
  transport: TransportMode | undefined
}

export interface CliInvocation {
  command: CliCommand
  client: CliClientOptions
  /** JSON output instead of tables. */
  json: boolean
  /** How long `register` may keep trying (the same as each request's deadline). */
  timeoutMs: number
}

/** The commands, in the order the help lists them. */
export const COMMANDS = [
  'apps',
  'fetch',
  'watch',
  'nodes',
  'register',
  'cancel',
  'set',
  'history',
] as const

const OPTIONS = {
  nodes: { type: 'string' },
  env: { type: 'string' },
  zone: { type: 'string' },
  region: { type: 'string' },
  hostname: { type: 'string' },
  token: { type: 'string' },
  timeout: { type: 'string' },
  transport: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  status: { type: 'string' },
  addr: { type: 'string', multiple: true },
  metadata: { type: 'string', multiple: true },
  'instance-version': { type: 'string' },
  waiting: { type: 'boolean' },
  'renew-interval': { type: 'string' },
  drain: { type: 'boolean' },
  undrain: { type: 'boolean' },
  weight: { type: 'string' },
  limit: { type: 'string' },
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values']

/** Options that mean something to one command only (or two): anywhere else they are an error. */
const COMMAND_OPTIONS: Partial<Record<keyof Values, readonly string[]>> = {
  status: ['fetch'],
  addr: ['register'],
  metadata: ['register', 'set'],
  'instance-version': ['register'],
  waiting: ['register'],
  'renew-interval': ['register'],
  drain: ['set'],
  undrain: ['set'],
  weight: ['set'],
  limit: ['history'],
}

/**
 * Read the command line. `env` answers environment variables (trimmed, blank = unset, as the
 * SDK reads them). Throws UsageError.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: (name: string) => string | undefined
): CliInvocation {
  const { values, positionals } = readArgs(argv)
  const [name = '', ...args] = positionals
  const client: CliClientOptions = {
    nodes: values.nodes ?? env('DISCOVERY_NODES') ?? '127.0.0.1:7171',
    env: values.env ?? env('DEPLOY_ENV') ?? 'dev',
    zone: values.zone,
    region: values.region,
    hostname: values.hostname,
    token: values.token ?? env('DISCOVERY_TOKEN'),
    requestTimeoutMs: seconds('timeout', values.timeout, 10) * 1000,
    renewIntervalMs: seconds('renew-interval', values['renew-interval'], 30) * 1000,
    transport: transportOf(values.transport),
  }
  const invocation = (command: CliCommand): CliInvocation => ({
    command,
    client,
    json: values.json === true,
    timeoutMs: client.requestTimeoutMs,
  })
  if (values.help || name === 'help') return invocation({ name: 'help' })
  if (values.version) {
    if (name !== '') {
      const hint = name === 'register' ? ' (the instance version is --instance-version V)' : ''
      throw new UsageError(`--version prints this tool's version and takes no command${hint}`)
    }
    return invocation({ name: 'version' })
  }
  if (name === '') throw new UsageError('no command given')
  if (!(COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}`)
  }
  for (const [option, commands] of Object.entries(COMMAND_OPTIONS)) {
    if (values[option as keyof Values] !== undefined && !commands.includes(name)) {
      throw new UsageError(`--${option} applies to ${commands.join(' and ')} only`)
    }
  }
  return invocation(command(name as (typeof COMMANDS)[number], args, values))
}

function command(name: (typeof COMMANDS)[number], args: string[], values: Values): CliCommand {
  switch (name) {
    case 'apps':
    case 'nodes':
      if (args.length > 0) throw new UsageError(`${name} takes no arguments, got ${args.join(' ')}`)
      return { name }
    case 'fetch':
      return { name, appid: one(args, name), status: statusOf(values.status), zone: values.zone }
    case 'watch':
      if (args.length === 0) throw new UsageError('watch: name at least one appid')
      return { name, appids: args }
    case 'register':
      return { name, instance: instanceOf(one(args, name), values) }
    case 'cancel':
      return { name, appid: one(args, name), hostname: hostnameOf(name, values) }
    case 'set':
      return { name, appid: one(args, name), hostname: hostnameOf(name, values), ...change(values) }
    case 'history':
      return { name, appid: one(args, name), limit: limitOf(values.limit) }
  }
}

function readArgs(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

function one(args: string[], what: string): string {
  if (args.length !== 1) {
    throw new UsageError(`${what}: expected exactly one appid, got ${args.length}`)
  }
  return args[0] as string
}

function seconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  // The SDK waits with timers, which cannot wait past 2^31-1 ms (about 24.8 days).
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n * 1000 > 2 ** 31 - 1) {
    const got = JSON.stringify(value)
    throw new UsageError(
      `--${name} must be a positive number of seconds (at most 24 days), got ${got}`
    )
  }
  return n
}

function transportOf(value: string | undefined): TransportMode | undefined {
  if (value === undefined || (TRANSPORT_MODES as readonly string[]).includes(value)) {
    return value as TransportMode | undefined
  }
  throw new UsageError(`--transport must be auto, session or http, got ${JSON.stringify(value)}`)
}

function statusOf(value: string | undefined): StatusFilter {
  if (value === undefined) return 'up'
  if (value === 'up' || value === 'waiting' || value === 'all') return value
  throw new UsageError(`--status must be up, waiting or all, got ${JSON.stringify(value)}`)
}

function hostnameOf(command: string, values: Values): string {
  if (values.hostname === undefined || values.hostname === '') {
    throw new UsageError(`${command}: say which instance with --hostname H`)
  }
  return values.hostname
}

function metadataOf(pairs: readonly string[] = []): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--metadata expects key=value, got ${JSON.stringify(pair)}`)
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}

function instanceOf(appid: string, values: Values): InstanceInput {
  const addrs = values.addr ?? []
  if (addrs.length === 0) {
    throw new UsageError('register: give at least one --addr (e.g. grpc://10.0.0.5:9000)')
  }
  const metadata = metadataOf(values.metadata)
  const version = values['instance-version']
  return {
    appid,
    addrs,
    ...(metadata ? { metadata } : {}),
    ...(version === undefined ? {} : { version }),
    status: values.waiting ? STATUS_WAITING : STATUS_UP,
  }
}

/** set's change: --drain / --undrain, and metadata from --weight and --metadata. */
function change(values: Values): {
  status: InstanceStatus | undefined
  metadata: Record<string, string> | undefined
} {
  if (values.drain && values.undrain) throw new UsageError('set: --drain or --undrain, not both')
  const status = values.drain ? STATUS_WAITING : values.undrain ? STATUS_UP : undefined
  let metadata = metadataOf(values.metadata)
  if (values.weight !== undefined) {
    if (!/^[1-9]\d{0,8}$/.test(values.weight)) {
      const why = 'pickers read 0 or anything else as the default 10; --drain stops traffic'
      throw new UsageError(
        `--weight must be a positive integer, got ${JSON.stringify(values.weight)} (${why})`
      )
    }
    metadata = { ...metadata, weight: values.weight }
  }
  if (status === undefined && metadata === undefined) {
    throw new UsageError(
      'set: say what to change: --drain, --undrain, --weight N or --metadata k=v'
    )
  }
  return { status, metadata }
}

function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(limit >= 1 && limit <= LIMITS.historyRows)) {
    const range = `an integer from 1 to ${LIMITS.historyRows}`
    throw new UsageError(`--limit must be ${range}, got ${JSON.stringify(value)}`)
  }
  return limit
}
