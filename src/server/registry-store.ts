/**
 * What a registry object keeps of one application, as an interface: the instances, their
 * coarse renew times, the change counter, which app it is, and the history. SqlStore is the
 * production one (the object's SQLite), MemoryStore the one for Node tests and fakes. Both
 * answer the contract in test/support/registry-store-contract.ts. No platform types here.
 */
import { LIMITS } from '../protocol/limits.ts'
import type { Instance, StoredInstance } from '../registry/model.ts'
import type { RenewToPersist } from '../registry/registry.ts'

/** One change of the app, and who made it (a token id, never a token). */
export interface HistoryEntry {
  atMs: number
  /** `renew` only when another token than the registering one made it (instance-writers.ts). */
  op: 'register' | 'renew' | 'cancel' | 'set' | 'evict'
  zone: string
  hostname: string
  actor: string
}

/** How many changes each app keeps in its history. */
export const HISTORY_ROWS = LIMITS.historyRows

/** The session that holds an instance's lease (docs/sessions.md), as stored. */
export interface SessionOwner {
  session: string
  /** When its socket closed (ms), or null while it is (or may be) connected. */
  closedMs: number | null
  /** Closed in a wave of closes: the instance lives on an ordinary lease, with no grace eviction. */
  wave: boolean
}

/** An owned instance, by key. */
export interface StoredOwner extends SessionOwner {
  zone: string
  hostname: string
}

/** What a registry object loads when it wakes. */
export interface StoredApp {
  appid: string | undefined
  env: string | undefined
  latestTimestamp: bigint
  instances: StoredInstance[]
  /** The instances a session owns. */
  owners: StoredOwner[]
}

/**
 * Storage of one application. Every method is synchronous on purpose: a batch of writes
 * (write-batch.ts) runs in one synchronous block, so SQLite commits it once.
 */
export interface RegistryStore {
  /** Everything stored; the counter is at least every instance's `latestTimestamp`. */
  load(): StoredApp
  /** Remember which application this is (needed when an alarm wakes the object). */
  identify(appid: string, env: string): void
  /** Insert or replace an instance; its renew time is stored with it. */
  put(instance: Instance): void
  /** Remove an instance (by zone and hostname); unknown ones are ignored. */
  delete(instance: Instance): void
  /** Write back renew times in one go (the coarse renew flush); unknown instances are ignored. */
  renewed(renews: RenewToPersist[]): void
  /** Append to the history; it keeps at least the newest HISTORY_ROWS entries. */
  record(entries: HistoryEntry[]): void
  /** The newest `limit` (at most HISTORY_ROWS) history entries, newest first. */
  history(limit: number): HistoryEntry[]
  /** Store the app's change counter. */
  latest(latestTimestamp: bigint): void
  /** Record which session owns an instance, or (null) that none does. */
  own(zone: string, hostname: string, owner: SessionOwner | null): void
}
