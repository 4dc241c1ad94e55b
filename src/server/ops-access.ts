/**
 * Who may see what in the console and /metrics, decided once per request from the caller's
 * access (access.ts) with the same rules as the discovery routes: `read` on an app to see it,
 * `write` to drain, weigh or cancel its instances, `admin` for its history; `metrics` (or
 * `admin`) for /metrics. With AUTH=off everything is open.
 */
import { covers, hasScope } from '../auth/policy.ts'
import type { Scope } from '../auth/token.ts'
import type { Access } from './access.ts'
import type { AuthConfig } from './config.ts'
import { refusalResponse } from './responses.ts'

/** What a console caller may see and do. */
export interface ConsoleRights {
  /** `open`: AUTH=off; `public`: no token, PUBLIC_READS; `token`: a verified token. */
  kind: 'open' | 'public' | 'token'
  /** The token's claims, for the page to say whose view it is. */
  token?: { tid: string; scopes: string[]; apps: string[]; envs: string[]; expMs: number }
  reads(appid: string, env: string): boolean
  writes(appid: string, env: string): boolean
  /** May read the app's history (who changed what). */
  history(appid: string, env: string): boolean
}

/** Why the console shows nothing: no token yet, or a token that reads nothing. */
export type ConsoleRefusal = { reason: 'token-needed' } | { reason: 'no-read'; message: string }

const always = () => true
const never = () => false

/** The console rights of `access`, or why there are none. */
export function consoleRights(access: Access, auth: AuthConfig): ConsoleRights | ConsoleRefusal {
  if (access.kind === 'open')
    return { kind: 'open', reads: always, writes: always, history: always }
  if (access.kind === 'anonymous') {
    if (!auth.publicReads) return { reason: 'token-needed' }
    return { kind: 'public', reads: always, writes: never, history: never }
  }
  const claims = access.claims
  if (!hasScope(claims, 'read')) {
    return {
      reason: 'no-read',
      message: `token ${claims.tid} lacks scope read (it has ${claims.scopes.join(', ')}): the console shows what a token may read`,
    }
  }
  const allowed = (scope: Scope) => (appid: string, env: string) =>
    hasScope(claims, scope) && covers(claims, appid, env)
  return {
    kind: 'token',
    token: {
      tid: claims.tid,
      scopes: [...claims.scopes],
      apps: [...claims.apps],
      envs: [...claims.envs],
      expMs: claims.exp * 1000,
    },
    reads: allowed('read'),
    writes: allowed('write'),
    history: allowed('admin'),
  }
}

/**
 * For /metrics: a refusal (401 without a token, 403 without `metrics` or `admin`), else which
 * apps the caller may see: all with AUTH=off, those the token covers otherwise.
 */
export function metricsView(access: Access): Response | ((appid: string, env: string) => boolean) {
  if (access.kind === 'open') return always
  if (access.kind === 'anonymous') {
    return refusalResponse(
      401,
      'metrics need a token with scope metrics (or admin): send Authorization: Bearer <token>'
    )
  }
  const claims = access.claims
  if (!hasScope(claims, 'metrics')) {
    return refusalResponse(
      403,
      `token ${claims.tid} lacks scope metrics (it has ${claims.scopes.join(', ')})`
    )
  }
  return (appid, env) => covers(claims, appid, env)
}
