/**
 * Helpers for the SDK's end-to-end tests: registry timings, clients that collect their errors,
 * free and dead ports, and a recorder that keeps every snapshot a `client.watch` iteration
 * yields. Waiting for a condition is scripts/shared/wait.ts's waitFor.
 */
import { createServer } from 'node:net'
import { waitFor } from '../../scripts/shared/wait.ts'
import type { AppSnapshot } from '../../src/client/app-snapshot.ts'
import {
  createDiscoveryClient,
  type DiscoveryClient,
  type DiscoveryClientOptions,
  type DiscoveryError,
} from '../../src/client/index.ts'
import { hostnamesOf } from './discovery-client.ts'

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
    history: () => seen.map((s) => hostnamesOf(s.snapshot)),
    latest: () => hostnamesOf(seen.at(-1)?.snapshot),
    /** Wait until the latest snapshot lists exactly `expected` (sorted). */
    until: (expected: string[], timeoutMs?: number) =>
      waitFor(
        `watch to list ${expected.join(', ')}`,
        () =>
          JSON.stringify(hostnamesOf(seen.at(-1)?.snapshot)) ===
          JSON.stringify([...expected].sort()),
        timeoutMs
      ),
  }
}
