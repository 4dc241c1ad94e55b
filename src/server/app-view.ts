/**
 * An application's encoded view, from wherever it lives: infra.discovery is served by the
 * Worker from its own configuration; every other app by its registry object.
 */
import { encodeSnapshot } from '../protocol/instance-codec.ts'
import { INFRA_APPID } from '../protocol/paths.ts'
import { type Access, nodeScheme } from './access.ts'
import type { Config } from './config.ts'
import { registryFor } from './registry-stub.ts'
import { infraInstances, infraSnapshot, nodeAddrs, registryEpoch } from './self-node.ts'

export interface ViewQuery {
  appid: string
  env: string
  zone: string
  statusMask: number
}

/** Who asks, as far as infra.discovery cares: the URL it sent to, and how it authenticated. */
export interface Caller {
  url: string
  access: Access
}

/** This registry's own infra.discovery instances in `env`, addressed as this caller reaches it. */
export async function infraInstancesFor(
  bindings: Env,
  config: Config,
  caller: Caller,
  env: string
) {
  const epoch = await registryEpoch(bindings, config)
  const addrs = nodeAddrs(config, caller.url)
  return { epoch, instances: infraInstances(config, addrs, env, epoch, nodeScheme(caller.access)) }
}

/** The infra.discovery view, or undefined when the asked zone is not this registry's. */
export async function infraView(
  bindings: Env,
  config: Config,
  caller: Caller,
  q: Omit<ViewQuery, 'appid'>
) {
  const { epoch, instances } = await infraInstancesFor(bindings, config, caller, q.env)
  const snapshot = infraSnapshot(instances, config, q.zone, q.statusMask, epoch)
  return snapshot && { json: encodeSnapshot(snapshot), latest: epoch }
}

/** The encoded view of any app, or undefined when it does not exist. */
export async function appView(
  bindings: Env,
  config: Config,
  caller: Caller,
  q: ViewQuery
): Promise<string | undefined> {
  if (q.appid === INFRA_APPID) return (await infraView(bindings, config, caller, q))?.json
  return registryFor(bindings, q).snapshot({ zone: q.zone, statusMask: q.statusMask })
}
