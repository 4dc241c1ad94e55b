/**
 * Who is calling, once the access middleware decided it, and what that caller may do: the
 * route-side half of auth. A route reads the access with `accessOf`, which fails closed (it
 * throws, answered -500) when no middleware set one; nothing ever defaults to open.
 */
import type { Context } from 'hono'
import { covers, hasScope, type Need, refusal } from '../auth/policy.ts'
import type { TokenClaims } from '../auth/token.ts'
import { INFRA_APPID } from '../protocol/paths.ts'
import type { AppEnv } from './app-env.ts'
import type { AuthConfig } from './config.ts'
import { refusalResponse } from './responses.ts'

/** How the credential arrived; decides how `nodes` and infra.discovery address this registry. */
export type Via = 'bearer' | 'basic' | 'path'

/** `open`: AUTH=off; `anonymous`: auth on, no credential sent; `token`: a verified token. */
export type Access =
  | { kind: 'open' }
  | { kind: 'anonymous' }
  | { kind: 'token'; claims: TokenClaims; token: string; via: Via }

/** The caller's access; throws when none was set, so a mis-wired route can never serve as open. */
export function accessOf(c: Context<AppEnv>): Access {
  const access = c.get('access')
  if (access === undefined)
    throw new Error(`no access was established for ${c.req.method} ${c.req.path}`)
  return access
}

/** Who a write is recorded as in the app's history: the token id, never the token. */
export function actorOf(access: Access): string {
  if (access.kind === 'token') return `token:${access.claims.tid}`
  return access.kind === 'open' ? 'auth-off' : 'anonymous'
}

/** The credential-bearing form of a node address, as this caller reaches it (for `nodes`). */
export function nodeAddressFor(access: Access, node: string): string {
  if (access.kind !== 'token') return node
  if (access.via === 'path') return `${node}/t/${access.token}`
  if (access.via === 'basic') return `${access.token}@${node}`
  return node
}

/**
 * The scheme infra.discovery gives this registry's nodes for this caller: `http`, or
 * `http+token` for a caller that authenticates through its node address and must keep using
 * it (the Go SDK would otherwise switch to the bare `http://host:port` it learns there).
 */
export function nodeScheme(access: Access): 'http' | 'http+token' {
  return access.kind === 'token' && access.via !== 'bearer' ? 'http+token' : 'http'
}

/**
 * Whether this caller may do what `need` says: a Response (401 or 403) if not. With
 * `publicReads`, a caller without any token may read.
 */
export function authorize(
  access: Access,
  need: Need | 'any',
  config: AuthConfig
): Response | undefined {
  if (access.kind === 'open') return undefined
  if (access.kind === 'anonymous') {
    const read = need === 'any' || need.scope === 'read'
    if (read && config.publicReads) return undefined
    return refusalResponse(
      401,
      'a token is required: send Authorization: Bearer <token>, or put it in the node address as host:port/t/<token>'
    )
  }
  if (need === 'any') return undefined
  const why = refusal(access.claims, need)
  return why === undefined ? undefined : refusalResponse(403, why)
}

/**
 * The need of a read: `read` on every requested appid except infra.discovery, which any
 * caller allowed in at all may read (it describes the registry, and every client polls it).
 */
export function readNeed(env: string, appids: string[]): Need | 'any' {
  const apps = appids.filter((a) => a !== INFRA_APPID)
  return apps.length === 0 ? 'any' : { scope: 'read', env, apps }
}

/**
 * For fetch/all: a refusal unless the caller has `admin`, else a filter that keeps the apps
 * and envs the caller's token covers.
 */
export function adminView(
  access: Access,
  config: AuthConfig
): Response | ((appid: string, env: string) => boolean) {
  const denied = authorize(access, 'any', { ...config, publicReads: false })
  if (denied) return denied
  if (access.kind !== 'token') return () => true
  if (!hasScope(access.claims, 'admin'))
    return refusalResponse(403, `token ${access.claims.tid} lacks scope admin`)
  return (appid, env) => covers(access.claims, appid, env)
}
