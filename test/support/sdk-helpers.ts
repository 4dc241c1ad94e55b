/**
 * Helpers for the SDK's end-to-end tests: registry timings, clients that collect their errors,
 * free and dead ports, waiting for a condition, and a recorder that keeps every snapshot a
 * `client.watch` iteration yields.
 */
import { createServer } from 'node:net'
import type { AppSnapshot } from '../../src/client/app-snapshot.ts'
import {
  createDiscoveryClient,
  type DiscoveryClient,
  type DiscoveryClientOptions,
  type DiscoveryError,
} from '../../src/client/index.ts'

/** Registry vars for short leases: leases of 2 s, renews every 0.5 s, strict eviction, polls held 2 s. */
export const SHORT_LEASE_VARS = {
  EVICT_AFTER_SECONDS: '2',
  RENEW_INTERVAL_SECONDS: '0.5',
  POLL_HOLD_SECONDS: '2',
  SELF_PRESERVATION: 'false',
}

/**
 * A maker of SDK clients (dev, sh001, renewing every 0.5 s, backing off 0.1–0.5 s, plus
 * `defaults`), each with the background errors it reports; `closeAll` closes every client made.
 */
export function sdkClients(defaults: Partial<DiscoveryClientOptions> = {}) {
  const clients: DiscoveryClient[] = []
  return {
    clientFor(nodes: string[], hostname: string, options: Partial<DiscoveryClientOptions> = {}) {
      const errors: DiscoveryError[] = []
      const client = createDiscoveryClient({
        nodes,
        env: 'dev',
        zone: 'sh001',
        hostname,
        renewIntervalMs: 500,
        backoff: { initialMs: 100, maxMs: 500 },
        ...defaults,
        onError: (e) => errors.push(e),
        ...options,
      })
      clients.push(client)
      return { client, errors }
    },
    async closeAll(): Promise<void> {
      await Promise.allSettled(clients.map((c) => c.close()))
    },
  }
}

/** A port that was free a moment ago (nothing listens on it now). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Resolve once `check` returns a truthy value (polled every 50 ms); reject after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const started = Date.now()
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Hostnames of a snapshot, sorted. */
export const hostnames = (snapshot: AppSnapshot | undefined): string[] =>
  snapshot ? Object.values(snapshot.instances).flat().map((i) => i.hostname).sort() : []

/** Every snapshot a watch yields, in order, with the time each arrived. */
export function record(stream: AsyncIterable<AppSnapshot>) {
  const seen: { snapshot: AppSnapshot; at: number }[] = []
  const done = (async () => {
    for await (const snapshot of stream) seen.push({ snapshot, at: Date.now() })
  })()
  return {
    seen,
    done,
    /** Hostnames of every snapshot so far. */
    history: () => seen.map((s) => hostnames(s.snapshot)),
    latest: () => hostnames(seen.at(-1)?.snapshot),
    /** Wait until the latest snapshot lists exactly `expected` (sorted). */
    until: (expected: string[], timeoutMs?: number) =>
      waitFor(`watch to list ${expected.join(', ')}`, () => JSON.stringify(hostnames(seen.at(-1)?.snapshot)) === JSON.stringify([...expected].sort()), timeoutMs),
  }
}
