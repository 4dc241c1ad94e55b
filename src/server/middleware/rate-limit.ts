/**
 * Rate limits (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_TOKEN; limiters picked by
 * ../rate-limits.ts). The address limit runs before any token is verified, so a flood of forged
 * tokens costs no signature checks past it; the token limit runs once the token is known.
 */
import type { MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env.ts'
import { addressKey } from '../client-address.ts'
import { refusalResponse } from '../responses.ts'

const pass: MiddlewareHandler<AppEnv> = async (_c, next) => next()

/**
 * 429 once the client address (`cf-connecting-ip`; an IPv6 client by its /64) exceeds
 * `limiter`; none = unlimited.
 */
export function limitByAddress(limiter: RateLimit | undefined): MiddlewareHandler<AppEnv> {
  if (!limiter) return pass
  return createMiddleware<AppEnv>(async (c, next) => {
    const address = addressKey(c.req.header('cf-connecting-ip') ?? 'local')
    if (!(await limiter.limit({ key: `addr:${address}` })).success) {
      return refusalResponse(429, `rate limit exceeded for client address ${address}`)
    }
    return next()
  })
}

/** 429 once the caller's token exceeds `limiter`; callers without a token are not counted here. */
export function limitByToken(limiter: RateLimit | undefined): MiddlewareHandler<AppEnv> {
  if (!limiter) return pass
  return createMiddleware<AppEnv>(async (c, next) => {
    const access = c.get('access')
    if (
      access?.kind === 'token' &&
      !(await limiter.limit({ key: `token:${access.claims.tid}` })).success
    ) {
      return refusalResponse(429, `rate limit exceeded for token ${access.claims.tid}`)
    }
    return next()
  })
}
