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
import { CONFIG } from './runtime-config.ts'

const KNOWN_PATHS = new Set<string>(Object.values(PATHS))

export const app = new Hono<{ Bindings: Env }>()
  .route('/', writeRoutes)
  .route('/', readRoutes)
  .route('/', pollRoutes)

app.notFound((c) => (KNOWN_PATHS.has(c.req.path) ? methodNotAllowed() : notFound()))
app.onError((error, c) => {
  console.error(JSON.stringify({ op: 'request', method: c.req.method, path: c.req.path, error: String(error), stack: error.stack }))
  return reply({ code: ECODE.SERVER_ERR })
})

/** `/t/<token>/discovery/...`: a token carried in the node address (see auth.ts). */
const TOKEN_PATH = /^\/t\/([^/]+)(\/.*)$/

/**
 * Clean the path as the reference's router does (`//` collapsed; `.` and `..` are resolved by
 * URL parsing), take a token off the path, refuse HEAD (Hono would route it to GET handlers),
 * authenticate, then route.
 */
export async function handle(request: Request, bindings: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url)
  let path = url.pathname.replace(/\/{2,}/g, '/')
  const tokenPath = TOKEN_PATH.exec(path)
  const pathToken = tokenPath?.[1]
  if (tokenPath?.[2] !== undefined) path = tokenPath[2]
  if (request.method === 'HEAD') return KNOWN_PATHS.has(path) ? methodNotAllowed() : notFound()
  if (!KNOWN_PATHS.has(path)) return notFound()
  let routed = request
  if (path !== url.pathname) {
    url.pathname = path
    routed = new Request(url, request)
  }
  const limits = { token: bindings.TOKEN_LIMITER, address: bindings.ADDRESS_LIMITER }
  const refused = await authenticate(routed, pathToken && decodeToken(pathToken), CONFIG.auth, limits, Date.now())
  return refused ?? app.fetch(routed, bindings, ctx)
}

function decodeToken(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw // not percent-encoded: the verifier will refuse it if it is not a token
  }
}
