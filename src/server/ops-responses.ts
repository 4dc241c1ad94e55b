/**
 * The answers of the operator routes (console, /health, /metrics) that responses.ts does not
 * build: those routes are not the reference's, so they say what they need in their own words.
 */

/** 405 with the methods the path takes (`allow`), in plain text. */
export function methodNotAllowed(method: string, allow: string): Response {
  return new Response(`Method Not Allowed: ${method} (use ${allow})\n`, {
    status: 405,
    headers: { 'content-type': 'text/plain; charset=utf-8', allow },
  })
}

/** A JSON body with `status`, never cached. */
export function jsonAnswer(body: unknown, status = 200): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  })
}
