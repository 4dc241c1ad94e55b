/**
 * What an app's object does in steady state over HTTP, counted rather than assumed: the
 * registry core (src/registry) driven by a simulated clock, with instances renewing every
 * renew interval, and the lease alarm armed as RegistryObject arms it (at the core's
 * nextWakeMs, never closer than its minimum gap, re-armed after each alarm). Each alarm calls
 * evictExpired and renewsToPersist, as AppRegistry.alarm does; every renew to persist is one
 * `UPDATE instances … WHERE zone = ? AND hostname = ?` (SqlStore.renewed): one row written
 * (the table has no secondary index) and one read. Runs in milliseconds.
 */
import { LIMITS } from '../../src/protocol/limits.ts'
import { Registry } from '../../src/registry/registry.ts'

export interface LeaseCountsSpec {
  instances: number
  /** How often each instance renews (the SDKs: every 30 s). */
  renewIntervalMs: number
  /** EVICT_AFTER_SECONDS in ms (90 s). */
  evictAfterMs: number
  /** Simulated time counted, after a warm-up of three leases. */
  hours: number
}

export interface LeaseCounts {
  alarmsPerAppPerHour: number
  rowsWrittenPerInstancePerHour: number
}

/** RegistryObject: `Math.min(1000, evictAfterMs / 10)` between two alarms at least. */
const alarmGapMs = (evictAfterMs: number) => Math.min(1000, evictAfterMs / 10)
const HOUR_MS = 3_600_000

export function countLeaseWork(spec: LeaseCountsSpec): LeaseCounts {
  const { instances, renewIntervalMs, evictAfterMs } = spec
  const registry = new Registry(
    {
      evictAfterMs,
      renewIntervalMs,
      selfPreservation: true,
      maxSilenceMs: HOUR_MS,
      maxInstances: 50_000,
      maxSkewMs: LIMITS.clockSkewMs,
      maxMetadataBytes: LIMITS.metadataBytes,
      // the byte budget plays no part in lease work
      maxBytes: Number.POSITIVE_INFINITY,
      sizeOf: () => 0,
    },
    0
  )
  const key = (i: number) => ({ appid: 'bench.cost', env: 'dev', zone: 'sh001', hostname: `h${i}` })
  for (let i = 0; i < instances; i++) {
    const input = { ...key(i), region: 'sh', addrs: ['grpc://10.0.0.1:9000'], version: '' }
    const registered = registry.register(
      { ...input, metadata: null, status: 1, dirtyTimestamp: 0n },
      0
    )
    if (!registered.ok) throw new Error(`simulated register: ${registered.error.reason}`)
  }
  // Renews spread evenly over the interval, as independent clients spread them.
  const renewAt = (i: number, round: number) =>
    round * renewIntervalMs + Math.floor((i * renewIntervalMs) / instances) + 1
  const warmUpMs = 3 * evictAfterMs
  const endMs = warmUpMs + spec.hours * HOUR_MS
  let alarmAt: number | undefined = registry.nextWakeMs(0)
  let alarms = 0
  let rows = 0
  for (let round = 0; round * renewIntervalMs < endMs; round++) {
    for (let i = 0; i < instances; i++) {
      const now = renewAt(i, round)
      while (alarmAt !== undefined && alarmAt <= now) {
        const at: number = alarmAt
        registry.evictExpired(at)
        const written = registry.renewsToPersist().length
        if (at >= warmUpMs && at < endMs) {
          alarms += 1
          rows += written
        }
        const next = registry.nextWakeMs(at)
        alarmAt = next === undefined ? undefined : Math.max(next, at + alarmGapMs(evictAfterMs))
      }
      const renewed = registry.renew({ ...key(i), replication: false, dirtyTimestamp: 0n }, now)
      if (!renewed.ok) throw new Error(`simulated renew: ${renewed.error.reason}`)
    }
  }
  return {
    alarmsPerAppPerHour: alarms / spec.hours,
    rowsWrittenPerInstancePerHour: rows / instances / spec.hours,
  }
}
