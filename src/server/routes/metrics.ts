/**
 * GET /metrics: the registry in the Prometheus text format (metrics-text.ts), per app and env
 * and summed. Needs a token with scope `metrics` (or `admin`), which sees the apps it covers;
 * open with AUTH=off. The catalog lists the apps, and each app's object reports itself, a few
 * at a time (app-reports.ts); an object that does not answer is left out and counted. When the
 * catalog itself does not answer the scrape fails with 503, so Prometheus marks it down.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { accessOf } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import { NO_FILTER } from '../app-report.ts'
import { catalogApps, reportsOf } from '../app-reports.ts'
import { METRICS_CONTENT_TYPE, metricsText } from '../metrics-text.ts'
import { chain } from '../middleware/chain.ts'
import { metricsView } from '../ops-access.ts'
import { methodNotAllowed } from '../ops-responses.ts'
import { VERSION } from '../version.ts'

/** Most apps one scrape reports (each is one object call); the rest are counted as unreported. */
export const METRICS_APPS_MAX = 1000

/** The metrics route; `access` is the access middleware chain (who is calling). */
export const metricsRoutes = (access: MiddlewareHandler<AppEnv>[]) =>
  new Hono<AppEnv>()
    .get(
      '/metrics',
      chain(access, async (c) => {
        const view = metricsView(accessOf(c))
        if (view instanceof Response) return view
        let apps: Awaited<ReturnType<typeof catalogApps>>
        try {
          apps = (await catalogApps(c.env)).filter((a) => view(a.appid, a.env))
        } catch (error) {
          return new Response(`# metrics unavailable: ${(error as Error).message}\n`, {
            status: 503,
            headers: { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' },
          })
        }
        const outcomes = await reportsOf(c.env, apps.slice(0, METRICS_APPS_MAX), NO_FILTER, 0)
        for (const failed of outcomes) {
          if (!failed.ok)
            console.error(JSON.stringify({ op: 'metrics', ...failed.app, error: failed.problem }))
        }
        return new Response(metricsText({ version: VERSION, apps: apps.length, outcomes }), {
          headers: { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' },
        })
      })
    )
    .all('/metrics', (c) => methodNotAllowed(c.req.method, 'GET, HEAD'))
