/**
 * Start the built worker (dist/, from `npm run build`) with Miniflare on loopback, the way the
 * end-to-end tests and the benchmark talk to it: real workerd, real SQLite, real alarms.
 * Configuration comes from wrangler.toml; `vars` override its [vars] like `--var` does.
 * Kept under scripts/shared so that the tests and the benchmark share it with no scripts → test import.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface LocalRegistryOptions {
  /** Variables to override (strings, as wrangler passes them). */
  vars?: Record<string, string>
  /**
   * Directory for state, laid out as wrangler dev lays out its `--persist-to` (so `npm start`
   * and `npm run dev` share `.wrangler/state`); omitted = in memory, gone on stop.
   */
  persistDir?: string
  /** Address to listen on; default 127.0.0.1. */
  ip?: string
  /** Port to listen on; 0 (default) = any free port. */
  port?: number
  /** The bundled worker; default dist/index.js. */
  scriptPath?: string
  /** Rate limits per binding (requests per 60 s); default: wrangler.toml's. */
  ratelimits?: Record<string, number>
  /**
   * Serve the Worker on its own socket, not behind Miniflare's entry worker (a local-only
   * layer that copies every request and response): about a quarter less CPU per request, but
   * the Worker is then told no client address (no CF-Connecting-IP). Default false.
   */
  bypassEntryWorker?: boolean
}

export interface LocalRegistry {
  /** e.g. http://127.0.0.1:43121 */
  url: string
  /** host:port */
  host: string
  stop(): Promise<void>
}

/** The settings of wrangler.toml that Miniflare needs (a tiny reader for this one file). */
export function readWranglerToml(): {
  name: string
  compatibilityDate: string
  compatibilityFlags: string[]
  vars: Record<string, string>
  ratelimits: Record<string, number>
  /** `[dev]`'s address and port (what wrangler dev and npm start listen on). */
  dev: { ip: string; port: string }
} {
  const text = readFileSync(`${ROOT}wrangler.toml`, 'utf8')
  const name = /^name\s*=\s*"([^"]+)"/m.exec(text)?.[1] ?? ''
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(text)?.[1] ?? ''
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1] ?? ''
  const section = (title: string) =>
    text.split(new RegExp(`^\\[${title}\\]\\s*$`, 'm'))[1]?.split(/^\[/m)[0] ?? ''
  const varsSection = section('vars')
  const devSection = section('dev')
  const vars = Object.fromEntries(
    [...varsSection.matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]])
  )
  const ratelimits = Object.fromEntries(
    [...text.matchAll(/^\[\[ratelimits\]\]\s*\nname\s*=\s*"(\w+)"[\s\S]*?limit\s*=\s*(\d+)/gm)].map(
      (m) => [m[1], Number(m[2])]
    )
  )
  return {
    name,
    compatibilityDate,
    compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? ''),
    vars,
    ratelimits,
    dev: {
      ip: /^ip\s*=\s*"([^"]+)"/m.exec(devSection)?.[1] ?? '127.0.0.1',
      port: /^port\s*=\s*(\d+)/m.exec(devSection)?.[1] ?? '8787',
    },
  }
}

/** Start the built worker on loopback; stop() disposes workerd (and in-memory state). */
export async function startRegistry(options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const toml = readWranglerToml()
  const listen = { host: options.ip ?? '127.0.0.1', port: options.port ?? 0 }
  const mf = new Miniflare({
    // bypassed, the entry worker still listens, on a free loopback port nobody is told
    ...(options.bypassEntryWorker
      ? { host: '127.0.0.1', port: 0, unsafeDirectSockets: [listen] }
      : listen),
    // the name keys the objects' state files, as under wrangler dev
    name: toml.name,
    modules: true,
    scriptPath: options.scriptPath ?? `${ROOT}dist/index.js`,
    compatibilityDate: toml.compatibilityDate,
    compatibilityFlags: toml.compatibilityFlags,
    durableObjects: {
      REGISTRY: { className: 'RegistryObject', useSQLite: true },
      CATALOG: { className: 'CatalogObject', useSQLite: true },
    },
    // AUTH=off unless asked, as `npm start` does: local runs need no configuration
    bindings: { ...toml.vars, AUTH: 'off', ...options.vars },
    ratelimits: Object.fromEntries(
      Object.entries({ ...toml.ratelimits, ...options.ratelimits }).map(([name, limit]) => [
        name,
        { simple: { limit, period: 60 } },
      ])
    ),
    ...(options.persistDir
      ? { defaultPersistRoot: join(options.persistDir, 'v3'), durableObjectsPersist: true }
      : { durableObjectsPersist: false }),
  })
  const ready = await mf.ready
  const served = options.bypassEntryWorker ? await mf.unsafeGetDirectURL() : ready
  return { url: served.origin, host: served.host, stop: () => mf.dispose() }
}
