/**
 * The catalog: which applications (appid + env) exist, for fetch/all, plus the registry's own
 * epoch. One object for the whole registry, written only when an app gains its first
 * instance or loses its last, never on the request path of renew, fetch or poll.
 */
import { DurableObject } from 'cloudflare:workers'
import { msToNs } from '../registry/clock.ts'
import { CATALOG_MIGRATIONS, migrate } from './migrations.ts'

export interface AppRef {
  appid: string
  env: string
}

export class CatalogObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    migrate(ctx.storage.sql, CATALOG_MIGRATIONS)
  }

  async add(appid: string, env: string): Promise<void> {
    this.ctx.storage.sql.exec('INSERT OR IGNORE INTO apps (appid, env) VALUES (?, ?)', appid, env)
  }

  async remove(appid: string, env: string): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM apps WHERE appid = ? AND env = ?', appid, env)
  }

  /** How many apps are listed: a cheap call that proves the catalog answers (GET /health). */
  async count(): Promise<number> {
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM apps').one().n
  }

  async apps(): Promise<AppRef[]> {
    return this.ctx.storage.sql
      .exec<{ appid: string; env: string }>('SELECT appid, env FROM apps ORDER BY appid, env')
      .toArray()
  }

  /**
   * The registry's epoch (ns, as a decimal string): the `latest_timestamp` of infra.discovery.
   * Stable while the registry's identity (`identity`) stays the same; moves forward when it
   * changes, so clients polling infra.discovery see the new nodes.
   */
  async epoch(identity: string): Promise<string> {
    const sql = this.ctx.storage.sql
    const row = (key: string) =>
      sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value
    const current = row('epoch')
    if (current !== undefined && row('identity') === identity) return current
    const now = msToNs(Date.now())
    const next = current !== undefined && BigInt(current) >= now ? BigInt(current) + 1n : now
    sql.exec(
      "INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?), ('identity', ?)",
      next.toString(),
      identity
    )
    return next.toString()
  }
}
