/**
 * HTTP status policy (PROTOCOL.md §1.5): every protocol outcome is HTTP 200 with a JSON body;
 * only an unknown path (404) or a wrong method (405) is not.
 */
import { envelope } from '../protocol/envelope.ts'
import type { ParamError } from '../protocol/params.ts'
import type { Reply } from '../protocol/reply.ts'
import { ECODE } from '../protocol/ecode.ts'

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }

/** A JSON body, HTTP 200. */
export const json = (body: string): Response => new Response(body, { headers: JSON_TYPE })

/** A registry reply in the normal envelope. */
export const reply = (r: Reply): Response => json(envelope(r.code, r.data, r.message))

/** A request the registry cannot take: -400, with a message that names the field. */
export const badRequest = (error: ParamError): Response => reply({ code: ECODE.REQUEST_ERR, message: error.message })

/** Plain-text transport errors, as the reference's router sends them. */
export const notFound = (): Response =>
  new Response('404 page not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } })
export const methodNotAllowed = (): Response =>
  new Response('Method Not Allowed', { status: 405, headers: { 'content-type': 'text/plain; charset=utf-8' } })
