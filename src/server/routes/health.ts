/**
 * GET and HEAD /health: whether this registry can serve, for load balancers and uptime checks.
 * No token needed. 200 `{"status":"ok","version":…}` when the catalog object and a registry
 * object both answer within HEALTH_TIMEOUT_MS; otherwise 503 with the reason. Each check costs
 * two object calls; the probe object (infra.discovery's, which is never written) stores nothing.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { INFRA_APPID } from '../../protocol/paths.ts'
import type { AppEnv } from '../app-env.ts'
import { bounded } from '../app-reports.ts'
import type { Config } from '../config.ts'
import { jsonAnswer, methodNotAllowed } from '../ops-responses.ts'
import { catalogOf, registryFor } from '../registry-stub.ts'
import { VERSION } from '../version.ts'

/** How long each object may take to answer a health check. */
export const HEALTH_TIMEOUT_MS = 2000

/** The health route; `limit` runs first (the address rate limit when auth is on). */
export const healthRoutes = (config: Config, limit: MiddlewareHandler<AppEnv>) =>
  new Hono<AppEnv>()
    .get('/health', limit, async (c) => {
      const problem = await healthProblem(c.env, config)
      return problem === undefined
        ? jsonAnswer({ status: 'ok', version: VERSION })
        : jsonAnswer({ status: 'unavailable', version: VERSION, reason: problem }, 503)
    })
    .all('/health', (c) => methodNotAllowed(c.req.method, 'GET, HEAD'))

/** Why the registry cannot serve, or undefined when it can. */
async function healthProblem(bindings: Env, config: Config): Promise<string | undefined> {
  if (config.auth.mode === 'tokens' && config.auth.keys.length === 0) {
    return 'auth is on (AUTH=tokens) but no signing key is configured (TOKEN_KEYS): every request is refused'
  }
  const checks = await Promise.allSettled([
    bounded('catalog object', () => catalogOf(bindings).count(), HEALTH_TIMEOUT_MS),
    bounded(
      'registry object',
      async () =>
        registryFor(bindings, { appid: INFRA_APPID, env: config.env }).snapshot({
          zone: '',
          statusMask: 3,
        }),
      HEALTH_TIMEOUT_MS
    ),
  ])
  const failed = checks.flatMap((c) =>
    c.status === 'rejected' ? [String((c.reason as Error).message ?? c.reason)] : []
  )
  return failed.length === 0 ? undefined : failed.join('; ')
}
