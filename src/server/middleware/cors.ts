/**
 * Cross-origin access for browser clients (CORS_ORIGINS). Off by default: a page on another
 * origin can then not read the registry at all. When an origin is allowed, every answer carries
 * Access-Control-Allow-Origin (refusals, 404s and -500s too, so the SDK can read the code), and
 * a preflight for a known path is answered without a token: browsers never send credentials on
 * preflights. The outermost middleware, so that it decorates every answer.
 */

import type { MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env.ts'
import { KNOWN_PATHS } from '../clean-path.ts'
import type { CorsOrigins } from '../config.ts'

/** The CORS middleware for CORS_ORIGINS; a pass-through when it allows no origin. */
export function cors(origins: CorsOrigins): MiddlewareHandler<AppEnv> {
  if (origins !== '*' && origins.size === 0) return async (_c, next) => next()
  return createMiddleware<AppEnv>(async (c, next) => {
    const allowOrigin = allowedOrigin(c.req.header('origin'), origins)
    if (allowOrigin !== undefined && isPreflight(c.req.raw) && KNOWN_PATHS.has(c.req.path)) {
      return preflight(allowOrigin)
    }
    await next()
    // a WebSocket answer (sessions) is not subject to CORS, and a copy would lose its socket
    if (c.res.status === 101) return undefined
    c.res = withCors(c.res, allowOrigin, origins)
    return undefined // the answer is c.res
  })
}

/** The value for Access-Control-Allow-Origin, or undefined when this request gets none. */
export function allowedOrigin(
  origin: string | undefined,
  origins: CorsOrigins
): string | undefined {
  if (origins === '*') return '*'
  return origin !== undefined && origins.has(origin) ? origin : undefined
}

/** Whether this is a CORS preflight (an OPTIONS asking for a method), which `preflight` answers. */
const isPreflight = (request: Request): boolean =>
  request.method === 'OPTIONS' && request.headers.has('access-control-request-method')

/** 204 allowing the registry's methods and the headers the SDK sends. */
function preflight(allowOrigin: string): Response {
  const response = new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': allowOrigin,
      'access-control-allow-methods': 'GET, POST',
      // X1-Bmspy-Timeout: the poll deadline the SDK sends with every poll
      'access-control-allow-headers': 'Authorization, Content-Type, X1-Bmspy-Timeout',
      'access-control-max-age': '600',
    },
  })
  if (allowOrigin !== '*') response.headers.append('vary', 'Origin')
  return response
}

/**
 * The response with the CORS headers added (copied first: its headers may be immutable). With
 * a list of origins every answer varies by Origin, allowed or not, so that no cache hands one
 * origin's answer to another (the Fetch standard's advice).
 */
function withCors(
  response: Response,
  allowOrigin: string | undefined,
  origins: CorsOrigins
): Response {
  const out = new Response(response.body, response)
  if (origins !== '*') out.headers.append('vary', 'Origin')
  if (allowOrigin === undefined) return out
  out.headers.set('access-control-allow-origin', allowOrigin)
  out.headers.set('access-control-expose-headers', 'Retry-After, WWW-Authenticate')
  return out
}
