/**
 * After every answer, read and drop a request body nothing read (a GET's, a refused write's):
 * the answer then leaves on a connection that stays usable (body-drain.ts says why).
 */
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env.ts'
import { drainUnread } from '../body-drain.ts'

export const drainBody = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next()
    await drainUnread(c.req.raw)
  })
