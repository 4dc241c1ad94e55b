/**
 * A client wired to a fake session registry (fake-websocket.ts) and to a fake HTTP registry for
 * what still goes over HTTP (infra.discovery, the probe after a refused upgrade, and everything
 * after a fallback): infra.discovery lists the client's nodes, polls of it answer at once, other
 * polls are held 30 s on the test's clock.
 */
import { createDiscoveryClient, type DiscoveryClient } from '../../../src/client/client.ts'
import type { DiscoveryError } from '../../../src/client/errors.ts'
import { parseNodes } from '../../../src/client/nodes.ts'
import type { DiscoveryClientOptions } from '../../../src/client/options.ts'
import { INFRA_APPID } from '../../../src/protocol/paths.ts'
import { fakeSessionRegistry } from './fake-websocket.ts'
import {
  type FakeAnswer,
  FakeTimers,
  fakeFetch,
  infraInstances,
  NOT_MODIFIED,
  ok,
  pollsAnswer,
  type SeenRequest,
  settle,
  viewJson,
} from './fakes.ts'

/** Distinct nodes in a known order: with random 0.999 the shuffle keeps the given order. */
export const NODES = ['a:1', 'b:2']

let open: { client: DiscoveryClient; timers: FakeTimers } | undefined

/** Close the client of the last `sessionClient()`, letting its timers run while it cancels. */
export async function closeSessionClient(): Promise<void> {
  if (!open) return
  const { client, timers } = open
  open = undefined
  const closing = client.close()
  await timers.advance(60_000)
  await closing
}

/**
 * A client on transport 'auto' (or as `options` say) with a fake registry. `http` may answer an
 * HTTP request first (return undefined to let the default answer).
 */
export function sessionClient(
  options: Partial<DiscoveryClientOptions> = {},
  http: (request: SeenRequest) => FakeAnswer | undefined = () => undefined
) {
  const registry = fakeSessionRegistry()
  // The registry describes itself as the nodes the client was given.
  const seeds = parseNodes(options.nodes ?? NODES.slice(0, 1)).map((n) => n.key)
  const timers = new FakeTimers()
  const errors: DiscoveryError[] = []
  const fetch = fakeFetch((request) => {
    const answer = http(request)
    if (answer !== undefined) return answer
    if (request.path === '/discovery/polls') {
      if (request.params.get('latest_timestamp')?.[0] === '0') {
        return pollsAnswer({ 'infra.discovery': [infraInstances([request.node]), 5n] })
      }
      return new Promise<string>((resolve) =>
        timers.setTimeout(() => resolve(NOT_MODIFIED), 30_000)
      )
    }
    if (request.path === '/discovery/nodes') return ok('[]')
    if (request.path === '/discovery/fetch' && request.params.get('appid')?.[0] === INFRA_APPID) {
      return ok(viewJson(infraInstances(seeds), 5n))
    }
    if (request.path === '/discovery/renew') return ok('{}')
    return ok()
  })
  const client = createDiscoveryClient({
    nodes: NODES.slice(0, 1),
    env: 'dev',
    zone: 'sh001',
    region: 'sh',
    hostname: 'host-1',
    transport: 'auto',
    webSocket: registry.WebSocket,
    fetch,
    timers,
    random: () => 0.999,
    backoff: { initialMs: 1000, maxMs: 8000 },
    onError: (e) => errors.push(e),
    ...options,
  })
  open = { client, timers }
  /** HTTP writes, as `op@node`. */
  const writes = () =>
    fetch.requests.filter((r) => r.method === 'POST').map((r) => `${r.path.slice(11)}@${r.node}`)
  return { client, registry, timers, errors, fetch, writes, settle }
}
