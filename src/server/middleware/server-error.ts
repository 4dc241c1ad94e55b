/**
 * The -500 guard: anything a route or middleware throws is answered with the -500 envelope
 * (HTTP 200, as the reference never sends a 500) and logged as one JSON line with its context.
 */
import type { ErrorHandler } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { serverErrorResponse } from '../responses.ts'

/** Hono's `onError`: log the failure, answer -500. */
export const serverError = (): ErrorHandler<AppEnv> => (error, c) => {
  const log = {
    op: 'request',
    method: c.req.method,
    path: c.req.path,
    error: String(error),
    stack: error.stack,
  }
  console.error(JSON.stringify(log))
  return serverErrorResponse()
}
