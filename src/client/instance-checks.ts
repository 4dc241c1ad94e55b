/**
 * Checks of what `client.register()` and `client.set()` are given, before anything is sent: a
 * mistake (addresses without a scheme, a number as a metadata value) fails at once with a
 * DiscoveryConfigError naming the field, instead of as a TypeError, or a -400 after a round trip
 * (a registration over a session would only learn it from the session).
 */
import { type InstanceStatus, STATUS_UP, STATUS_WAITING } from '../registry/model.ts'
import { DiscoveryConfigError } from './errors.ts'
import { checkDelayMs, checkObject, checkSignal, checkString, shown } from './option-checks.ts'
import type { InstanceInput, RegisterOptions } from './registration.ts'

/** `scheme://` followed by something: the reference clients pick addresses by their scheme. */
const SCHEMED = /^[a-z][a-z\d+.-]*:\/\/[^\s/?#]/i
const SCHEME_ONLY = /^[a-z][a-z\d+.-]*:\/\//i

/** Throws unless `input` can be registered. */
export function checkInstance(input: unknown): asserts input is InstanceInput {
  checkObject('register: the instance', input)
  const { appid, addrs, metadata, version, status, hostname } = input as Record<string, unknown>
  checkString('register: appid', appid)
  const where = `register ${appid}:`
  checkAddrs(where, addrs)
  if (metadata !== undefined) checkMetadata(`${where} metadata`, metadata)
  if (version !== undefined) checkString(`${where} version`, version, { empty: true })
  if (status !== undefined) checkStatus(`${where} status`, status)
  if (hostname !== undefined) checkString(`${where} hostname`, hostname)
}

/** Throws unless `options` are usable options of `register()`. */
export function checkRegisterOptions(options: unknown): asserts options is RegisterOptions {
  checkObject('register options', options)
  const { signal, timeoutMs } = options as Record<string, unknown>
  if (signal !== undefined) checkSignal('register: signal', signal)
  if (timeoutMs !== undefined) checkDelayMs('register: timeoutMs', timeoutMs)
}

/** Throws unless `value` is a metadata object: string values only, as the protocol carries them. */
export function checkMetadata(
  name: string,
  value: unknown
): asserts value is Record<string, string> {
  checkObject(name, value)
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new DiscoveryConfigError(`${name}.${key} must be a string, got ${shown(v)}`)
    }
  }
}

/** Throws unless `value` is STATUS_UP or STATUS_WAITING. */
export function checkStatus(name: string, value: unknown): asserts value is InstanceStatus {
  if (value !== STATUS_UP && value !== STATUS_WAITING) {
    const expected = `STATUS_UP (${STATUS_UP}) or STATUS_WAITING (${STATUS_WAITING})`
    throw new DiscoveryConfigError(`${name} must be ${expected}, got ${shown(value)}`)
  }
}

function checkAddrs(where: string, addrs: unknown): void {
  if (!Array.isArray(addrs) || addrs.length === 0) {
    const expected = 'a non-empty array of addresses such as grpc://10.0.0.5:9000'
    throw new DiscoveryConfigError(`${where} addrs must be ${expected}, got ${shown(addrs)}`)
  }
  addrs.forEach((addr: unknown, i) => {
    const name = `${where} addrs[${i}]`
    checkString(name, addr)
    if (SCHEMED.test(addr)) return
    const why = SCHEME_ONLY.test(addr)
      ? 'has no host after its scheme'
      : `has no scheme (such as grpc://${addr})`
    throw new DiscoveryConfigError(`${name} ${JSON.stringify(addr)} ${why}`)
  })
}
