/**
 * HTTP status policy (docs/protocol.md): every protocol outcome is HTTP 200 with a JSON body;
 * only an unknown path (404), a wrong method (405) or an access refusal (401, 403, 429) is not.
 * Every Response the Worker builds itself comes from here (`Reply` is protocol's outcome type).
 */

import { ECODE } from '../protocol/ecode.ts'
import { envelope } from '../protocol/envelope.ts'
import type { ParamError } from '../protocol/params.ts'
import { type Reply, replyBody } from '../protocol/reply.ts'

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }
const TEXT_TYPE = { 'content-type': 'text/plain; charset=utf-8' }

/** A JSON body, HTTP 200. */
export const jsonResponse = (body: string): Response => new Response(body, { headers: JSON_TYPE })

/** A JSON body written as it is produced (streamed-answer.ts), HTTP 200. */
export const jsonStreamResponse = (body: ReadableStream<Uint8Array>): Response =>
  new Response(body, { headers: JSON_TYPE })

/** A protocol outcome in the normal envelope, HTTP 200. */
export const replyResponse = (r: Reply): Response => jsonResponse(replyBody(r))

/** A request the registry cannot take: -400, with a message that names the field. */
export const badRequestResponse = (error: ParamError): Response =>
  replyResponse({ code: ECODE.REQUEST_ERR, message: error.message })

/** Something failed unexpectedly: the -500 envelope, still HTTP 200. */
export const serverErrorResponse = (): Response => replyResponse({ code: ECODE.SERVER_ERR })

/** An unknown path, in the reference router's plain text. */
export const notFoundResponse = (): Response =>
  new Response('404 page not found', { status: 404, headers: TEXT_TYPE })

/** A known path asked with a method it does not take, in the reference router's plain text. */
export const methodNotAllowedResponse = (): Response =>
  new Response('Method Not Allowed', { status: 405, headers: TEXT_TYPE })

/** Seconds a rate-limited client should wait: the limiters count over 60 s windows. */
const RETRY_AFTER_SECONDS = '60'

/**
 * An access refusal: HTTP 401 (no or bad token), 403 (scope) or 429 (rate limit), with the
 * protocol envelope (code = minus the status) and a message saying what is missing.
 */
export function refusalResponse(status: 401 | 403 | 429, message: string): Response {
  const headers: Record<string, string> = { ...JSON_TYPE }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="discovery"'
  if (status === 429) headers['retry-after'] = RETRY_AFTER_SECONDS
  return new Response(envelope(-status, undefined, message), { status, headers })
}
