// The Worker's bindings. Vars are strings; config.ts validates them.
import type { CatalogObject } from './catalog-object.ts'
import type { ConfigVars } from './config.ts'
import type { RegistryObject } from './registry-object.ts'

declare global {
  namespace Cloudflare {
    interface Env extends ConfigVars {
      REGISTRY: DurableObjectNamespace<RegistryObject>
      CATALOG: DurableObjectNamespace<CatalogObject>
      /** Rate limiting bindings ([[ratelimits]] in wrangler.toml); optional. */
      TOKEN_LIMITER?: RateLimit
      ADDRESS_LIMITER?: RateLimit
    }
  }
  /** The Worker's bindings, as Hono and the Durable Objects see them. */
  interface Env extends Cloudflare.Env {}
}
