#!/usr/bin/env node
/**
 * `edge-discovery`: the registry from a terminal, built on the SDK. Lists apps, fetches or
 * watches one, registers an instance until Ctrl-C, shows the registry's nodes. Results go to
 * standard output, problems to standard error; exit codes: 0 done, 1 the registry failed or
 * could not be reached, 2 bad usage, 3 not found. Node only.
 */
import { parseArgs } from 'node:util'
import { STATUS_UP, STATUS_WAITING } from '../registry/model.ts'
import { allInstances } from './app-snapshot.ts'
import { appsTable, instancesTable, json, nodesTable } from './cli-format.ts'
import { createDiscoveryClient, type DiscoveryClient, type StatusFilter } from './client.ts'
import { DiscoveryConfigError, type DiscoveryError, DiscoveryNotFoundError } from './errors.ts'
import type { InstanceInput, Registration } from './registration.ts'
import { environmentVariable } from './runtime-env.ts'
import { TRANSPORT_MODES, type TransportMode } from './transport-choice.ts'

const USAGE = `usage: edge-discovery <command> [options]

commands:
  apps                          every app and env, with instance counts (fetch/all)
  fetch <appid>                 one app's instances [--status up|waiting|all] [--zone Z]
  watch <appid>...              print each change of the apps until Ctrl-C
  register <appid> --addr URL   register an instance, keep it renewed until Ctrl-C, then cancel
                                [--addr URL]... [--metadata k=v]... [--version V] [--waiting]
                                [--renew-interval SECONDS]
  nodes                         the registry's nodes

options (defaults from the environment):
  --nodes A,B        registry addresses, host:port or URLs (DISCOVERY_NODES; else 127.0.0.1:7171)
  --env ENV          environment (DEPLOY_ENV; else dev)
  --zone ZONE        zone to register in; for fetch, the only zone to show (ZONE)
  --region REGION    region to register in (REGION)
  --hostname NAME    instance hostname (os.hostname())
  --token TOKEN      bearer token (DISCOVERY_TOKEN)
  --timeout SECONDS  per-request deadline, and how long register may try (default 10)
  --transport T      auto (default): a session per app where the registry offers them, else
                     renews and long polls; session: sessions only; http: no sessions
  --json             JSON output (watch: one object per line)
  -h, --help         this text

exit codes: 0 done, 1 registry error or unreachable, 2 usage, 3 not found`

/** A problem with the command line: exit code 2. */
class UsageError extends Error {}

const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3 } as const

interface Parsed {
  command: string
  args: string[]
  values: {
    nodes?: string
    env?: string
    zone?: string
    region?: string
    hostname?: string
    token?: string
    timeout?: string
    transport?: string
    json?: boolean
    help?: boolean
    status?: string
    addr?: string[]
    metadata?: string[]
    version?: string
    waiting?: boolean
    'renew-interval'?: string
  }
}

function parse(argv: string[]): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
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
        status: { type: 'string' },
        addr: { type: 'string', multiple: true },
        metadata: { type: 'string', multiple: true },
        version: { type: 'string' },
        waiting: { type: 'boolean' },
        'renew-interval': { type: 'string' },
      },
    })
    const [command = '', ...args] = positionals
    return { command, args, values }
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

function seconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) {
    const got = JSON.stringify(value)
    throw new UsageError(`--${name} must be a positive number of seconds, got ${got}`)
  }
  return n
}

function transportOf(value: string | undefined): TransportMode | undefined {
  if (value === undefined || (TRANSPORT_MODES as readonly string[]).includes(value)) {
    return value as TransportMode | undefined
  }
  throw new UsageError(`--transport must be auto, session or http, got ${JSON.stringify(value)}`)
}

function one(args: string[], what: string): string {
  if (args.length !== 1) {
    throw new UsageError(`${what}: expected exactly one appid, got ${args.length}`)
  }
  return args[0] as string
}

function metadataOf(pairs: string[] = []): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--metadata expects key=value, got ${JSON.stringify(pair)}`)
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}

const out = (text: string) => process.stdout.write(`${text}\n`)
const warn = (text: string) => process.stderr.write(`edge-discovery: ${text}\n`)

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

async function run(parsed: Parsed): Promise<number> {
  const { command, args, values } = parsed
  if (values.help || command === '' || command === 'help') {
    out(USAGE)
    return command === '' && !values.help ? EXIT.usage : EXIT.ok
  }
  if (!['apps', 'fetch', 'watch', 'register', 'nodes'].includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}`)
  }
  const timeoutMs = seconds('timeout', values.timeout, 10) * 1000
  const renewIntervalMs = seconds('renew-interval', values['renew-interval'], 30) * 1000
  const transport = transportOf(values.transport)
  let lastProblem: DiscoveryError | undefined
  const client = createDiscoveryClient({
    // read as the SDK reads them: trimmed, and blank counts as unset
    nodes: values.nodes ?? environmentVariable('DISCOVERY_NODES') ?? '127.0.0.1:7171',
    env: values.env ?? environmentVariable('DEPLOY_ENV') ?? 'dev',
    zone: values.zone,
    region: values.region,
    hostname: values.hostname,
    token: values.token ?? environmentVariable('DISCOVERY_TOKEN'),
    requestTimeoutMs: timeoutMs,
    renewIntervalMs,
    transport,
    onError: (error) => {
      lastProblem = error
      warn(`warning: ${error.message}`)
    },
  })
  try {
    switch (command) {
      case 'apps': {
        const all = await client.fetchAll()
        out(values.json ? json(all) : appsTable(all))
        return EXIT.ok
      }
      case 'fetch': {
        const appid = one(args, 'fetch')
        const status = (values.status ?? 'up') as StatusFilter
        if (!['up', 'waiting', 'all'].includes(status)) {
          throw new UsageError(`--status must be up, waiting or all, got ${JSON.stringify(status)}`)
        }
        try {
          const snapshot = await client.fetch(appid, { status, zone: values.zone })
          out(values.json ? json(snapshot) : instancesTable(allInstances(snapshot)))
          return EXIT.ok
        } catch (error) {
          if (!(error instanceof DiscoveryNotFoundError)) throw error
          const where = values.zone ? `env ${client.env}, zone ${values.zone}` : `env ${client.env}`
          warn(`fetch ${appid}: not found (no instance in ${where})`)
          return EXIT.notFound
        }
      }
      case 'nodes': {
        const nodes = await client.nodes()
        out(values.json ? json(nodes) : nodesTable(nodes))
        return EXIT.ok
      }
      case 'watch':
        if (args.length === 0) throw new UsageError('watch: name at least one appid')
        return await watch(client, args, values.json === true)
      case 'register':
        return await register(client, one(args, 'register'), values, timeoutMs, () => lastProblem)
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`)
    }
  } finally {
    await client.close()
  }
}

async function watch(client: DiscoveryClient, appids: string[], asJson: boolean): Promise<number> {
  const stop = new AbortController()
  void interrupted().then(() => stop.abort())
  if (!asJson) {
    process.stderr.write(`watching ${appids.join(', ')} (env ${client.env}); Ctrl-C to stop\n`)
  }
  for await (const snapshot of client.watch(appids, { signal: stop.signal })) {
    if (asJson) {
      out(json(snapshot))
      continue
    }
    const instances = allInstances(snapshot)
    const count = `${instances.length} UP instance${instances.length === 1 ? '' : 's'}`
    out(`${new Date().toISOString()}  ${snapshot.appid}: ${count}`)
    if (instances.length > 0) out(instancesTable(instances))
  }
  return EXIT.ok
}

async function register(
  client: DiscoveryClient,
  appid: string,
  values: Parsed['values'],
  timeoutMs: number,
  lastProblem: () => DiscoveryError | undefined
): Promise<number> {
  const addrs = values.addr ?? []
  if (addrs.length === 0) {
    throw new UsageError('register: give at least one --addr (e.g. grpc://10.0.0.5:9000)')
  }
  const instance: InstanceInput = {
    appid,
    addrs,
    metadata: metadataOf(values.metadata),
    version: values.version,
    status: values.waiting ? STATUS_WAITING : STATUS_UP,
  }
  const stop = interrupted()
  const interrupt = new AbortController()
  void stop.then(() => interrupt.abort())
  const deadline = AbortSignal.timeout(timeoutMs)
  let registration: Registration
  try {
    const signal = AbortSignal.any([deadline, interrupt.signal])
    registration = await client.register(instance, { signal })
  } catch (error) {
    if (interrupt.signal.aborted) {
      warn(`interrupted before ${appid} was registered`)
      return EXIT.failed
    }
    if (!deadline.aborted) throw error
    const why = lastProblem()?.message ?? 'no answer'
    warn(`could not register ${appid} within ${timeoutMs / 1000} s: ${why}`)
    return EXIT.failed
  }
  const { hostname, zone, env } = registration
  const what = `${appid} as ${hostname} (zone ${zone}, env ${env})`
  const kept =
    registration.transport === 'session'
      ? 'kept alive by a session'
      : `renewing every ${values['renew-interval'] ?? '30'} s`
  out(`registered ${what}; ${kept}, Ctrl-C to cancel`)
  await stop
  await registration.cancel()
  out(`cancelled ${what}`)
  return EXIT.ok
}

function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof DiscoveryConfigError) return EXIT.usage
  if (error instanceof DiscoveryNotFoundError) return EXIT.notFound
  return EXIT.failed
}

async function main(): Promise<void> {
  try {
    process.exitCode = await run(parse(process.argv.slice(2)))
  } catch (error) {
    const code = exitCodeOf(error)
    warn(error instanceof Error ? error.message : String(error))
    if (code === EXIT.usage) process.stderr.write('run edge-discovery --help for usage\n')
    process.exitCode = code
  }
}

await main()
