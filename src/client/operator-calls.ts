/**
 * What an operator does to instances this client does not keep alive itself: cancel one, change
 * its status or metadata (`set`, e.g. to drain it), read the app's history. Plain requests over
 * the client's transport (with its failover and token); the client's methods delegate here.
 */
import { LIMITS } from '../protocol/limits.ts'
import { PATHS } from '../protocol/paths.ts'
import type { InstanceStatus } from '../registry/model.ts'
import { DiscoveryConfigError } from './errors.ts'
import { checkMetadata, checkStatus } from './instance-checks.ts'
import { checkObject, checkSignal, checkString, shown } from './option-checks.ts'
import type { ClientConfig } from './options.ts'
import { decodeData, expectOk, type Params, type Transport } from './transport.ts'
import { decodeHistory, type HistoryEntry } from './wire.ts'

/** Which instance of an app: its hostname, and its zone (default: the client's). */
export interface InstanceTarget {
  hostname: string
  /** Default: the client's zone. */
  zone?: string
  signal?: AbortSignal
}

/** What `set` changes: the status, and/or metadata merged into the instance's own. */
export interface SetOptions extends InstanceTarget {
  /** STATUS_WAITING drains the instance (listed, no traffic); STATUS_UP brings it back. */
  status?: InstanceStatus
  /** String values; merged key by key into the instance's metadata. */
  metadata?: Record<string, string>
}

export interface HistoryOptions {
  /** How many entries, newest first: 1 to 1000 (default 100, the registry's). */
  limit?: number
  signal?: AbortSignal
}

/** What the calls need from their client. */
export interface OperatorContext {
  transport: Transport
  config: ClientConfig
}

/** `POST cancel` of one instance; -404 (unknown) throws DiscoveryNotFoundError. */
export async function cancelInstance(
  context: OperatorContext,
  appid: string,
  target: InstanceTarget
): Promise<void> {
  const params = instanceParams(context.config, 'cancel', appid, target)
  expectOk(await context.transport.call('POST', PATHS.cancel, params, { signal: target.signal }))
}

/** `POST set` of one instance's status and/or metadata. */
export async function setInstance(
  context: OperatorContext,
  appid: string,
  change: SetOptions
): Promise<void> {
  const params = instanceParams(context.config, 'set', appid, change)
  const { status, metadata } = change
  if (status === undefined && metadata === undefined) {
    throw new DiscoveryConfigError(`set ${appid}: nothing to change (give status or metadata)`)
  }
  if (status !== undefined) checkStatus(`set ${appid}: status`, status)
  if (metadata !== undefined) checkMetadata(`set ${appid}: metadata`, metadata)
  const body = { ...params, status, metadata: metadata && JSON.stringify(metadata) }
  expectOk(await context.transport.call('POST', PATHS.set, body, { signal: change.signal }))
}

/** `GET history`: the app's newest changes in the client's env, newest first. */
export async function appHistory(
  context: OperatorContext,
  appid: string,
  options: HistoryOptions
): Promise<HistoryEntry[]> {
  checkString('history: appid', appid)
  checkObject(`history ${appid}: options`, options)
  const { limit, signal } = options
  if (
    limit !== undefined &&
    !(Number.isInteger(limit) && limit >= 1 && limit <= LIMITS.historyRows)
  ) {
    const range = `an integer from 1 to ${LIMITS.historyRows}`
    throw new DiscoveryConfigError(`history ${appid}: limit must be ${range}, got ${shown(limit)}`)
  }
  if (signal !== undefined) checkSignal(`history ${appid}: signal`, signal)
  const params = { appid, env: context.config.env, limit }
  const answer = await context.transport.call('GET', PATHS.history, params, { signal })
  return decodeData(expectOk(answer), decodeHistory)
}

/** The key of one instance, checked: appid, env, zone (default the client's), hostname. */
function instanceParams(
  config: ClientConfig,
  op: string,
  appid: string,
  target: InstanceTarget
): Params {
  checkString(`${op}: appid`, appid)
  checkObject(`${op} ${appid}: options`, target)
  const { hostname, zone = config.zone, signal } = target
  checkString(`${op} ${appid}: hostname`, hostname)
  checkString(`${op} ${appid}: zone`, zone, { empty: true })
  if (zone === '') {
    throw new DiscoveryConfigError(
      `${op} ${appid}: no zone (pass \`zone\`, or give the client one)`
    )
  }
  if (signal !== undefined) checkSignal(`${op} ${appid}: signal`, signal)
  return { appid, env: config.env, zone, hostname }
}
