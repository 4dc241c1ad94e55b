/**
 * The Worker's HTTP app: the discovery routes, the reference's 404/405 behaviour, and -500 for
 * anything unexpected (logged with context, never an HTTP 500).
 */
import { Hono } from 'hono'
import { ECODE } from '../protocol/ecode.ts'
import { PATHS } from '../protocol/paths.ts'
import { methodNotAllowed, notFound, reply } from './reply.ts'
import { pollRoutes } from './routes/poll.ts'
import { readRoutes } from './routes/read.ts'
import { writeRoutes } from './routes/write.ts'

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

/**
 * Clean the path as the reference's router does (`//` collapsed; `.` and `..` are resolved by
 * URL parsing), and refuse HEAD, which Hono would otherwise route to GET handlers.
 */
export function handle(request: Request, bindings: Env, ctx: ExecutionContext): Response | Promise<Response> {
  const url = new URL(request.url)
  const path = url.pathname.replace(/\/{2,}/g, '/')
  if (request.method === 'HEAD') return KNOWN_PATHS.has(path) ? methodNotAllowed() : notFound()
  if (path !== url.pathname) {
    url.pathname = path
    return app.fetch(new Request(url, request), bindings, ctx)
  }
  return app.fetch(request, bindings, ctx)
}
