// The Worker's bindings. Vars are strings; config.ts validates them.
import type { CatalogObject } from './catalog-object.ts'
import type { ConfigVars } from './config.ts'
import type { RegistryObject } from './registry-object.ts'

declare global {
  namespace Cloudflare {
    interface Env extends ConfigVars {
      REGISTRY: DurableObjectNamespace<RegistryObject>
      CATALOG: DurableObjectNamespace<CatalogObject>
      /** The ladder of rate limiters ([[ratelimits]] in wrangler.toml); see rate-limits.ts. */
      [limiter: `RATE_LIMIT_${number}`]: RateLimit | undefined
    }
  }
  /** The Worker's bindings, as Hono and the Durable Objects see them. */
  interface Env extends Cloudflare.Env {}
}
