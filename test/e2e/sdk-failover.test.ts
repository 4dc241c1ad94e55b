/**
 * Failover between registry nodes with the SDK against real workers: a dead first node is
 * skipped; and when the node a client uses goes down, its registration moves to a second
 * registry (over HTTP: registering there on -404; over a session: on the reconnect's hello) and
 * its watcher follows, without an empty list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'
import {
  DiscoveryNetworkError,
  DiscoveryNotFoundError,
  DiscoverySessionError,
} from '../../src/client/index.ts'
import { appids, Discovery, hostnamesOf } from '../support/discovery-client.ts'
import { freePort, record, SHORT_LEASE_VARS, sdkClients } from '../support/sdk-helpers.ts'

/** Keeps the node order as given (the seed shuffle swaps nothing). */
const KEEP_ORDER = () => 0.999

const nextApp = appids('demo.fo')
const { clientFor, closeAll } = sdkClients({ random: KEEP_ORDER })
afterAll(closeAll)

describe('failover', () => {
  let a: LocalRegistry
  let b: LocalRegistry | undefined

  beforeAll(async () => {
    a = await startRegistry({ vars: SHORT_LEASE_VARS })
  })
  afterAll(async () => {
    await Promise.allSettled([a.stop(), b?.stop()])
  })

  it('skips a dead first node for register, fetch and watch, and learns the live node', async () => {
    const dead = `127.0.0.1:${await freePort()}`
    const app = nextApp()
    const { client, errors } = clientFor([dead, a.host], 'h1')
    const registration = await client.register({ appid: app, addrs: ['grpc://10.0.0.1:9000'] })
    expect(errors[0]).toBeInstanceOf(DiscoveryNetworkError)
    expect((errors[0] as DiscoveryNetworkError).request.url).toContain(dead)
    expect(Object.keys((await client.fetch(app)).instances)).toEqual(['sh001'])
    const watch = record(client.watch(app))
    await watch.until(['h1'])
    // infra.discovery named the registry's own node: the dead seed is out of the rotation
    await waitFor('the node list from infra.discovery', () => client.knownNodes.length === 1)
    expect(client.knownNodes).toEqual([a.url])
    await registration.cancel()
  })

  it('moves an HTTP registration and watcher to a second registry when the first goes down', async () => {
    b = await startRegistry({ vars: SHORT_LEASE_VARS })
    const app = nextApp()
    const provider = clientFor([a.host, b.host], 'p1', { transport: 'http' })
    const watcher = clientFor([a.host, b.host], 'watcher', { transport: 'http' })
    await provider.client.register({ appid: app, addrs: ['grpc://10.0.0.1:9000'] })
    const watch = record(watcher.client.watch(app))
    await watch.until(['p1'])
    const onB = new Discovery(b.url)
    expect((await onB.fetch(app)).body.code).toBe(-404) // the registries share nothing

    await a.stop()
    // the renew fails on A, goes to B, gets -404 there and registers again
    await waitFor(
      'p1 to be registered on B',
      async () => (await onB.fetch(app)).body.code === 0,
      5000
    )
    expect(provider.errors.some((e) => e instanceof DiscoveryNetworkError)).toBe(true)
    expect(provider.errors.some((e) => e instanceof DiscoveryNotFoundError)).toBe(true)

    // the watcher now polls B: a change made only there reaches it
    expect((await onB.register(app, 'p2', { addrs: 'grpc://10.0.0.2:9000' })).body.code).toBe(0)
    await watch.until(['p1', 'p2'])
    expect(watch.history().every((h) => h.includes('p1'))).toBe(true)
    expect(hostnamesOf((await onB.fetch(app)).body.data)).toEqual(['p1', 'p2'])
    expect(watcher.client.knownNodes).toEqual([b.url])
  })
})

describe('failover of sessions', () => {
  let a: LocalRegistry
  let b: LocalRegistry
  beforeAll(async () => {
    ;[a, b] = await Promise.all([
      startRegistry({ vars: SHORT_LEASE_VARS }),
      startRegistry({ vars: SHORT_LEASE_VARS }),
    ])
  })
  afterAll(async () => {
    await Promise.allSettled([a.stop(), b.stop()])
  })

  it('registers again on the second registry at the reconnect, and the watcher follows', async () => {
    const app = nextApp()
    const provider = clientFor([a.host, b.host], 'p1')
    const watcher = clientFor([a.host, b.host], 'watcher')
    const registration = await provider.client.register({
      appid: app,
      addrs: ['grpc://10.0.0.1:9000'],
    })
    expect(registration.transport).toBe('session')
    const watch = record(watcher.client.watch(app))
    await watch.until(['p1'])
    const onB = new Discovery(b.url)
    expect((await onB.fetch(app)).body.code).toBe(-404)

    await a.stop()
    // the session to A breaks; the reconnect goes to B, whose hello gets the register again
    await waitFor(
      'p1 to be registered on B',
      async () => (await onB.fetch(app)).body.code === 0,
      5000
    )
    expect(provider.errors.some((e) => e instanceof DiscoverySessionError)).toBe(true)
    expect(registration.transport).toBe('session')

    expect((await onB.register(app, 'p2', { addrs: 'grpc://10.0.0.2:9000' })).body.code).toBe(0)
    await watch.until(['p1', 'p2'])
    expect(watch.history().every((h) => h.includes('p1'))).toBe(true)
    expect(watcher.client.knownNodes).toEqual([b.url]) // B's infra.discovery, read on connecting
  })
})
