/**
 * The registry describing itself: its nodes (`/discovery/nodes`) and the `infra.discovery`
 * application, served for every env a client asks (the Go SDK blocks until it sees one in its
 * own env, docs/protocol.md). Built from ZONE, REGION, ENV, NODES and HOSTNAME; without NODES,
 * the node is the address the request was sent to; without HOSTNAME, a node's hostname is its
 * address.
 */
import { INFRA_APPID } from '../protocol/paths.ts'
import { type AppView, type Instance, STATUS_UP } from '../registry/model.ts'
import type { Config } from './config.ts'
import { catalogOf } from './registry-stub.ts'

/** This registry's public `host:port` addresses. */
export const nodeAddrs = (config: Config, requestUrl: string): string[] =>
  config.nodes.length > 0 ? config.nodes : [new URL(requestUrl).host]

/** The `/discovery/nodes` data: every node UP, in this registry's zone. */
export const nodesJson = (config: Config, addrs: string[]): string =>
  JSON.stringify(addrs.map((addr) => ({ addr, status: 0, zone: config.zone })))

/**
 * The infra.discovery instances as seen from `env`. `scheme` is `http`, or `http+token` for
 * callers that must keep using the token-bearing node address they were configured with.
 */
export function infraInstances(
  config: Config,
  addrs: string[],
  env: string,
  epoch: bigint,
  scheme: 'http' | 'http+token'
): Instance[] {
  return addrs.map((addr, i) => ({
    region: config.region,
    zone: config.zone,
    env,
    appid: INFRA_APPID,
    hostname: config.hostnames[i] ?? addr,
    addrs: [`${scheme}://${addr}`],
    version: '',
    metadata: null,
    status: STATUS_UP,
    regTimestamp: epoch,
    upTimestamp: epoch,
    renewTimestamp: epoch,
    dirtyTimestamp: epoch,
    latestTimestamp: epoch,
  }))
}

/** The infra.discovery view for a zone ('' = all) and status mask; undefined if the zone is not ours. */
export function infraSnapshot(
  instances: Instance[],
  config: Config,
  zone: string,
  statusMask: number,
  epoch: bigint
): AppView | undefined {
  if (zone !== '' && zone !== config.zone) return undefined
  return {
    instances: { [config.zone]: instances.filter((i) => (i.status & statusMask) !== 0) },
    latestTimestamp: epoch,
  }
}

let epochCache: { identity: string; epoch: Promise<bigint> } | undefined

/**
 * The registry's epoch: infra.discovery's latest_timestamp, stable across requests and
 * isolates (kept by the catalog), moved forward when the identity changes. Cached per isolate.
 */
export function registryEpoch(bindings: Env, config: Config): Promise<bigint> {
  // HOSTNAME only when set, so that an unchanged deployment keeps the epoch it had before HOSTNAME
  const names = config.hostnames.length > 0 ? [config.hostnames] : []
  const identity = JSON.stringify([config.zone, config.region, config.nodes, ...names])
  if (epochCache?.identity !== identity) {
    const epoch = catalogOf(bindings).epoch(identity).then(BigInt)
    epoch.catch(() => {
      epochCache = undefined // try again on the next request
    })
    epochCache = { identity, epoch }
  }
  return epochCache.epoch
}
