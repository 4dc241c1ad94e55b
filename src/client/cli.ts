#!/usr/bin/env node
/**
 * `edge-discovery`: the registry from a terminal, built on the SDK. Lists apps, fetches or
 * watches one, registers an instance until Ctrl-C, cancels or changes any instance, reads an
 * app's history, shows the registry's nodes. Results go to standard output, problems to standard
 * error; exit codes: 0 done, 1 the registry failed, refused or could not be reached, 2 bad usage,
 * 3 not found. Node only. The command line is read by cli-args.ts, the help is cli-usage.ts.
 */
import { createRequire } from 'node:module'
import { STATUS_WAITING } from '../registry/model.ts'
import { allInstances } from './app-snapshot.ts'
import { type CliCommand, type CliInvocation, parseCommandLine, UsageError } from './cli-args.ts'
import {
  appsTable,
  historyTable,
  instancesTable,
  json,
  metadataText,
  nodesTable,
} from './cli-format.ts'
import { scopeOf, USAGE } from './cli-usage.ts'
import { createDiscoveryClient, type DiscoveryClient } from './client.ts'
import {
  DiscoveryConfigError,
  DiscoveryHttpError,
  DiscoveryNotFoundError,
  DiscoveryTimeoutError,
} from './errors.ts'
import type { InstanceInput } from './registration.ts'
import { environmentVariable } from './runtime-env.ts'

const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3 } as const

const out = (text: string) => process.stdout.write(`${text}\n`)
const warn = (text: string) => process.stderr.write(`edge-discovery: ${text}\n`)

/**
 * The SDK package's version, found by its name: the package's self-reference once built or
 * installed (dist/client/cli.js), the workspace link (node_modules/edge-discovery-client) when
 * run from src/ with tsx; a relative path would reach the server's package.json from src/.
 */
function toolVersion(): string {
  const require = createRequire(import.meta.url)
  return (require('edge-discovery-client/package.json') as { version: string }).version
}

/** Resolves on the first SIGINT or SIGTERM (a second one then ends the process as usual). */
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

async function run({ command, client: options, json: asJson, timeoutMs }: CliInvocation) {
  if (command.name === 'help') {
    out(USAGE)
    return EXIT.ok
  }
  if (command.name === 'version') {
    out(toolVersion())
    return EXIT.ok
  }
  const client = createDiscoveryClient({
    ...options,
    onError: (error) => warn(`warning: ${error.message}`),
  })
  try {
    const timeouts = { timeoutMs, renewIntervalMs: options.renewIntervalMs }
    return await runCommand(client, command, asJson, timeouts)
  } finally {
    await client.close()
  }
}

async function runCommand(
  client: DiscoveryClient,
  command: Exclude<CliCommand, { name: 'help' | 'version' }>,
  asJson: boolean,
  timeouts: { timeoutMs: number; renewIntervalMs: number }
): Promise<number> {
  const show = <T>(value: T, asText: (value: T) => string) => {
    out(asJson ? json(value) : asText(value))
    return EXIT.ok
  }
  switch (command.name) {
    case 'apps':
      return show(await client.fetchAll(), appsTable)
    case 'nodes':
      return show(await client.nodes(), nodesTable)
    case 'fetch': {
      const { appid, status, zone } = command
      try {
        return show(await client.fetch(appid, { status, zone }), (s) =>
          instancesTable(allInstances(s))
        )
      } catch (error) {
        if (!(error instanceof DiscoveryNotFoundError)) throw error
        const where = zone ? `env ${client.env}, zone ${zone}` : `env ${client.env}`
        warn(`fetch ${appid}: not found (no instance in ${where})`)
        return EXIT.notFound
      }
    }
    case 'history':
      return show(await client.history(command.appid, { limit: command.limit }), historyTable)
    case 'watch':
      return watch(client, command.appids, asJson)
    case 'register':
      return register(client, command.instance, timeouts)
    case 'cancel':
    case 'set': {
      const { name, appid, hostname } = command
      const what = `${appid} ${hostname} (zone ${zoneOf(client, name)}, env ${client.env})`
      try {
        if (name === 'cancel') await client.cancel(appid, { hostname })
        else
          await client.set(appid, { hostname, status: command.status, metadata: command.metadata })
      } catch (error) {
        if (!(error instanceof DiscoveryNotFoundError)) throw error
        warn(`${name} ${what}: not found`)
        return EXIT.notFound
      }
      out(name === 'cancel' ? `cancelled ${what}` : `set ${what}: ${changeText(command)}`)
      return EXIT.ok
    }
  }
}

/** The zone a write goes to: --zone, else ZONE (the SDK's default); a usage error without. */
function zoneOf(client: DiscoveryClient, command: string): string {
  if (!client.zone) throw new UsageError(`${command}: no zone: pass --zone Z or set ZONE`)
  return client.zone
}

function changeText(change: Extract<CliCommand, { name: 'set' }>): string {
  const parts = []
  if (change.status !== undefined) {
    parts.push(change.status === STATUS_WAITING ? 'drained (WAITING)' : 'undrained (UP)')
  }
  if (change.metadata) parts.push(`metadata ${metadataText(change.metadata)}`)
  return parts.join(', ')
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
  instance: InstanceInput,
  { timeoutMs, renewIntervalMs }: { timeoutMs: number; renewIntervalMs: number }
): Promise<number> {
  zoneOf(client, 'register')
  const stop = interrupted()
  const interrupt = new AbortController()
  void stop.then(() => interrupt.abort())
  const { appid } = instance
  let registration: Awaited<ReturnType<DiscoveryClient['register']>>
  try {
    registration = await client.register(instance, { signal: interrupt.signal, timeoutMs })
  } catch (error) {
    if (interrupt.signal.aborted) {
      warn(`interrupted before ${appid} was registered`)
      return EXIT.failed
    }
    if (!(error instanceof DiscoveryTimeoutError)) throw error
    const why = error.cause instanceof Error ? error.cause.message : 'no answer'
    warn(`could not register ${appid} within ${timeoutMs / 1000} s: ${why}`)
    return EXIT.failed
  }
  const { hostname, zone, env, transport } = registration
  const what = `${appid} as ${hostname} (zone ${zone}, env ${env})`
  const renew = `renewing every ${renewIntervalMs / 1000} s`
  const kept = transport === 'session' ? 'kept alive by a session' : renew
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

/** What to do about a refusal: which scope the command needs, or that a token is needed. */
function refusalHint(error: unknown, invocation: CliInvocation | undefined): string | undefined {
  if (!(error instanceof DiscoveryHttpError) || !invocation) return undefined
  const { command, client } = invocation
  if (command.name === 'help' || command.name === 'version') return undefined
  if (error.status === 401 && client.token === undefined) {
    return 'the registry checks tokens: pass --token or set DISCOVERY_TOKEN'
  }
  if (error.status !== 403) return undefined
  const scope = scopeOf(command.name)
  const on = 'appid' in command ? ` on ${command.appid}` : ''
  const listing = command.name === 'apps' ? ' (listing every app is for admins)' : ''
  return `${command.name} needs a token with the ${scope} scope${on} in env ${client.env}${listing}`
}

async function main(): Promise<void> {
  let invocation: CliInvocation | undefined
  try {
    invocation = parseCommandLine(process.argv.slice(2), environmentVariable)
    process.exitCode = await run(invocation)
  } catch (error) {
    const code = exitCodeOf(error)
    warn(error instanceof Error ? error.message : String(error))
    const hint = refusalHint(error, invocation)
    if (hint) warn(hint)
    if (code === EXIT.usage) process.stderr.write('run edge-discovery --help for usage\n')
    process.exitCode = code
  }
}

await main()
