/**
 * HTTP status policy (PROTOCOL.md §1.5): every protocol outcome is HTTP 200 with a JSON body;
 * only an unknown path (404) or a wrong method (405) is not.
 */
import { envelope } from '../protocol/envelope.ts'
import type { ParamError } from '../protocol/params.ts'
import { type Reply, replyBody } from '../protocol/reply.ts'
import { ECODE } from '../protocol/ecode.ts'

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }

/** A JSON body, HTTP 200. */
export const json = (body: string): Response => new Response(body, { headers: JSON_TYPE })

/** A registry reply in the normal envelope. */
export const reply = (r: Reply): Response => json(replyBody(r))

/** A request the registry cannot take: -400, with a message that names the field. */
export const badRequest = (error: ParamError): Response => reply({ code: ECODE.REQUEST_ERR, message: error.message })

/** Plain-text transport errors, as the reference's router sends them. */
export const notFound = (): Response =>
  new Response('404 page not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } })
export const methodNotAllowed = (): Response =>
  new Response('Method Not Allowed', { status: 405, headers: { 'content-type': 'text/plain; charset=utf-8' } })

/** Seconds a rate-limited client should wait: the limiters count over 60 s windows. */
const RETRY_AFTER_SECONDS = '60'

/**
 * An access refusal: HTTP 401 (no or bad token), 403 (scope) or 429 (rate limit), with the
 * protocol envelope (code = minus the status) and a message saying what is missing.
 */
export function refuse(status: 401 | 403 | 429, message: string): Response {
  const headers: Record<string, string> = { ...JSON_TYPE }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="discovery"'
  if (status === 429) headers['retry-after'] = RETRY_AFTER_SECONDS
  return new Response(envelope(-status, undefined, message), { status, headers })
}
