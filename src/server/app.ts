/**
 * The Worker's HTTP app: the discovery routes, the reference's 404/405 behaviour, and -500 for
 * anything unexpected (logged with context, never an HTTP 500).
 */
import { Hono } from 'hono'
import { ECODE } from '../protocol/ecode.ts'
import { PATHS } from '../protocol/paths.ts'
import { authenticate } from './auth.ts'
import { methodNotAllowed, notFound, reply } from './reply.ts'
import { pollRoutes } from './routes/poll.ts'
import { readRoutes } from './routes/read.ts'
import { writeRoutes } from './routes/write.ts'
import { allowedOrigin, corsEnabled, isPreflight, preflight, withCors } from './cors.ts'
import { CONFIG, LIMITERS } from './runtime-config.ts'

const KNOWN_PATHS = new Set<string>(Object.values(PATHS))

const app = new Hono<{ Bindings: Env }>()
  .route('/', writeRoutes)
  .route('/', readRoutes)
  .route('/', pollRoutes)

// route() sends unknown paths 404 first: what reaches here is a known path with another method
app.notFound(() => methodNotAllowed())
app.onError((error, c) => {
  console.error(JSON.stringify({ op: 'request', method: c.req.method, path: c.req.path, error: String(error), stack: error.stack }))
  return reply({ code: ECODE.SERVER_ERR })
})

/** `/t/<token>/discovery/...`: a token carried in the node address (see auth.ts). */
const TOKEN_PATH = /^\/t\/([^/]+)(\/.*)$/

/** The Worker's fetch handler: CORS (when CORS_ORIGINS is set) around the routes. */
export async function handle(request: Request, bindings: Env, ctx: ExecutionContext): Promise<Response> {
  if (!corsEnabled(CONFIG.cors)) return guarded(request, bindings, ctx)
  const allowOrigin = allowedOrigin(request, CONFIG.cors)
  if (allowOrigin !== undefined && isPreflight(request) && KNOWN_PATHS.has(cleanPath(new URL(request.url).pathname).path)) {
    return preflight(allowOrigin)
  }
  return withCors(await guarded(request, bindings, ctx), allowOrigin, CONFIG.cors)
}

/** The routes, with anything unexpected outside Hono's handlers also answered -500, never HTTP 500. */
async function guarded(request: Request, bindings: Env, ctx: ExecutionContext): Promise<Response> {
  try {
    return await route(request, bindings, ctx)
  } catch (error) {
    console.error(JSON.stringify({ op: 'request', method: request.method, error: String(error) }))
    return reply({ code: ECODE.SERVER_ERR })
  }
}

/**
 * Clean the path as the reference's router does (percent escapes decoded, `//` collapsed; `.`
 * and `..` are resolved by URL parsing), take a token off the path, refuse HEAD (Hono would
 * route it to GET handlers), authenticate, then route.
 */
async function route(request: Request, bindings: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url)
  const { path, pathToken } = cleanPath(url.pathname)
  if (!KNOWN_PATHS.has(path)) return notFound()
  if (request.method === 'HEAD') return methodNotAllowed()
  let routed = request
  if (path !== url.pathname) {
    url.pathname = path
    routed = new Request(url, request)
  }
  const refused = await authenticate(routed, pathToken, CONFIG.auth, LIMITERS, Date.now())
  return refused ?? app.fetch(routed, bindings, ctx)
}

/** The route's path, and the token of a `/t/<token>` prefix (decoded with the path, once). */
function cleanPath(pathname: string): { path: string; pathToken: string | undefined } {
  const path = percentDecoded(pathname).replace(/\/{2,}/g, '/')
  const tokenPath = TOKEN_PATH.exec(path)
  return tokenPath ? { path: tokenPath[2] ?? path, pathToken: tokenPath[1] } : { path, pathToken: undefined }
}

/** Go routes on the decoded path (`/discovery/%66etch` is fetch); a malformed escape stays as sent. */
function percentDecoded(pathname: string): string {
  try {
    return decodeURIComponent(pathname)
  } catch {
    return pathname
  }
}

