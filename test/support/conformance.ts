/**
 * What the conformance files (the checklist in docs/protocol.md) share: one registry per file with a client that
 * speaks to it, fresh appids, and the exact envelopes the files compare answers with.
 */
import { afterAll, beforeAll } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { appids, Discovery } from './discovery-client.ts'

/** The bare success envelope (register, cancel, set). */
export const OK = '{"code":0,"message":"0","ttl":1}'
/** A fetch or renew of an unknown appid: -404 with data null. */
export const FETCH_404 = '{"code":-404,"message":"-404","ttl":1,"data":null}'
/** A held poll or polls that saw no change. */
export const NOT_MODIFIED = '{"code":-304,"message":"-304","ttl":1}'

/**
 * One registry for the calling test file: started in its beforeAll (`vars` override
 * wrangler.toml's) and stopped in its afterAll. Call it at the top level of the file, or of a
 * describe block for a registry only that block uses.
 */
export function conformanceRegistry(appidPrefix: string, vars: Record<string, string> = {}) {
  let started: LocalRegistry | undefined
  const current = (): LocalRegistry => {
    if (!started)
      throw new Error('the registry starts in beforeAll: use it in tests and hooks only')
    return started
  }
  beforeAll(async () => {
    started = await startRegistry({ vars })
  })
  afterAll(() => started?.stop())

  const d = new Discovery(() => current().url)
  /** A unique appid per call, so the tests of a file never see each other's data. */
  const nextApp = appids(appidPrefix)

  /** One fresh appid per hostname given, in order, each with that hostname registered as R(h). */
  async function registeredApps<const H extends readonly string[]>(
    ...hostnames: H
  ): Promise<{ -readonly [K in keyof H]: string }> {
    const apps: string[] = []
    for (const hostname of hostnames) {
      const app = nextApp()
      await d.register(app, hostname)
      apps.push(app)
    }
    return apps as { -readonly [K in keyof H]: string }
  }

  return {
    /** The running registry; `host` (host:port) is also its infra.discovery hostname unless HOSTNAME is set. */
    registry: {
      get host(): string {
        return current().host
      },
    },
    d,
    nextApp,
    registeredApps,
  }
}
