/**
 * Cross-origin access for browser clients (CORS_ORIGINS). Off by default: a page on another
 * origin can then not read the registry at all. When an origin is allowed, every answer carries
 * Access-Control-Allow-Origin (refusals too, so the SDK can read the code), and a preflight for
 * a known path is answered without a token: browsers never send credentials on preflights.
 */
import type { CorsOrigins } from './config.ts'

export const corsEnabled = (cors: CorsOrigins): boolean => cors === '*' || cors.size > 0

/** The value for Access-Control-Allow-Origin, or undefined when this request gets none. */
export function allowedOrigin(request: Request, cors: CorsOrigins): string | undefined {
  if (cors === '*') return '*'
  const origin = request.headers.get('origin')
  return origin !== null && cors.has(origin) ? origin : undefined
}

/** Whether this is a CORS preflight (an OPTIONS asking for a method), which `preflight` answers. */
export const isPreflight = (request: Request): boolean =>
  request.method === 'OPTIONS' && request.headers.has('access-control-request-method')

/** 204 allowing the registry's methods and the headers the SDK sends. */
export function preflight(allowOrigin: string): Response {
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
export function withCors(response: Response, allowOrigin: string | undefined, cors: CorsOrigins): Response {
  const out = new Response(response.body, response)
  if (cors !== '*') out.headers.append('vary', 'Origin')
  if (allowOrigin === undefined) return out
  out.headers.set('access-control-allow-origin', allowOrigin)
  out.headers.set('access-control-expose-headers', 'Retry-After, WWW-Authenticate')
  return out
}
