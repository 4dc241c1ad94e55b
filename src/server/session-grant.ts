/**
 * What the Worker decided about a session before handing its upgrade to the app's object:
 * which app and session, who is calling and what they may do. It travels as headers of the
 * Worker-to-object request, which no client can reach directly.
 */
import { SESSION_ID } from '../protocol/params.ts'

export type SessionRight = 'read' | 'write'

export interface SessionGrant {
  appid: string
  env: string
  session: string
  /** Who writes are recorded as (a token id, never a token). */
  actor: string
  may: SessionRight[]
  /** When the caller's token expires (ms); undefined = never. */
  expiresMs?: number
}

const H = {
  appid: 'x-session-appid',
  env: 'x-session-env',
  session: 'x-session-id',
  actor: 'x-session-actor',
  may: 'x-session-may',
  expires: 'x-session-expires',
} as const

/** The headers that carry `grant` to the object. */
export function sessionGrantHeaders(grant: SessionGrant): Record<string, string> {
  const headers: Record<string, string> = {
    [H.appid]: encodeURIComponent(grant.appid),
    [H.env]: encodeURIComponent(grant.env),
    [H.session]: grant.session,
    [H.actor]: encodeURIComponent(grant.actor),
    [H.may]: grant.may.join(','),
  }
  if (grant.expiresMs !== undefined) headers[H.expires] = String(grant.expiresMs)
  return headers
}

/** The grant a forwarded request carries, or undefined when it carries none. */
export function sessionGrantFrom(request: Request): SessionGrant | undefined {
  const get = (name: string) => request.headers.get(name)
  const session = get(H.session) ?? ''
  const [appid, env, actor] = [get(H.appid), get(H.env), get(H.actor)].map((v) =>
    v === null ? undefined : decodeURIComponent(v)
  )
  const may = (get(H.may) ?? '')
    .split(',')
    .filter((r): r is SessionRight => r === 'read' || r === 'write')
  if (!SESSION_ID.test(session) || !appid || !env || actor === undefined || may.length === 0)
    return undefined
  const expires = Number(get(H.expires) ?? Number.NaN)
  return {
    appid,
    env,
    session,
    actor,
    may,
    ...(Number.isFinite(expires) ? { expiresMs: expires } : {}),
  }
}
