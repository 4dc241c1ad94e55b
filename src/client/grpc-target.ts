/**
 * What a `discovery://default/<appid>?zone=<z>&cluster=<c>` gRPC target resolves to (docs/protocol.md
 * §7.2), without gRPC itself: the instances of the target's zone (all zones when it has none),
 * optionally only those whose `metadata.cluster` is listed, each as the host:port of its last
 * `grpc://` address.
 */

import { type HostPort, instanceAddress } from './addrs.ts'
import type { AppSnapshot } from './app-snapshot.ts'
import { isUp, zoneCandidates } from './picker.ts'

/** A parsed target path. */
export interface GrpcTarget {
  appid: string
  /** From `?zone=`; undefined = the client's zone. */
  zone?: string
  /** From repeated `?cluster=`; empty = no filter. */
  clusters: string[]
}

/** Parse the part of the target after the authority: `<appid>[?zone=…&cluster=…]`. */
export function parseGrpcTarget(path: string): GrpcTarget {
  const [appid = '', query = ''] = path.replace(/^\/+/, '').split('?', 2)
  const params = new URLSearchParams(query)
  const zone = params.get('zone') || undefined
  const clusters = params.getAll('cluster').filter((c) => c !== '')
  return zone === undefined ? { appid, clusters } : { appid, zone, clusters }
}

/** The addresses to dial for a snapshot, deduplicated, in snapshot order. */
export function grpcEndpoints(
  snapshot: Pick<AppSnapshot, 'instances'>,
  zone: string,
  clusters: readonly string[] = []
): HostPort[] {
  // the zone's instances, else every zone's; only UP ones are dialled (below)
  const instances = zoneCandidates(snapshot, zone, () => true)
  const seen = new Set<string>()
  const out: HostPort[] = []
  for (const instance of instances) {
    if (!isUp(instance)) continue
    if (clusters.length > 0 && !clusters.includes(instance.metadata?.cluster ?? '')) continue
    const address = instanceAddress(instance)
    if (!address) continue
    const key = `${address.host}|${address.port}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(address)
  }
  return out
}

/**
 * The channel authority for a target: the appid, as the Go resolver uses it for the server
 * name, when it is a valid URL host; otherwise `discovery`. grpc-js builds an `http://<authority>`
 * URL from it, and WHATWG URL parsing rejects hosts such as `demo.app.1` (a numeric last label
 * is read as IPv4) or ones with spaces.
 */
export function grpcAuthority(appid: string): string {
  try {
    return new URL(`http://${appid}`).host === appid.toLowerCase() ? appid : 'discovery'
  } catch {
    return 'discovery'
  }
}
