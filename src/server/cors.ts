/**
 * Cross-origin access for browser clients (CORS_ORIGINS). Off by default: a page on another
 * origin can then not read the registry at all. When an origin is allowed, every answer carries
 * Access-Control-Allow-Origin (refusals too, so the SDK can read the code), and a preflight for
 * a known path is answered without a token: browsers never send credentials on preflights.
 */
import type { CorsOrigins } from './config.ts'

/** The value for Access-Control-Allow-Origin, or undefined when this request gets none. */
export function allowedOrigin(request: Request, cors: CorsOrigins): string | undefined {
  const origin = request.headers.get('origin')
  if (origin === null) return undefined
  if (cors === '*') return '*'
  return cors.has(origin) ? origin : undefined
}

/** Whether this is a CORS preflight (an OPTIONS asking for a method), which `preflight` answers. */
export const isPreflight = (request: Request): boolean =>
  request.method === 'OPTIONS' && request.headers.has('access-control-request-method')

/** 204 allowing the registry's methods and the headers the SDK sends. */
export function preflight(allowOrigin: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...originHeaders(allowOrigin),
      'access-control-allow-methods': 'GET, POST',
      // X1-Bmspy-Timeout: the poll deadline the SDK sends with every poll
      'access-control-allow-headers': 'Authorization, Content-Type, X1-Bmspy-Timeout',
      'access-control-max-age': '600',
    },
  })
}

/** The response with the CORS headers added (copied first when its headers are immutable). */
export function withCors(response: Response, allowOrigin: string): Response {
  const out = new Response(response.body, response)
  for (const [name, value] of Object.entries(originHeaders(allowOrigin))) out.headers.set(name, value)
  out.headers.set('access-control-expose-headers', 'Retry-After, WWW-Authenticate')
  return out
}

function originHeaders(allowOrigin: string): Record<string, string> {
  // a specific origin varies the answer by Origin: caches must not reuse it for another page
  return allowOrigin === '*' ? { 'access-control-allow-origin': '*' } : { 'access-control-allow-origin': allowOrigin, vary: 'Origin' }
}
