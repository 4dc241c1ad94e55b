/**
 * GET /discovery/session: a session's WebSocket (docs/sessions.md). The Worker checks the
 * request and the caller, decides what the session may do, and hands the upgrade to the app's
 * object, which accepts the socket; from then on the Worker is out of the way.
 */
import { Hono } from 'hono'
import { ECODE } from '../../protocol/ecode.ts'
import { parseSession } from '../../protocol/params.ts'
import { isReservedAppid, PATHS } from '../../protocol/paths.ts'
import { SESSION_PROTOCOL } from '../../protocol/session-frames.ts'
import { accessOf, actorOf, authorize } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import type { Config } from '../config.ts'
import { holderHeaders, holderOf } from '../holder.ts'
import { allowedOrigin } from '../middleware/cors.ts'
import { registryFor } from '../registry-stub.ts'
import { queryForm } from '../request-form.ts'
import { badRequestResponse, refusalResponse, replyResponse } from '../responses.ts'
import { type SessionRight, sessionGrantHeaders } from '../session-grant.ts'

export const sessionRoutes = (config: Config) =>
  new Hono<AppEnv>().get(PATHS.session, async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      return badRequest('upgrade', 'a session is a WebSocket: send Upgrade: websocket')
    // WebSockets know no CORS: a page may open one to any site, so its origin is checked here.
    // A page of the registry's own origin (the console) is always allowed.
    const origin = c.req.header('origin')
    if (
      origin !== undefined &&
      origin !== new URL(c.req.url).origin &&
      allowedOrigin(origin, config.cors) === undefined
    )
      return refusalResponse(403, `origin ${origin} is not in CORS_ORIGINS`)
    const offers = (c.req.header('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim())
    if (!offers.includes(SESSION_PROTOCOL))
      return badRequest('Sec-WebSocket-Protocol', `offer the subprotocol ${SESSION_PROTOCOL}`)
    const input = parseSession(queryForm(c.req.raw))
    if (!input.ok) return badRequestResponse(input.error)
    const { appid, env } = input.value
    if (isReservedAppid(appid)) {
      return badRequest('appid', `${appid} has no sessions: it describes this registry`)
    }
    const access = accessOf(c)
    const may: SessionRight[] = []
    const readDenied = authorize(access, { scope: 'read', env, apps: [appid] }, config.auth)
    if (!readDenied) may.push('read')
    if (!authorize(access, { scope: 'write', env, apps: [appid] }, config.auth)) may.push('write')
    if (may.length === 0 && readDenied) return readDenied
    const headers = sessionGrantHeaders({
      appid,
      env,
      session: input.value.session ?? newSessionId(),
      actor: actorOf(access),
      may,
      ...(access.kind === 'token' ? { expiresMs: access.claims.exp * 1000 } : {}),
    })
    const answer = await registryFor(c.env, { appid, env }).fetch('https://registry/session', {
      headers: { Upgrade: 'websocket', ...headers, ...holderHeaders(holderOf(access, c.req.raw)) },
    })
    // the caller's token or address holds the most sessions one may: refused before any upgrade
    if (answer.status === 429)
      return refusalResponse(429, `sessions on ${appid} (env ${env}): ${await answer.text()}`)
    return answer
  })

const badRequest = (field: string, problem: string) =>
  replyResponse({ code: ECODE.REQUEST_ERR, message: `${field}: ${problem}` })

/** 128 random bits, base64url. */
function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')
}
