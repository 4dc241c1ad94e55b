/**
 * Ordered, append-only schema migrations for the objects' SQLite databases. The id of each
 * applied step is recorded (PRAGMA user_version is unavailable in Durable Objects). Never edit
 * a step that has shipped; add a new one, and update docs/storage-schema.md in the same commit.
 */

/** A list of schema steps; the position + 1 is the step's id. */
export type Migrations = readonly string[]

/** The registry object's schema. */
export const REGISTRY_MIGRATIONS: Migrations = [
  `CREATE TABLE instances (
     zone TEXT NOT NULL,
     hostname TEXT NOT NULL,
     doc TEXT NOT NULL,
     renew_ms INTEGER NOT NULL,
     PRIMARY KEY (zone, hostname)
   );
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // seq is the rowid: rows are only trimmed from the oldest end, so it never goes back, and
  // AUTOINCREMENT would add a sqlite_sequence page to every register's commit. (Edited before
  // any release; a local database made earlier keeps AUTOINCREMENT and behaves the same.)
  `CREATE TABLE history (
     seq INTEGER PRIMARY KEY,
     at_ms INTEGER NOT NULL,
     op TEXT NOT NULL,
     zone TEXT NOT NULL,
     hostname TEXT NOT NULL,
     actor TEXT NOT NULL
   );`,
  `CREATE TABLE session_owners (
     zone TEXT NOT NULL,
     hostname TEXT NOT NULL,
     session TEXT NOT NULL,
     closed_ms INTEGER,
     wave INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (zone, hostname)
   );`,
]

/** The catalog object's schema. */
export const CATALOG_MIGRATIONS: Migrations = [
  `CREATE TABLE apps (appid TEXT NOT NULL, env TEXT NOT NULL, PRIMARY KEY (appid, env));
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
]

/** Apply the steps not applied yet. Synchronous and idempotent; runs in the constructor. */
export function migrate(sql: SqlStorage, steps: Migrations = REGISTRY_MIGRATIONS): void {
  sql.exec('CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY)')
  const done = sql.exec<{ id: number | null }>('SELECT MAX(id) AS id FROM migrations').one().id ?? 0
  steps.forEach((step, index) => {
    const id = index + 1
    if (id <= done) return
    sql.exec(step)
    sql.exec('INSERT INTO migrations (id) VALUES (?)', id)
  })
}
