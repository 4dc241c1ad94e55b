/**
 * What the SDK hands out for an application: its instances by zone and its change counter, as
 * `fetch` and `watch` deliver them. Also the comparison the watcher uses to tell a real change
 * from the same instances re-sent (after a node switch, cursors restart at 0).
 */
import type { Instance } from '../registry/model.ts'

/** One application's instances (by zone) and its `latest_timestamp` (node-local, ns). */
export interface AppSnapshot {
  appid: string
  instances: Record<string, Instance[]>
  latestTimestamp: bigint
}

/** Every instance of a snapshot, all zones, in zone order. */
export function allInstances(snapshot: Pick<AppSnapshot, 'instances'>): Instance[] {
  return Object.values(snapshot.instances).flat()
}

/** The number of instances of a snapshot. */
export const instanceCount = (snapshot: Pick<AppSnapshot, 'instances'>): number =>
  Object.values(snapshot.instances).reduce((n, list) => n + list.length, 0)

/**
 * A fingerprint of what consumers act on (zone, hostname, addrs, status, metadata, version),
 * independent of order and of timestamps. Equal fingerprints = nothing to tell watchers.
 */
export function fingerprint(snapshot: Pick<AppSnapshot, 'instances'>): string {
  return allInstances(snapshot)
    .map((i) =>
      JSON.stringify([i.zone, i.hostname, i.addrs, i.status, sortedEntries(i.metadata), i.version])
    )
    .sort()
    .join('\n')
}

const sortedEntries = (metadata: Instance['metadata']) =>
  metadata === null
    ? null
    : Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
