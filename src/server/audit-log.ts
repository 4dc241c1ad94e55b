/**
 * The audit trail of writes: one JSON line per instance a write touched, on standard output
 * (Workers Logs; `wrangler tail --format json` live). The app's history keeps only its newest
 * 1,000 rows, so whoever floods it can erase a write from it; these lines outlive that. Never a
 * token, a secret, a session id or metadata: the actor is a token id (`token:<tid>`).
 */
import { ECODE } from '../protocol/ecode.ts'
import type { Reply } from '../protocol/reply.ts'

export type AuditOp = 'register' | 'renew' | 'cancel' | 'set' | 'evict'

/** What a write did to one instance. */
export type AuditOutcome =
  /** Changed as asked. */
  | 'ok'
  /** A register older (by dirty_timestamp) than the stored instance: answered 0, nothing changed. */
  | 'stale'
  /** A session re-registered the instance exactly as it is: only its owner changed. */
  | 'claimed'
  /** Refused with -404: no such instance. */
  | 'not_found'
  /** Refused with -400 (a full app, a session over its limit, an unknown hostname, …). */
  | 'refused'

/** The instance a write touched. */
export interface AuditTarget {
  appid: string
  env: string
  zone: string
  hostname: string
}

/**
 * Write one audit line. `actor`: `token:<tid>`, `auth-off` or `anonymous`, and for evictions
 * `lease` or `session`; `atMs`: the registry object's clock, as in the history.
 */
export function audit(
  op: AuditOp,
  target: AuditTarget,
  actor: string,
  atMs: number,
  outcome: AuditOutcome
): void {
  const { appid, env, zone, hostname } = target
  const line = { audit: 'write', op, appid, env, zone, hostname, actor, outcome, at_ms: atMs }
  console.log(JSON.stringify(line))
}

/** A refused write: one audit line per hostname it named; answers `reply` unchanged. */
export function auditRefusal(
  op: AuditOp,
  app: Omit<AuditTarget, 'hostname'>,
  hostnames: readonly string[],
  actor: string,
  atMs: number,
  reply: Reply
): Reply {
  const outcome = reply.code === ECODE.NOTHING_FOUND ? 'not_found' : 'refused'
  for (const hostname of hostnames) audit(op, { ...app, hostname }, actor, atMs, outcome)
  return reply
}
