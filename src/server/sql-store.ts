/**
 * One application's instances in the Durable Object's SQLite database. Timestamps are kept
 * as decimal TEXT because sql.exec only carries JS numbers. Schema: docs/storage-schema.md.
 * Synchronous: every call is a local SQLite statement; the output gate makes it durable
 * before any response leaves the object. Production's RegistryStore (registry-store.ts); it
 * knows SQL and rows, never registry rules.
 */
import type { Instance } from '../registry/model.ts'
import type { RenewToPersist } from '../registry/registry.ts'
import { migrate } from './migrations.ts'
import {
  HISTORY_ROWS,
  type HistoryEntry,
  type RegistryStore,
  type SessionOwner,
  type StoredApp,
  type StoredOwner,
} from './registry-store.ts'

/** An instance row's `doc` column: the instance with its timestamps as decimal strings. */
type InstanceDoc = Omit<
  Instance,
  'regTimestamp' | 'upTimestamp' | 'renewTimestamp' | 'dirtyTimestamp' | 'latestTimestamp'
> & {
  reg: string
  up: string
  renew: string
  dirty: string
  latest: string
}

type InstanceRow = { doc: string; renew_ms: number }

/**
 * The history is trimmed back to HISTORY_ROWS once per this many appends, not on each one:
 * a trim on every register would add a statement and a page to every commit.
 */
const HISTORY_TRIM_EVERY = 64

/** The app in the Durable Object's SQLite database (schema: migrations.ts). */
export class SqlStore implements RegistryStore {
  readonly #sql: SqlStorage
  /** The `latest` of the instance row written last, until the counter is stored (see latest()). */
  #rowLatest: bigint | undefined

  constructor(sql: SqlStorage) {
    this.#sql = sql
    migrate(sql)
  }

  load(): StoredApp {
    const meta = new Map(
      this.#sql
        .exec<{ key: string; value: string }>('SELECT key, value FROM meta')
        .toArray()
        .map((r) => [r.key, r.value])
    )
    const instances = this.#sql
      .exec<InstanceRow>('SELECT doc, renew_ms FROM instances')
      .toArray()
      .map((row) => ({
        instance: fromDoc(JSON.parse(row.doc) as InstanceDoc),
        persistedRenewMs: row.renew_ms,
      }))
    // The counter is the stored one or, when a change stored it only in its row, that row's.
    let latestTimestamp = BigInt(meta.get('latest_timestamp') ?? '0')
    for (const { instance } of instances) {
      if (instance.latestTimestamp > latestTimestamp) latestTimestamp = instance.latestTimestamp
    }
    const owners = this.#sql
      .exec<{
        zone: string
        hostname: string
        session: string
        closed_ms: number | null
        wave: number
      }>('SELECT zone, hostname, session, closed_ms, wave FROM session_owners')
      .toArray()
      .map(
        (r): StoredOwner => ({
          zone: r.zone,
          hostname: r.hostname,
          session: r.session,
          closedMs: r.closed_ms,
          wave: r.wave === 1,
        })
      )
    return { appid: meta.get('appid'), env: meta.get('env'), latestTimestamp, instances, owners }
  }

  /** Remember which application this object holds (needed when an alarm wakes it). */
  identify(appid: string, env: string): void {
    this.#setMeta('appid', appid)
    this.#setMeta('env', env)
  }

  put(instance: Instance): void {
    this.#sql.exec(
      'INSERT OR REPLACE INTO instances (zone, hostname, doc, renew_ms) VALUES (?, ?, ?, ?)',
      instance.zone,
      instance.hostname,
      JSON.stringify(toDoc(instance)),
      Number(instance.renewTimestamp / 1_000_000n)
    )
    this.#rowLatest = instance.latestTimestamp
  }

  delete(instance: Instance): void {
    this.#sql.exec(
      'DELETE FROM instances WHERE zone = ? AND hostname = ?',
      instance.zone,
      instance.hostname
    )
    this.#rowLatest = undefined
  }

  /** Write back renew times in one go (the coarse renew flush). */
  renewed(renews: RenewToPersist[]): void {
    for (const r of renews) {
      this.#sql.exec(
        'UPDATE instances SET renew_ms = ? WHERE zone = ? AND hostname = ?',
        r.renewMs,
        r.zone,
        r.hostname
      )
    }
  }

  /** Append to the app's history; it keeps the newest HISTORY_ROWS entries (and a few more). */
  record(entries: HistoryEntry[]): void {
    let trim = false
    for (const e of entries) {
      const { seq } = this.#sql
        .exec<{ seq: number }>(
          'INSERT INTO history (at_ms, op, zone, hostname, actor) VALUES (?, ?, ?, ?, ?) RETURNING seq',
          e.atMs,
          e.op,
          e.zone,
          e.hostname,
          e.actor
        )
        .one()
      // counted by the row id, not in memory: an object that sleeps between a few writes trims too
      if (seq % HISTORY_TRIM_EVERY === 0) trim = true
    }
    if (trim)
      this.#sql.exec(
        'DELETE FROM history WHERE seq <= (SELECT MAX(seq) FROM history) - ?',
        HISTORY_ROWS
      )
  }

  /** The newest `limit` history entries, newest first. */
  history(limit: number): HistoryEntry[] {
    return this.#sql
      .exec<{
        at_ms: number
        op: HistoryEntry['op']
        zone: string
        hostname: string
        actor: string
      }>(
        'SELECT at_ms, op, zone, hostname, actor FROM history ORDER BY seq DESC LIMIT ?',
        limit // at most HISTORY_ROWS (params.ts); the table may hold a few more between two trims
      )
      .toArray()
      .map((r) => ({ atMs: r.at_ms, op: r.op, zone: r.zone, hostname: r.hostname, actor: r.actor }))
  }

  /**
   * Store the app's change counter. Skipped when it equals the `latest` of the instance row
   * just written (a register, a set): load() takes the largest of the stored counter and every
   * row's `latest`, and the counter is never below any row's, so it reloads the same. Saves a
   * statement and a page on every register.
   */
  latest(latestTimestamp: bigint): void {
    const inRow = latestTimestamp === this.#rowLatest
    this.#rowLatest = undefined
    if (!inRow) this.#setMeta('latest_timestamp', latestTimestamp.toString())
  }

  own(zone: string, hostname: string, owner: SessionOwner | null): void {
    if (owner === null) {
      this.#sql.exec('DELETE FROM session_owners WHERE zone = ? AND hostname = ?', zone, hostname)
      return
    }
    this.#sql.exec(
      'INSERT OR REPLACE INTO session_owners (zone, hostname, session, closed_ms, wave) VALUES (?, ?, ?, ?, ?)',
      zone,
      hostname,
      owner.session,
      owner.closedMs,
      owner.wave ? 1 : 0
    )
  }

  #setMeta(key: string, value: string): void {
    this.#sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value)
  }
}

function toDoc(i: Instance): InstanceDoc {
  return {
    region: i.region,
    zone: i.zone,
    env: i.env,
    appid: i.appid,
    hostname: i.hostname,
    addrs: i.addrs,
    version: i.version,
    metadata: i.metadata,
    status: i.status,
    reg: i.regTimestamp.toString(),
    up: i.upTimestamp.toString(),
    renew: i.renewTimestamp.toString(),
    dirty: i.dirtyTimestamp.toString(),
    latest: i.latestTimestamp.toString(),
  }
}

function fromDoc(d: InstanceDoc): Instance {
  return {
    region: d.region,
    zone: d.zone,
    env: d.env,
    appid: d.appid,
    hostname: d.hostname,
    addrs: d.addrs,
    version: d.version,
    metadata: d.metadata,
    status: d.status,
    regTimestamp: BigInt(d.reg),
    upTimestamp: BigInt(d.up),
    renewTimestamp: BigInt(d.renew),
    dirtyTimestamp: BigInt(d.dirty),
    latestTimestamp: BigInt(d.latest),
  }
}
