/**
 * Serve the floor worker (worker.js) with Miniflare on loopback, as the registry is served:
 * same runtime, same compatibility settings, in-memory state.
 */
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { type LocalRegistry, readWranglerToml } from '../../shared/local-registry.ts'

const HERE = fileURLToPath(new URL('./', import.meta.url))

export async function startFloor(): Promise<LocalRegistry> {
  const toml = readWranglerToml()
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    modules: true,
    scriptPath: `${HERE}worker.js`,
    compatibilityDate: toml.compatibilityDate,
    compatibilityFlags: toml.compatibilityFlags,
    durableObjects: { FLOOR: { className: 'FloorObject', useSQLite: true } },
  })
  const ready = await mf.ready
  return { url: ready.origin, host: ready.host, stop: () => mf.dispose() }
}
