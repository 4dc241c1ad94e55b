/**
 * How the CLI prints: aligned text tables for people, int64-exact JSON for scripts. Pure
 * string building; the CLI decides where it goes.
 */
import { stringify } from '../protocol/int64-json.ts'
import { type Instance, STATUS_UP, STATUS_WAITING } from '../registry/model.ts'
import type { HistoryEntry, NodeStatus } from './wire.ts'

/** Rows of cells as left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd()
    )
    .join('\n')
}

const statusName = (status: number): string =>
  status === STATUS_UP ? 'UP' : status === STATUS_WAITING ? 'WAITING' : String(status)

/** Metadata as `k=v,k=v`. */
export const metadataText = (metadata: Instance['metadata']): string =>
  metadata === null
    ? ''
    : Object.entries(metadata)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')

/** One row per instance: zone, hostname, status, addresses, version, metadata. */
export function instancesTable(instances: readonly Instance[]): string {
  const sorted = [...instances].sort(
    (a, b) => a.zone.localeCompare(b.zone) || a.hostname.localeCompare(b.hostname)
  )
  return table([
    ['ZONE', 'HOSTNAME', 'STATUS', 'ADDRS', 'VERSION', 'METADATA'],
    ...sorted.map((i) => [
      i.zone,
      i.hostname,
      statusName(i.status),
      i.addrs.join(','),
      i.version,
      metadataText(i.metadata),
    ]),
  ])
}

/** `fetch/all` as one row per (appid, env): instance counts by status, and zones. */
export function appsTable(all: Record<string, Instance[]>): string {
  const rows: string[][] = []
  for (const appid of Object.keys(all).sort()) {
    const byEnv = new Map<string, Instance[]>()
    for (const i of all[appid] ?? []) byEnv.set(i.env, [...(byEnv.get(i.env) ?? []), i])
    for (const [env, list] of [...byEnv].sort(([a], [b]) => a.localeCompare(b))) {
      const up = list.filter((i) => i.status === STATUS_UP).length
      const zones = [...new Set(list.map((i) => i.zone))].sort().join(',')
      rows.push([appid, env, String(up), String(list.length - up), zones])
    }
  }
  return table([['APPID', 'ENV', 'UP', 'WAITING', 'ZONES'], ...rows])
}

/** `/discovery/nodes`. */
export function nodesTable(nodes: readonly NodeStatus[]): string {
  const rows = nodes.map((n) => [n.addr, n.status === 0 ? 'UP' : 'LOST', n.zone])
  return table([['ADDR', 'STATUS', 'ZONE'], ...rows])
}

/** An app's history, newest first, one row per change. */
export function historyTable(entries: readonly HistoryEntry[]): string {
  const rows = entries.map((e) => [
    new Date(e.atMs).toISOString(),
    e.op,
    e.zone,
    e.hostname,
    e.actor,
  ])
  return table([['TIME', 'OP', 'ZONE', 'HOSTNAME', 'ACTOR'], ...rows])
}

/** Any SDK value as JSON (timestamps as exact integers). */
export const json = (value: unknown): string => stringify(value)
