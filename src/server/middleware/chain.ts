/**
 * Middleware in front of one handler, as one handler: for the operator routes, which take the
 * access chain of the discovery routes route by route (so a wrong method still gets its 405
 * rather than a 401). The first middleware that answers ends the request.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../app-env.ts'

/** `handler` behind `middleware`, in order. */
export function chain(
  middleware: readonly MiddlewareHandler<AppEnv>[],
  handler: (c: Context<AppEnv>) => Response | Promise<Response>
): (c: Context<AppEnv>) => Promise<Response> {
  return (c) => {
    const run = async (index: number): Promise<Response> => {
      const next = middleware[index]
      if (next === undefined) return handler(c)
      let answer: Response | undefined
      const early = await next(c, async () => {
        answer = await run(index + 1)
      })
      return early ?? answer ?? c.res
    }
    return run(0)
  }
}
