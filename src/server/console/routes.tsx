/**
 * The operator console's routes: `/` (every app, per env), `/app` (one app), their views for
 * the page's script (`X-Console: view`), `/console/apps` (the overview's catalog signature) and
 * the static files. Who may see what is the caller's access, from the same middleware as the
 * discovery routes; a browser sends its token as a header from the script, or (without
 * JavaScript) in a POST form that renders the page once and stores nothing. The token never
 * travels in a URL. Problems are pages that say what went wrong, never a 5xx.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import type { Child } from 'hono/jsx'
import { verifyToken } from '../../auth/token.ts'
import { type Access, accessOf } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import type { Config } from '../config.ts'
import { chain } from '../middleware/chain.ts'
import { consoleRights } from '../ops-access.ts'
import { jsonAnswer, methodNotAllowed } from '../ops-responses.ts'
import { postForm } from '../request-form.ts'
import { VERSION } from '../version.ts'
import { ASSETS, type Asset } from './assets.ts'
import {
  catalogSignature,
  loadApp,
  loadOverview,
  parseAppQuery,
  parseOverviewQuery,
  visibleApps,
} from './console-data.ts'
import {
  AppPage,
  type FilterForm,
  Overview,
  Page,
  type PageContext,
  Problem,
  QueryRefused,
  SignIn,
} from './views.tsx'

/** Headers of every console page: never cached, never framed, scripts and styles from here only. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  vary: 'X-Console, Authorization',
}

type View = 'overview' | 'app'

/**
 * The console routes. `access` is the access middleware chain of the discovery routes;
 * `limitAddress` the address rate limit (for the sign-in form, which carries its own token).
 */
export function consoleRoutes(
  config: Config,
  access: MiddlewareHandler<AppEnv>[],
  limitAddress: MiddlewareHandler<AppEnv>
) {
  const noKey = config.auth.mode === 'tokens' && config.auth.keys.length === 0
  // with auth on but no key, the discovery chain answers JSON 401s; a page says it in words
  const pageAccess: MiddlewareHandler<AppEnv>[] = noKey
    ? [
        async (c) =>
          page(
            c.req.header('x-console') === 'view',
            config,
            'Not configured',
            undefined,
            401,
            <Problem
              title="Auth is on, but no signing key is configured"
              message="Set the TOKEN_KEYS secret (kid:secret pairs), or AUTH=off for a local run: until then the registry refuses every request."
              back={false}
            />
          ),
      ]
    : access
  const app = new Hono<AppEnv>()
  for (const asset of Object.values(ASSETS)) {
    app
      .get(asset.path, (c) => assetResponse(asset, c.req.query('v')))
      .all(asset.path, (c) => methodNotAllowed(c.req.method, 'GET, HEAD'))
  }
  for (const [path, view] of [
    ['/', 'overview'],
    ['/app', 'app'],
  ] as const) {
    app
      .get(
        path,
        chain(pageAccess, (c) => render(c.req.raw, config, view, accessOf(c), c.env))
      )
      .post(
        path,
        chain([limitAddress, ...(noKey ? pageAccess : [])], async (c) => {
          const access = await postedAccess(c.req.raw, config)
          if (access instanceof Response) return access
          return render(c.req.raw, config, view, access, c.env)
        })
      )
      .all(path, (c) => methodNotAllowed(c.req.method, 'GET, HEAD, POST'))
  }
  app
    .get(
      '/console/apps',
      chain(access, async (c) => {
        const rights = consoleRights(accessOf(c), config.auth)
        if ('reason' in rights) return jsonAnswer({ message: 'sign in first' }, 401)
        const query = parseOverviewQuery(new URL(c.req.url).searchParams)
        if (!query.ok) return jsonAnswer({ message: query.problem.message }, 400)
        const visible = await visibleApps(c.env, rights, query.value)
        if (!visible.ok) return jsonAnswer({ message: visible.problem }, 503)
        return jsonAnswer({ catalog: catalogSignature(visible.apps), apps: visible.apps.length })
      })
    )
    .all('/console/apps', (c) => methodNotAllowed(c.req.method, 'GET, HEAD'))
  return app
}

/** A static file; one year of caching when asked for by its current hash. */
function assetResponse(asset: Asset, version: string | undefined): Response {
  return new Response(asset.body, {
    headers: {
      'content-type': asset.type,
      'cache-control':
        version === asset.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=60',
      'x-content-type-options': 'nosniff',
    },
  })
}

/**
 * The sign-in form's POST (pages without JavaScript): its `token` field, verified as a Bearer
 * token would be, stands for this one answer. Nothing is stored.
 */
async function postedAccess(request: Request, config: Config): Promise<Access | Response> {
  if (config.auth.mode === 'off') return { kind: 'open' }
  const fragment = request.headers.get('x-console') === 'view'
  const form = await postForm(request)
  const signIn = (problem: string, status: number) =>
    page(fragment, config, 'Sign in', undefined, status, <SignIn problem={problem} />)
  if (!form.ok) return signIn(form.error.message, 400)
  const token = (form.value.get('token')?.[0] ?? '').trim()
  if (token === '') return signIn('token: required', 400)
  const verified = await verifyToken(token, config.auth.keys, Date.now(), config.auth.revoked)
  if (!verified.ok) return signIn(`token refused: ${verified.problem}`, 401)
  return { kind: 'token', claims: verified.claims, token, via: 'bearer' }
}

/** The page (or, for the script, the view alone) of `view` for this caller. */
async function render(
  request: Request,
  config: Config,
  view: View,
  access: Access,
  bindings: Env
): Promise<Response> {
  const fragment = request.headers.get('x-console') === 'view'
  const query = new URL(request.url).searchParams
  const context: PageContext = {
    auth: config.auth.mode,
    zone: config.zone,
    region: config.region,
    evictAfterMs: config.evictAfterMs,
    version: VERSION,
    nowMs: Date.now(),
  }
  const filters = filterForm(view, query)
  const answer = (title: string, status: number, body: Child) =>
    page(fragment, config, title, filters, status, body, context)
  const rights = consoleRights(access, config.auth)
  // the "Use a token" link of PUBLIC_READS pages
  const wantsSignIn = query.has('signin') && access.kind === 'anonymous'
  if ('reason' in rights || wantsSignIn) {
    const problem = 'reason' in rights && rights.reason === 'no-read' ? rights.message : undefined
    // the filters are kept for the view the script fetches once it has the token
    return page(
      fragment,
      config,
      'Sign in',
      filters,
      problem ? 403 : 200,
      <SignIn problem={problem} />
    )
  }
  if (view === 'overview') {
    const parsed = parseOverviewQuery(query)
    if (!parsed.ok) return answer('Applications', 400, <QueryRefused problem={parsed.problem} />)
    const data = await loadOverview(bindings, rights, parsed.value)
    return answer(
      'Applications',
      200,
      <Overview rights={rights} query={parsed.value} data={data} context={context} />
    )
  }
  const parsed = parseAppQuery(query)
  if (!parsed.ok) return answer('Application', 400, <QueryRefused problem={parsed.problem} />)
  const { appid, env } = parsed.value
  if (!rights.reads(appid, env)) {
    const who = rights.token ? `token ${rights.token.tid}` : 'this caller'
    return answer(
      appid,
      403,
      <Problem title="Not yours to read" message={`${who} may not read ${appid} in env ${env}`} />
    )
  }
  const data = await loadApp(bindings, parsed.value, rights.history(appid, env))
  return answer(
    appid,
    200,
    <AppPage rights={rights} query={parsed.value} data={data} context={context} />
  )
}

/** The filter form of `view`, showing the query as it was sent. */
function filterForm(view: View, query: URLSearchParams): FilterForm {
  const value = (name: string) => query.get(name) ?? ''
  return {
    kind: view,
    appid: value('appid'),
    env: value('env'),
    hostname: value('hostname'),
    meta: value('meta'),
  }
}

/** A page (the shell around `body`) or, for the script, `body` alone. */
async function page(
  fragment: boolean,
  config: Config,
  title: string,
  filters: FilterForm | undefined,
  status: number,
  body: Child,
  // no zone or region: a page for a caller who may not read says nothing of the registry
  context: PageContext = {
    auth: config.auth.mode,
    evictAfterMs: config.evictAfterMs,
    version: VERSION,
    nowMs: Date.now(),
  }
): Promise<Response> {
  const html = fragment
    ? await rendered(body)
    : `<!doctype html>${await rendered(
        <Page context={context} title={title} filters={filters}>
          {body}
        </Page>
      )}`
  return new Response(html, { status, headers: PAGE_HEADERS })
}

/** JSX as HTML text (a node renders itself by `toString`, which may be async). */
const rendered = async (node: unknown): Promise<string> =>
  await (node as { toString(): string | Promise<string> }).toString()
