/**
 * Who is calling. Reads the credential (an `Authorization: Bearer` header; HTTP Basic with the
 * token as user or password, which Go sends for a `token@host:port` node; or a `/t/<token>`
 * path prefix, for clients that only let you configure a node address), verifies it, applies
 * the rate limits, and answers each route's need with 401, 403 or nothing. With AUTH=off
 * everything is allowed and nothing is limited.
 */
import { covers, hasScope, type Need, refusal } from '../auth/policy.ts'
import { INFRA_APPID } from '../protocol/paths.ts'
import { base64Text, type TokenClaims, verifyToken } from '../auth/token.ts'
import type { AuthConfig } from './config.ts'
import type { Limiters } from './rate-limits.ts'
import { refuse } from './reply.ts'

/** How the credential arrived; decides how `nodes` and infra.discovery address this registry. */
type Via = 'bearer' | 'basic' | 'path'

type Access =
  | { kind: 'open' }
  | { kind: 'anonymous' }
  | { kind: 'token'; claims: TokenClaims; token: string; via: Via }

const accessByRequest = new WeakMap<Request, Access>()

/** The access established for this request by `authenticate` (open when none was). */
const accessOf = (request: Request): Access => accessByRequest.get(request) ?? { kind: 'open' }

/** Who a write is recorded as in the app's history: the token id, never the token. */
export function actorOf(request: Request): string {
  const access = accessOf(request)
  return access.kind === 'token' ? `token:${access.claims.tid}` : access.kind === 'open' ? 'auth-off' : 'anonymous'
}

/** The credential-bearing form of a node address, as this caller reaches it (for `nodes`). */
export function nodeAddressFor(request: Request, node: string): string {
  const access = accessOf(request)
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
export function nodeScheme(request: Request): 'http' | 'http+token' {
  const access = accessOf(request)
  return access.kind === 'token' && access.via !== 'bearer' ? 'http+token' : 'http'
}

/** Establish the caller's access; a Response when the request must stop here (401, 429). */
export async function authenticate(
  request: Request,
  pathToken: string | undefined,
  config: AuthConfig,
  limits: Limiters,
  nowMs: number
): Promise<Response | undefined> {
  if (config.mode === 'off') return undefined
  if (config.keys.length === 0) {
    return refuse(401, 'auth is on (AUTH=tokens) but no signing key is configured: set the TOKEN_KEYS secret (kid:secret pairs), or AUTH=off for a local run')
  }
  const address = request.headers.get('cf-connecting-ip') ?? 'local'
  if (limits.address && !(await limits.address.limit({ key: `addr:${address}` })).success) {
    return refuse(429, `rate limit exceeded for client address ${address}`)
  }
  const credential = credentialOf(request, pathToken)
  if ('problem' in credential) return refuse(401, credential.problem)
  if (credential.token === undefined) {
    accessByRequest.set(request, { kind: 'anonymous' })
    return undefined
  }
  const verified = await verifyToken(credential.token, config.keys, nowMs, config.revoked)
  if (!verified.ok) return refuse(401, `token refused: ${verified.problem}`)
  const { claims } = verified
  if (limits.token && !(await limits.token.limit({ key: `token:${claims.tid}` })).success) {
    return refuse(429, `rate limit exceeded for token ${claims.tid}`)
  }
  accessByRequest.set(request, { kind: 'token', claims, token: credential.token, via: credential.via })
  return undefined
}

/**
 * Whether this request may do what `need` says: a Response (401 or 403) if not. With
 * `publicRead`, a caller without any token may read.
 */
export function authorize(request: Request, need: Need | 'any', config: AuthConfig): Response | undefined {
  const access = accessOf(request)
  if (access.kind === 'open') return undefined
  if (access.kind === 'anonymous') {
    const read = need === 'any' || need.scope === 'read'
    if (read && config.publicReads) return undefined
    return refuse(401, 'a token is required: send Authorization: Bearer <token>, or put it in the node address as host:port/t/<token>')
  }
  if (need === 'any') return undefined
  const why = refusal(access.claims, need)
  return why === undefined ? undefined : refuse(403, why)
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
export function adminView(request: Request, config: AuthConfig): Response | ((appid: string, env: string) => boolean) {
  const denied = authorize(request, 'any', { ...config, publicReads: false })
  if (denied) return denied
  const access = accessOf(request)
  if (access.kind !== 'token') return () => true
  if (!hasScope(access.claims, 'admin')) return refuse(403, `token ${access.claims.tid} lacks scope admin`)
  return (appid, env) => covers(access.claims, appid, env)
}

type Credential = { token: string | undefined; via: Via } | { problem: string }

function credentialOf(request: Request, pathToken: string | undefined): Credential {
  const header = request.headers.get('authorization')
  if (header) {
    const [scheme = '', value = ''] = header.trim().split(/\s+/, 2)
    if (scheme.toLowerCase() === 'bearer' && value) return { token: value, via: 'bearer' }
    if (scheme.toLowerCase() === 'basic' && value) {
      const decoded = base64Text(value)
      if (decoded === undefined) return { problem: 'Authorization: Basic value is not base64 of user:password' }
      const colon = decoded.indexOf(':')
      const user = colon < 0 ? decoded : decoded.slice(0, colon)
      const password = colon < 0 ? '' : decoded.slice(colon + 1)
      return { token: password || user, via: 'basic' }
    }
    return { problem: 'Authorization must be "Bearer <token>" (or Basic with the token as user or password)' }
  }
  return pathToken === undefined ? { token: undefined, via: 'bearer' } : { token: pathToken, via: 'path' }
}
