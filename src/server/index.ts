/**
 * Worker entry. The variables are parsed once when the isolate loads: a bad value stops the
 * worker at start-up with ConfigError's message (naming the variable) instead of serving
 * requests. The app is built once from them; the objects read their own copy.
 */
import { env } from 'cloudflare:workers'
import { createApp } from './app.ts'
import { parseConfig } from './config.ts'
import { limitersFor } from './rate-limits.ts'

export { CatalogObject } from './catalog-object.ts'
export { RegistryObject } from './registry-object.ts'

const config = parseConfig(env)
// checked at start-up too; only consulted when auth is on
const limiters =
  config.auth.mode === 'off'
    ? {}
    : limitersFor(config.auth, env as unknown as Record<string, unknown>)

const app = createApp({ config, limiters })

export default { fetch: app.fetch } satisfies ExportedHandler<Env>
