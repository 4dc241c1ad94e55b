/**
 * The reference router's transport errors, before any authentication: an unknown path is 404
 * (whatever the method), and HEAD on a known one is 405 (Hono would otherwise run the GET
 * route). A known path asked with another wrong method reaches app.notFound, which answers 405.
 */
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env.ts'
import { KNOWN_PATHS } from '../clean-path.ts'
import { methodNotAllowedResponse, notFoundResponse } from '../responses.ts'

/** 404 for an unknown (cleaned) path, 405 for HEAD; everything else goes on. */
export const knownPaths = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!KNOWN_PATHS.has(c.req.path)) return notFoundResponse()
    if (c.req.method === 'HEAD') return methodNotAllowedResponse()
    return next()
  })
