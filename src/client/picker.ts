/**
 * Choosing an instance to call. Pure functions with the random source passed in: zone-aware
 * candidates (the caller's zone, or every zone when it has no healthy instance), a draw weighted
 * by `metadata.weight` (default 10), and power-of-two-choices over an in-flight counter.
 * `createPicker` combines them and keeps the counter.
 */
import { type Instance, STATUS_UP } from '../registry/model.ts'
import type { AppSnapshot } from './app-snapshot.ts'

/** The weight of an instance without a usable `metadata.weight` (the Go SDK's default). */
export const DEFAULT_WEIGHT = 10

/** A random source in [0, 1). */
export type Random = () => number

/** Instances as a snapshot, a by-zone record, or a flat list. */
export type InstanceSource =
  | Pick<AppSnapshot, 'instances'>
  | Record<string, readonly Instance[]>
  | readonly Instance[]

/** `metadata.weight` as a positive integer; anything else (missing, 0, negative, text) is 10. */
export function instanceWeight(instance: Instance): number {
  const weight = Number.parseInt(instance.metadata?.weight ?? '', 10)
  return Number.isSafeInteger(weight) && weight > 0 ? weight : DEFAULT_WEIGHT
}

/** UP instances are healthy; WAITING ones must not receive traffic. */
export const isUp = (instance: Instance): boolean => instance.status === STATUS_UP

/**
 * The instances to choose from: the healthy ones in `zone`, or, when that zone has none, the
 * healthy ones of every zone (spill-over).
 */
export function zoneCandidates(
  source: InstanceSource,
  zone: string,
  healthy: (i: Instance) => boolean = isUp
): Instance[] {
  const all = flatten(source).filter(healthy)
  const local = all.filter((i) => i.zone === zone)
  return local.length > 0 ? local : all
}

/** One instance, drawn with probability proportional to its weight; undefined when none. */
export function pickWeighted(instances: readonly Instance[], random: Random): Instance | undefined {
  const total = instances.reduce((sum, i) => sum + instanceWeight(i), 0)
  let point = random() * total
  for (const instance of instances) {
    point -= instanceWeight(instance)
    if (point < 0) return instance
  }
  return instances[instances.length - 1]
}

/**
 * Power of two choices: draw two different instances by weight and take the less loaded, load
 * being `(inFlight + 1) / weight` (ties go to the first draw). With equal loads this is the
 * weighted draw; an instance that piles up calls is avoided.
 */
export function pickOfTwo(
  instances: readonly Instance[],
  inFlight: (i: Instance) => number,
  random: Random
): Instance | undefined {
  const first = pickWeighted(instances, random)
  if (first === undefined || instances.length === 1) return first
  const second = pickWeighted(
    instances.filter((i) => i !== first),
    random
  ) as Instance
  const load = (i: Instance) => (inFlight(i) + 1) / instanceWeight(i)
  return load(second) < load(first) ? second : first
}

/** A chosen instance; call `done()` when the call to it has finished. */
export interface Picked {
  instance: Instance
  done(): void
}

/** Picks instances of one app for a caller in one zone, counting calls in flight. */
export interface Picker {
  /** Replace the instances to choose from (e.g. with each snapshot of `client.watch`). */
  update(source: InstanceSource): void
  /** An instance, or undefined when there is no healthy one. */
  pick(): Picked | undefined
  /** The current candidates (after zone selection). */
  readonly candidates: readonly Instance[]
}

export interface PickerOptions {
  /** The caller's zone (usually `client.zone`). */
  zone: string
  random?: Random
  /** Which instances may be chosen; default: UP ones. */
  healthy?: (instance: Instance) => boolean
}

/**
 * A stateful picker: zone-aware candidates, power of two weighted choices over its own
 * in-flight counter.
 *
 * @example
 * const picker = createPicker({ zone: client.zone })
 * for await (const snapshot of client.watch('demo.service')) picker.update(snapshot)
 * // elsewhere, per call:
 * const pick = picker.pick()
 * try { await callInstance(pick.instance) } finally { pick.done() }
 */
export function createPicker(options: PickerOptions): Picker {
  const random = options.random ?? Math.random
  const inFlight = new Map<string, number>()
  const key = (i: Instance) => `${i.zone}\u0000${i.hostname}`
  let candidates: Instance[] = []
  return {
    update(source) {
      candidates = zoneCandidates(source, options.zone, options.healthy)
    },
    pick() {
      const instance = pickOfTwo(candidates, (i) => inFlight.get(key(i)) ?? 0, random)
      if (instance === undefined) return undefined
      const k = key(instance)
      inFlight.set(k, (inFlight.get(k) ?? 0) + 1)
      let finished = false
      return {
        instance,
        done() {
          if (finished) return
          finished = true
          const left = (inFlight.get(k) ?? 1) - 1
          if (left > 0) inFlight.set(k, left)
          else inFlight.delete(k)
        },
      }
    },
    get candidates() {
      return candidates
    },
  }
}

function flatten(source: InstanceSource): Instance[] {
  if (Array.isArray(source)) return [...(source as readonly Instance[])]
  type ByZone = Record<string, readonly Instance[]>
  const isSnapshot = 'instances' in source && !Array.isArray(source.instances)
  const byZone = isSnapshot ? (source.instances as ByZone) : (source as ByZone)
  return Object.values(byZone).flat()
}
