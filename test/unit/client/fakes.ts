/**
 * Test doubles for the SDK's unit tests: timers that move only when told, a seeded random
 * source, a scriptable fetch that records each request, and wire answers built with the
 * server's own encoders (so the SDK is tested against the bytes the registry really writes).
 */

import type { Timers } from '../../../src/client/timers.ts'
import type { FetchInit, FetchLike, FetchResponse } from '../../../src/client/transport.ts'
import { envelope, pollsEnvelope } from '../../../src/protocol/envelope.ts'
import { decodeForm, type Form } from '../../../src/protocol/form.ts'
import { encodeSnapshot } from '../../../src/protocol/instance-codec.ts'
import type { Instance } from '../../../src/registry/model.ts'
import { anInstance as aRegistryInstance, timestampsAt } from '../../support/builders.ts'

/** Let pending promise chains and I/O callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** Timers on a virtual clock: `advance(ms)` fires what falls due, in order, settling between. */
export class FakeTimers implements Timers {
  now = 0
  #seq = 0
  readonly #queue = new Map<number, { at: number; callback: () => void }>()

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.#seq
    this.#queue.set(id, { at: this.now + Math.max(0, ms), callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.#queue.delete(handle as number)
  }

  /** Delays of the timers now pending, relative to now. */
  pending(): number[] {
    return [...this.#queue.values()].map((t) => t.at - this.now).sort((a, b) => a - b)
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms
    await settle()
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined
      for (const entry of this.#queue)
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry
      if (!next) break
      this.#queue.delete(next[0])
      this.now = next[1].at
      next[1].callback()
      await settle()
    }
    this.now = end
    await settle()
  }
}

/** mulberry32: a small seeded PRNG, so distribution tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One request as the fake fetch saw it. */
export interface SeenRequest {
  method: string
  url: URL
  /** host:port */
  node: string
  path: string
  /** Query (GET) or body (POST) parameters. */
  params: Form
  headers: Record<string, string>
  signal: AbortSignal
}

/** A handler's answer: a wire body (HTTP 200), a status + body, or a thrown error (network). */
export type FakeAnswer = string | { status: number; body: string }

/** A fetch whose answers come from `handler`; `requests` records every call. */
export function fakeFetch(
  handler: (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>
): FetchLike & { requests: SeenRequest[] } {
  const requests: SeenRequest[] = []
  const fetch = async (url: string, init: FetchInit): Promise<FetchResponse> => {
    const parsed = new URL(url)
    const params =
      init.method === 'POST' ? decodeForm(init.body ?? '') : decodeForm(parsed.search.slice(1))
    const request = {
      method: init.method,
      url: parsed,
      node: parsed.host,
      path: parsed.pathname,
      params,
      headers: init.headers,
      signal: init.signal,
    }
    requests.push(request)
    const answer = await Promise.race([
      Promise.resolve().then(() => handler(request)),
      new Promise<never>((_, reject) => {
        if (init.signal.aborted) reject(init.signal.reason)
        init.signal.addEventListener('abort', () => reject(init.signal.reason), { once: true })
      }),
    ])
    const { status, body } = typeof answer === 'string' ? { status: 200, body: answer } : answer
    return { status, statusText: status === 200 ? 'OK' : 'Error', text: async () => body }
  }
  return Object.assign(fetch, { requests })
}

/** A promise that never settles by itself (a held poll); the fake fetch rejects it on abort. */
export const hang = (): Promise<never> => new Promise<never>(() => {})

/** A connection failure, as Node's fetch reports it. */
export function refused(): never {
  throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })
}

/**
 * The shared instance builder with the SDK tests' defaults: metadata `{}`, and timestamps a
 * double cannot hold exactly (…001), so a lost int64 digit shows.
 */
export const anInstance = (overrides: Partial<Instance> = {}): Instance =>
  aRegistryInstance({ metadata: {}, ...timestampsAt(1_700_000_000_000_000_001n), ...overrides })

/** An application view's JSON: instances grouped by zone. */
export function viewJson(instances: Instance[], latest: bigint): string {
  const byZone = new Map<string, Instance[]>()
  for (const i of instances) byZone.set(i.zone, [...(byZone.get(i.zone) ?? []), i])
  return encodeSnapshot({ instances: Object.fromEntries(byZone), latestTimestamp: latest })
}

/** A polls success: appid → [instances, latest]. */
export function pollsAnswer(
  apps: Record<string, [Instance[], bigint]>,
  missing: string[] = []
): string {
  return pollsEnvelope(
    new Map(Object.entries(apps).map(([appid, [list, latest]]) => [appid, viewJson(list, latest)])),
    missing
  )
}

/** The infra.discovery instances a registry at `nodes` (host:port) describes itself with. */
export function infraInstances(nodes: string[], zone = 'sh001'): Instance[] {
  return nodes.map((addr) =>
    anInstance({
      appid: 'infra.discovery',
      zone,
      hostname: addr,
      addrs: [`http://${addr}`],
      metadata: null,
    })
  )
}

export const ok = (data?: string): string => envelope(0, data)
export const code = (c: number, data?: string): string => envelope(c, data)
export const NOT_MODIFIED = envelope(-304)
