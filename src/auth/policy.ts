/**
 * What a token may do. Pure: given claims and a need, say whether it is allowed, and if not,
 * which scope, app or env is missing. `admin` includes `read` and `write`.
 */
import { matches, type Scope, type TokenClaims } from './token.ts'

/** What a request needs: a scope on some apps of one env. */
export interface Need {
  scope: Scope
  env: string
  apps: string[]
}

/** Whether the claims grant `scope` (admin grants every scope). */
export const hasScope = (claims: TokenClaims, scope: Scope): boolean =>
  claims.scopes.includes(scope) || claims.scopes.includes('admin')

/** Whether the claims cover appid `appid` in env `env` (any scope). */
export const covers = (claims: TokenClaims, appid: string, env: string): boolean =>
  claims.apps.some((p) => matches(p, appid)) && claims.envs.some((p) => matches(p, env))

/** Undefined when allowed; otherwise a sentence naming what is missing. */
export function refusal(claims: TokenClaims, need: Need): string | undefined {
  if (!hasScope(claims, need.scope)) {
    return `token ${claims.tid} lacks scope ${need.scope} (it has ${claims.scopes.join(', ')})`
  }
  if (!claims.envs.some((p) => matches(p, need.env))) {
    return `token ${claims.tid} lacks scope ${need.scope} on env ${need.env}`
  }
  const appid = need.apps.find((a) => !claims.apps.some((p) => matches(p, a)))
  return appid === undefined
    ? undefined
    : `token ${claims.tid} lacks scope ${need.scope} on appid ${appid}`
}
