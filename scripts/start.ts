/**
 * `npm start [-- --port N] [--ip ADDR] [--var NAME:VALUE]… [--persist-to DIR]`: the registry
 * on this machine. Bundles the worker (dist/) and serves it with Miniflare directly: one
 * workerd with real SQLite and alarms, state kept under .wrangler/state, auth off. Unlike
 * `wrangler dev` (`npm run dev`, which reloads on edits), no proxy stands between clients and
 * the worker, so a held poll is not delayed by it and a broken-off request body is answered
 * by the registry (docs/development.md, "wrangler dev under load"); and mostly not Miniflare's
 * entry worker either (bypassesEntryWorker).
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from './shared/build-worker.ts'
import { type LocalRegistry, readWranglerToml, startRegistry } from './shared/local-registry.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

const USAGE = `npm start -- [--port 7171] [--ip 127.0.0.1] [--var NAME:VALUE]... [--persist-to .wrangler/state]

Serves the registry locally with auth off (AUTH:off unless a --var sets it); port and address
default to wrangler.toml's [dev], as under npm run dev. Variables come from wrangler.toml's
[vars], then .dev.vars (NAME=value lines), then each --var.`

/** `NAME=value` lines (optionally quoted values; # comments), as wrangler reads .dev.vars. */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][\w]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (!match || line.trimStart().startsWith('#')) continue
    const [, name = '', raw = ''] = match
    vars[name] = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw
  }
  return vars
}

/** `NAME:VALUE` (split at the first colon, as wrangler's --var). */
export function parseVar(text: string): [string, string] {
  const at = text.indexOf(':')
  if (at <= 0) throw new Error(`--var must be NAME:VALUE, got ${JSON.stringify(text)}`)
  return [text.slice(0, at), text.slice(at + 1)]
}

/**
 * Whether to serve the Worker without Miniflare's entry worker (startRegistry's
 * `bypassEntryWorker`, a quarter less CPU per request): always, but when auth is on and
 * clients may come from other machines. Only then do the per-address limits need each
 * client's address, and only the entry worker tells the Worker that.
 */
export function bypassesEntryWorker(ip: string, auth: string | undefined): boolean {
  const loopback = ip === 'localhost' || ip === '::1' || /^127\./.test(ip)
  return auth === 'off' || loopback
}

async function main(): Promise<void> {
  const { dev } = readWranglerToml()
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: dev.port },
      ip: { type: 'string', default: dev.ip },
      var: { type: 'string', multiple: true, default: [] },
      'persist-to': { type: 'string', default: `${ROOT}.wrangler/state` },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${JSON.stringify(values.port)}`)
  const devVars = existsSync(`${ROOT}.dev.vars`)
    ? parseDevVars(readFileSync(`${ROOT}.dev.vars`, 'utf8'))
    : {}
  const vars = { AUTH: 'off', ...devVars, ...Object.fromEntries(values.var.map(parseVar)) }
  const scriptPath = await build('.wrangler/start')
  let registry: LocalRegistry
  try {
    registry = await startRegistry({
      scriptPath,
      ip: values.ip,
      port,
      vars,
      persistDir: values['persist-to'],
      bypassEntryWorker: bypassesEntryWorker(values.ip, vars.AUTH),
    })
  } catch (error) {
    // the worker's own message (a bad variable, say) is on stderr above this line
    console.error(`The registry did not start: ${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
  console.log(`Ready on ${registry.url} (auth ${vars.AUTH}, state in ${values['persist-to']})`)
  const stop = () => void registry.stop().finally(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(2)
  })
}
