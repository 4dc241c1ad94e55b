/**
 * Domain types of one application's registry (camelCase; timestamps are bigint nanoseconds).
 * Wire names (snake_case) live only in protocol/.
 */

/** Instance status: 1 = UP (receives traffic), 2 = WAITING (registered, no traffic). */
export const STATUS_UP = 1
export const STATUS_WAITING = 2
export type InstanceStatus = typeof STATUS_UP | typeof STATUS_WAITING

/** String-to-string metadata; `null` when the instance was registered without any. */
export type Metadata = Record<string, string> | null

/** One registered instance: identity (appid, env, zone, hostname) plus its data. */
export interface Instance {
  region: string
  zone: string
  env: string
  appid: string
  hostname: string
  addrs: string[]
  version: string
  metadata: Metadata
  status: InstanceStatus
  regTimestamp: bigint
  upTimestamp: bigint
  renewTimestamp: bigint
  dirtyTimestamp: bigint
  latestTimestamp: bigint
}

/** Identity of an instance inside its application. */
export interface InstanceKey {
  appid: string
  env: string
  zone: string
  hostname: string
}

export interface RegisterInput extends InstanceKey {
  region: string
  addrs: string[]
  version: string
  metadata: Metadata
  status: InstanceStatus
  /** 0n = "now"; otherwise the registration's version for conflict resolution. */
  dirtyTimestamp: bigint
}

export interface RenewInput extends InstanceKey {
  /** true when sent by a peer: the answer compares dirty timestamps (PROTOCOL §3.2). */
  replication: boolean
  dirtyTimestamp: bigint
}

export interface CancelInput extends InstanceKey {
  /** Candidate for the application counter (0n = just advance it). */
  latestTimestamp: bigint
}

export interface SetInput {
  appid: string
  env: string
  zone: string
  hostnames: string[]
  /** Empty, or one status per hostname. */
  statuses: InstanceStatus[]
  /** Empty, or one metadata patch per hostname (merged into the stored metadata). */
  metadata: Record<string, string>[]
  /** 0n = now. */
  setTimestamp: bigint
}

/** Which instances a snapshot shows: an optional zone and a status bit mask. */
export interface SnapshotQuery {
  /** '' = every zone. */
  zone: string
  statusMask: number
}

/** An application view: instances by zone, and the application's change counter. */
export interface AppView {
  instances: Record<string, Instance[]>
  latestTimestamp: bigint
}

/** An instance as persisted, with the coarse renew time the lease restarts from after a reload. */
export interface StoredInstance {
  instance: Instance
  /** Last renew time that reached storage (ms); renews are flushed in batches. */
  persistedRenewMs: number
}
