/**
 * The Hono environment of the Worker's app: its bindings, and what the middleware leaves on
 * the context for the routes (the caller's access, set by the access middleware).
 */
import type { Access } from './access.ts'

/** The `E` type parameter of every Hono instance, handler and middleware of the Worker. */
export interface AppEnv {
  Bindings: Env
  Variables: {
    /** Who is calling; absent until the access middleware ran (routes fail closed then). */
    access?: Access
  }
}
