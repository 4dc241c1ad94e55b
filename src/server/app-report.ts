/**
 * What the console and /metrics know of one app: counts by status, zones, last change, the
 * self-preservation figures, held sockets, change counters, and (for the console) the instances
 * that match a filter. Built by the app's object from its AppRegistry (`appReport`) and sent
 * to the Worker as one plain value over RPC. Read-only: building a report changes nothing.
 */
import { nsToMs } from '../registry/clock.ts'
import type { Instance } from '../registry/model.ts'
import type { AppCounts } from './app-counters.ts'
import type { AppRegistry } from './app-registry.ts'

/** Which instances a report lists; every given part must match. */
export interface InstanceFilter {
  /** Part of the hostname, any case; '' = any. */
  hostname: string
  /** A metadata key that must be present; '' = any. */
  metaKey: string
  /** With `metaKey`: its exact value; undefined = any value. */
  metaValue: string | undefined
}

/** No filter: every instance. */
export const NO_FILTER: InstanceFilter = { hostname: '', metaKey: '', metaValue: undefined }

/** One instance as the console shows it: wire names, times in ms. */
export interface InstanceRow {
  zone: string
  hostname: string
  region: string
  addrs: string[]
  version: string
  metadata: Record<string, string>
  status: number
  regMs: number
  upMs: number
  renewMs: number
  dirtyMs: number
}

/** An app's figures and, when asked for, its matching instances. */
export interface AppReport {
  appid: string
  env: string
  /** Instances by status. */
  up: number
  waiting: number
  /** The zones that have instances, sorted. */
  zones: string[]
  /** When the app last changed (its `latest_timestamp`, ms); 0 when it has no instance. */
  lastChangeMs: number
  guard: {
    /** Whether SELF_PRESERVATION is on. */
    enabled: boolean
    /** Whether eviction is paused now. */
    protecting: boolean
    /** Renews in the last window (null before the first full window) and the number expected. */
    renews: number | null
    expected: number
    /** The window's length: two renew intervals. */
    windowMs: number
  }
  /** Polls holding a socket on the app, and connected sessions. */
  heldPolls: number
  sessions: number
  /** Changes since the object started, and when it started (ms). */
  counts: AppCounts
  startedMs: number
  /** The object's clock when the report was made (ms). */
  nowMs: number
  /** Up to the limit asked for, the instances that match the filter, sorted by zone and hostname. */
  instances: InstanceRow[]
  /** How many instances match the filter (may exceed `instances.length`). */
  matched: number
}

/** What the object adds to its AppRegistry's own knowledge. */
export interface ReportContext {
  app: { appid: string; env: string }
  /** Each connected session's last heartbeat (ms), as the lease alarm reads it. */
  lastSeen: ReadonlyMap<string, number>
  heldPolls: number
  sessions: number
  counts: AppCounts
  startedMs: number
  nowMs: number
  /** The guard's window (two renew intervals). */
  windowMs: number
}

/** The report of `registry`; lists at most `limit` matching instances (0: counts only). */
export function appReport(
  registry: AppRegistry,
  context: ReportContext,
  filter: InstanceFilter = NO_FILTER,
  limit = 0
): AppReport {
  const all = registry.instances()
  let up = 0
  const zones = new Set<string>()
  for (const instance of all) {
    if (instance.status === 1) up += 1
    zones.add(instance.zone)
  }
  const matching = isEmptyFilter(filter) ? all : all.filter((i) => matches(i, filter))
  const listed = limit > 0 ? [...matching].sort(byZoneAndHostname).slice(0, limit) : []
  const guard = registry.guardStatus(context.lastSeen)
  return {
    ...context.app,
    up,
    waiting: all.length - up,
    zones: [...zones].sort(),
    lastChangeMs: nsToMs(registry.latestTimestamp),
    guard: {
      enabled: guard.enabled,
      protecting: guard.protecting,
      renews: guard.renews,
      expected: guard.expected,
      windowMs: context.windowMs,
    },
    heldPolls: context.heldPolls,
    sessions: context.sessions,
    counts: context.counts,
    startedMs: context.startedMs,
    nowMs: context.nowMs,
    instances: listed.map(instanceRow),
    matched: matching.length,
  }
}

/** Whether the filter lets every instance through. */
export const isEmptyFilter = (filter: InstanceFilter): boolean =>
  filter.hostname === '' && filter.metaKey === ''

/** Whether `instance` passes `filter`. */
export function matches(instance: Instance, filter: InstanceFilter): boolean {
  if (filter.hostname !== '') {
    if (!instance.hostname.toLowerCase().includes(filter.hostname.toLowerCase())) return false
  }
  if (filter.metaKey !== '') {
    const metadata = instance.metadata
    if (metadata === null || !Object.hasOwn(metadata, filter.metaKey)) return false
    if (filter.metaValue !== undefined && metadata[filter.metaKey] !== filter.metaValue)
      return false
  }
  return true
}

function byZoneAndHostname(a: Instance, b: Instance): number {
  if (a.zone !== b.zone) return a.zone < b.zone ? -1 : 1
  return a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0
}

function instanceRow(i: Instance): InstanceRow {
  return {
    zone: i.zone,
    hostname: i.hostname,
    region: i.region,
    addrs: [...i.addrs],
    version: i.version,
    metadata: { ...(i.metadata ?? {}) },
    status: i.status,
    regMs: nsToMs(i.regTimestamp),
    upMs: nsToMs(i.upTimestamp),
    renewMs: nsToMs(i.renewTimestamp),
    dirtyMs: nsToMs(i.dirtyTimestamp),
  }
}
