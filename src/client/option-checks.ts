/**
 * Checks of values an application hands the SDK (client options, what to register, per-call
 * options). Each throws a DiscoveryConfigError that names the option and shows what it got, so
 * a wrong value fails where it was passed instead of as a TypeError deep in a request.
 */
import { DiscoveryConfigError } from './errors.ts'

/**
 * The longest delay timers keep: past 2^31-1 ms Node and browsers fire at once instead (Node
 * with a TimeoutOverflowWarning), so a longer interval would renew in a tight loop.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** A value as a message shows it: strings quoted, arrays and objects by kind, the rest as is. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'function') return 'a function'
  return String(value)
}

/** Throws unless `value` is a string (a non-empty one unless `empty`). */
export function checkString(
  name: string,
  value: unknown,
  { empty = false }: { empty?: boolean } = {}
): asserts value is string {
  if (typeof value !== 'string' || (!empty && value === '')) {
    const what = empty ? 'a string' : 'a non-empty string'
    throw new DiscoveryConfigError(`${name} must be ${what}, got ${shown(value)}`)
  }
}

/** Throws unless `value` is a function. */
export function checkFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new DiscoveryConfigError(`${name} must be a function, got ${shown(value)}`)
  }
}

/** Throws unless `value` is a (non-array, non-null) object. */
export function checkObject(name: string, value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DiscoveryConfigError(`${name} must be an object, got ${shown(value)}`)
  }
}

/** Throws unless `value` is a number of milliseconds a timer can wait: > 0 and ≤ MAX_TIMER_MS. */
export function checkDelayMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value > 0 && value <= MAX_TIMER_MS)) {
    const range = `a positive number of milliseconds up to ${MAX_TIMER_MS}`
    throw new DiscoveryConfigError(`${name} must be ${range}, got ${shown(value)}`)
  }
}

/** Throws unless `value` looks like an AbortSignal (duck-typed: polyfills and other realms). */
export function checkSignal(name: string, value: unknown): asserts value is AbortSignal {
  const signal = value as { aborted?: unknown; addEventListener?: unknown } | null
  if (
    typeof signal !== 'object' ||
    signal === null ||
    typeof signal.aborted !== 'boolean' ||
    typeof signal.addEventListener !== 'function'
  ) {
    throw new DiscoveryConfigError(`${name} must be an AbortSignal, got ${shown(value)}`)
  }
}
