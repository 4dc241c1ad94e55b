/**
 * The SDK against the real worker (Miniflare on loopback) with short lease timings: a
 * registration outlives several leases; an instance whose renew loop dies, or whose process is
 * killed while a session keeps it, is evicted and a watcher sees it leave; a registry restart
 * (same state, same port) neither loses a watcher nor empties its list.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { sleep, waitFor } from '../../scripts/shared/wait.ts'
import { DiscoveryNetworkError } from '../../src/client/index.ts'
import { appids } from '../support/discovery-client.ts'
import { freePort, record, SHORT_LEASE_VARS, sdkClients } from '../support/sdk-helpers.ts'

const LEASE_MS = 2000
/** How long a closed session's instances wait for it to come back (SESSION_GRACE_SECONDS). */
const GRACE_MS = 1000
const CLI = fileURLToPath(new URL('../../packages/client/dist/client/cli.js', import.meta.url))

const nextApp = appids('demo.sdk')
const { clientFor, closeAll } = sdkClients()
afterAll(closeAll)

describe('a registration against a running registry', () => {
  let registry: LocalRegistry

  beforeAll(async () => {
    const vars = { ...SHORT_LEASE_VARS, SESSION_GRACE_SECONDS: String(GRACE_MS / 1000) }
    registry = await startRegistry({ vars })
  })
  afterAll(() => registry.stop())

  it('keeps the instance alive past several lease periods', async () => {
    const app = nextApp()
    const provider = clientFor([registry.host], 'sdk-test')
    const watcher = clientFor([registry.host], 'watcher')
    const registration = await provider.client.register({
      appid: app,
      addrs: ['grpc://10.0.0.1:9000'],
      metadata: { weight: '10' },
    })
    const before = await watcher.client.fetch(app)
    const watch = record(watcher.client.watch(app))
    await watch.until(['sdk-test'])

    await sleep(3.5 * LEASE_MS)

    const after = await watcher.client.fetch(app)
    const [first] = before.instances.sh001 ?? []
    const [now] = after.instances.sh001 ?? []
    expect(now?.hostname).toBe('sdk-test')
    // the same registration (not evicted and registered again); over HTTP renewed in between,
    // over a session held by heartbeats, which renew_timestamp shows only as of the last lease
    // check (SESSION_CHECK_SECONDS while sessions hold every instance)
    expect(now?.regTimestamp).toBe(first?.regTimestamp)
    if (registration.transport === 'http')
      expect(now!.renewTimestamp > first!.renewTimestamp).toBe(true)
    expect(watch.history().every((h) => h.includes('sdk-test'))).toBe(true)
    expect(provider.errors).toEqual([])
    await registration.cancel()
  })

  it('gets an instance evicted once its renew loop dies, and the watcher sees it leave', async () => {
    const app = nextApp()
    let alive = true
    const keeper = clientFor([registry.host], 'keeper')
    const victim = clientFor([registry.host], 'victim', {
      // a crashed process: from now on nothing it sends arrives
      fetch: (url, init) =>
        alive ? fetch(url, init) : Promise.reject(new TypeError('fetch failed')),
      transport: 'http', // renews, which the failing fetch stops
    })
    const watcher = clientFor([registry.host], 'watcher')
    await keeper.client.register({ appid: app, addrs: ['grpc://10.0.0.1:9000'] })
    await victim.client.register({ appid: app, addrs: ['grpc://10.0.0.2:9000'] })
    const watch = record(watcher.client.watch(app))
    await watch.until(['keeper', 'victim'])

    alive = false
    const killedAt = Date.now()
    await watch.until(['keeper'], 4 * LEASE_MS)
    const leftAfter = (watch.seen.at(-1)?.at ?? 0) - killedAt
    // gone after about one lease (the alarm fires at the lease end), well before a second
    expect(leftAfter).toBeGreaterThan(LEASE_MS / 2)
    expect(leftAfter).toBeLessThan(2.5 * LEASE_MS)
    expect(victim.errors.some((e) => e instanceof DiscoveryNetworkError)).toBe(true)
    expect(keeper.errors).toEqual([])
  })
  it('evicts the instance of a killed process after the session grace time', async () => {
    const app = nextApp()
    const watcher = clientFor([registry.host], 'watcher')
    const keeper = clientFor([registry.host], 'keeper')
    await keeper.client.register({ appid: app, addrs: ['grpc://10.0.0.1:9000'] })
    const env = { DISCOVERY_NODES: registry.host, DEPLOY_ENV: 'dev', ZONE: 'sh001' }
    const child = spawn(
      process.execPath,
      [CLI, 'register', app, '--addr', 'grpc://10.0.0.2:9000', '--hostname', 'victim'],
      { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] }
    )
    let stdout = ''
    child.stdout?.on('data', (chunk) => (stdout += String(chunk)))
    try {
      await waitFor('the CLI to register', () => stdout.includes('kept alive by a session'))
      const watch = record(watcher.client.watch(app))
      await watch.until(['keeper', 'victim'])
      await sleep(LEASE_MS * 1.5) // no renews: the session alone keeps it past a lease

      child.kill('SIGKILL') // no cancel, no close frame: the socket just breaks
      const killedAt = Date.now()
      await watch.until(['keeper'], 4 * LEASE_MS)
      const leftAfter = (watch.seen.at(-1)?.at ?? 0) - killedAt
      expect(leftAfter).toBeGreaterThanOrEqual(GRACE_MS)
      expect(leftAfter).toBeLessThan(GRACE_MS + LEASE_MS)
      expect(watch.history().every((h) => h.includes('keeper'))).toBe(true)
      expect(keeper.errors).toEqual([])
    } finally {
      child.kill('SIGKILL')
    }
  })
})

describe('a watcher across a registry restart', () => {
  let dir: string
  let registry: LocalRegistry | undefined

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'discovery-sdk-'))
  })
  afterAll(async () => {
    await registry?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps its list while the registry is down and follows changes after it is back', async () => {
    const port = await freePort()
    // a longer lease here: the test is about the watcher, not about leases across the restart
    const vars = { ...SHORT_LEASE_VARS, EVICT_AFTER_SECONDS: '10' }
    registry = await startRegistry({ vars, persistDir: dir, port })
    const node = registry.host
    const app = nextApp()
    const provider = clientFor([node], 'p1')
    const watcher = clientFor([node], 'watcher')
    await provider.client.register({ appid: app, addrs: ['grpc://10.0.0.1:9000'] })
    const watch = record(watcher.client.watch(app))
    await watch.until(['p1'])

    await registry.stop()
    registry = undefined
    await sleep(1000)
    expect(watcher.errors.length).toBeGreaterThan(0) // it noticed, and kept trying
    expect(watch.latest()).toEqual(['p1'])

    registry = await startRegistry({ vars, persistDir: dir, port })
    const second = clientFor([node], 'p2')
    await second.client.register({ appid: app, addrs: ['grpc://10.0.0.2:9000'] })
    await watch.until(['p1', 'p2'])
    expect(watch.history().every((h) => h.length > 0 && h.includes('p1'))).toBe(true)
  })
})
