/**
 * Who is calling: reads the credential (an `Authorization: Bearer` header; HTTP Basic with the
 * token as user or password, which Go sends for a `token@host:port` node; or a `/t/<token>`
 * path prefix, for clients that only let you configure a node address), verifies it and sets
 * the caller's `access` on the context, or answers 401. A WebSocket upgrade from a browser,
 * which cannot set headers, may offer the token as the subprotocol `bearer.<token>`. Whether a route allows that caller is
 * the route's question (../access.ts).
 */
import type { MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { base64Text, verifyToken } from '../../auth/token.ts'
import { TOKEN_PROTOCOL_PREFIX } from '../../protocol/session-frames.ts'
import type { Access, Via } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import { cleanPath } from '../clean-path.ts'
import type { AuthConfig } from '../config.ts'
import { refusalResponse } from '../responses.ts'

const OPEN: Access = { kind: 'open' }
const ANONYMOUS: Access = { kind: 'anonymous' }

/** AUTH=off: every caller is open, nothing is checked. */
export const openAccess = (): MiddlewareHandler<AppEnv> =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set('access', OPEN)
    return next()
  })

/** AUTH=tokens without TOKEN_KEYS: every request is refused, with the fix in the message. */
export const noSigningKey = (): MiddlewareHandler<AppEnv> =>
  createMiddleware<AppEnv>(async () =>
    refusalResponse(
      401,
      'auth is on (AUTH=tokens) but no signing key is configured: set the TOKEN_KEYS secret (kid:secret pairs), or AUTH=off for a local run'
    )
  )

/** AUTH=tokens: a verified token's access, anonymous without a credential, 401 for a bad one. */
export const authenticate = (config: AuthConfig): MiddlewareHandler<AppEnv> =>
  createMiddleware<AppEnv>(async (c, next) => {
    const credential = credentialOf(
      c.req.header('authorization') ?? protocolToken(c.req.header('sec-websocket-protocol')),
      cleanPath(c.req.url).pathToken
    )
    if ('problem' in credential) return refusalResponse(401, credential.problem)
    if (credential.token === undefined) {
      c.set('access', ANONYMOUS)
      return next()
    }
    const verified = await verifyToken(credential.token, config.keys, Date.now(), config.revoked)
    if (!verified.ok) return refusalResponse(401, `token refused: ${verified.problem}`)
    c.set('access', {
      kind: 'token',
      claims: verified.claims,
      token: credential.token,
      via: credential.via,
    })
    return next()
  })

/** A `bearer.<token>` subprotocol offer, as an Authorization header value. */
function protocolToken(offers: string | undefined): string | undefined {
  const offer = offers
    ?.split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))
  return offer === undefined ? undefined : `Bearer ${offer.slice(TOKEN_PROTOCOL_PREFIX.length)}`
}

type Credential = { token: string | undefined; via: Via } | { problem: string }

/** The token of an Authorization header, else of the path; a problem for a malformed header. */
function credentialOf(header: string | undefined, pathToken: string | undefined): Credential {
  if (header) {
    const [scheme = '', value = ''] = header.trim().split(/\s+/, 2)
    if (scheme.toLowerCase() === 'bearer' && value) return { token: value, via: 'bearer' }
    if (scheme.toLowerCase() === 'basic' && value) {
      const decoded = base64Text(value)
      if (decoded === undefined)
        return { problem: 'Authorization: Basic value is not base64 of user:password' }
      const colon = decoded.indexOf(':')
      const user = colon < 0 ? decoded : decoded.slice(0, colon)
      const password = colon < 0 ? '' : decoded.slice(colon + 1)
      return { token: password || user, via: 'basic' }
    }
    return {
      problem:
        'Authorization must be "Bearer <token>" (or Basic with the token as user or password)',
    }
  }
  return pathToken === undefined
    ? { token: undefined, via: 'bearer' }
    : { token: pathToken, via: 'path' }
}
