/**
 * Result values and the registry's expected failures (a tagged union).
 * The only place a reason becomes a wire code is protocol/ecode.ts.
 */
import type { Instance } from './model.ts'

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E }

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error })

/**
 * - `not_found`: no such app/zone (`detail: 'none'`) or no such hostname in a known zone (`'empty'`).
 * - `newer_elsewhere`: a peer renew whose dirty timestamp is newer than ours ("send me a register").
 * - `conflict`: a peer renew whose dirty timestamp is older than ours ("take mine").
 * - `invalid`: the request names something that does not exist or breaks a rule; `field` says which.
 * - `full`: a limit of this registry would be exceeded.
 */
export type RegistryError =
  | { reason: 'not_found'; detail: 'none' | 'empty' }
  | { reason: 'newer_elsewhere'; instance: Instance }
  | { reason: 'conflict'; instance: Instance }
  | { reason: 'invalid'; field: string; message: string }
  | { reason: 'full'; message: string }
