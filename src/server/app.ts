/**
 * The Worker's HTTP app, built by `createApp` from a configuration and the rate limiters: the
 * operator routes (console, health, metrics), the middleware pipeline (unread bodies drained,
 * CORS, the reference's 404/405, who is calling, rate limits), the discovery routes, and -500
 * for anything unexpected (never an HTTP 500). Routes on the cleaned path (clean-path.ts). Free
 * of `cloudflare:*` imports, so tests build it in Node.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import { routingPath } from './clean-path.ts'
import type { AuthConfig, Config } from './config.ts'
import { consoleRoutes } from './console/routes.tsx'
import { authenticate, noSigningKey, openAccess } from './middleware/authenticate.ts'
import { cors } from './middleware/cors.ts'
import { drainBody } from './middleware/drain-body.ts'
import { knownPaths } from './middleware/known-paths.ts'
import { limitByAddress, limitByToken } from './middleware/rate-limit.ts'
import { serverError } from './middleware/server-error.ts'
import type { Limiters } from './rate-limits.ts'
import { methodNotAllowedResponse } from './responses.ts'
import { fetchManyRoutes } from './routes/fetch-many.ts'
import { healthRoutes } from './routes/health.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { pollRoutes } from './routes/poll.ts'
import { readRoutes } from './routes/read.ts'
import { sessionRoutes } from './routes/session.ts'
import { writeRoutes } from './routes/write.ts'

export interface AppOptions {
  config: Config
  /** The rate limiters the configuration picked (rate-limits.ts); consulted only when auth is on. */
  limiters: Limiters
}

/** The Worker's app; `app.fetch` is its fetch handler, `app.request` drives it in tests. */
export function createApp({ config, limiters }: AppOptions) {
  const app = new Hono<AppEnv>({ getPath: routingPath })
  const access = accessMiddleware(config.auth, limiters)
  // The operator routes (`/`, `/app`, `/console/*`, `/health`, `/metrics`) come first and answer
  // every method themselves, so the discovery middleware below never sees them and the
  // reference's 404/405 rules for every other path stay as they are.
  const limitAddress = limitByAddress(config.auth.mode === 'off' ? undefined : limiters.address)
  app
    .route('/', healthRoutes(config, limitAddress))
    .route('/', metricsRoutes(access))
    .route('/', consoleRoutes(config, access, limitAddress))
  app.use(drainBody(), cors(config.cors), knownPaths(), ...access)
  app
    .route('/', writeRoutes(config))
    .route('/', readRoutes(config))
    .route('/', fetchManyRoutes(config))
    .route('/', pollRoutes(config))
    .route('/', sessionRoutes(config))
  // knownPaths answered unknown paths: what reaches here is a known path with another method
  app.notFound(() => methodNotAllowedResponse())
  app.onError(serverError())
  return app
}

/**
 * Who is calling, in order: with AUTH=off everyone is open and nothing is limited; with auth on
 * but no key everything is refused; else the address limit, the credential, the token limit.
 * Every chain that lets a request through sets its `access`.
 */
function accessMiddleware(auth: AuthConfig, limiters: Limiters): MiddlewareHandler<AppEnv>[] {
  if (auth.mode === 'off') return [openAccess()]
  if (auth.keys.length === 0) return [noSigningKey()]
  return [limitByAddress(limiters.address), authenticate(auth), limitByToken(limiters.token)]
}
