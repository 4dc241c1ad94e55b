/**
 * The SDK against a registry with auth on (AUTH=tokens): the `token` option goes out as a
 * Bearer header on every request (register, renew, polls, fetch); a token in the node address
 * (`host:port/t/<token>`) works too and keeps the client on that address; without a token the
 * SDK fails fast with a typed 401 instead of retrying.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { sleep } from '../../scripts/shared/wait.ts'
import { mintToken } from '../../src/auth/token.ts'
import {
  createDiscoveryClient,
  type DiscoveryClient,
  DiscoveryHttpError,
} from '../../src/client/index.ts'
import { appids } from '../support/discovery-client.ts'
import { record, SHORT_LEASE_VARS } from '../support/sdk-helpers.ts'

const KEY = { kid: 'k1', secret: 'an-sdk-test-secret-of-32-characters' }
const VARS = {
  ...SHORT_LEASE_VARS,
  AUTH: 'tokens',
  TOKEN_KEYS: `${KEY.kid}:${KEY.secret}`,
}

const nextApp = appids('demo.auth')

describe('the SDK with auth on', () => {
  let registry: LocalRegistry
  let token: string
  const clients: DiscoveryClient[] = []
  const options = () => ({
    env: 'dev',
    zone: 'sh001',
    renewIntervalMs: 500,
    backoff: { initialMs: 100, maxMs: 500 },
  })

  beforeAll(async () => {
    registry = await startRegistry({ vars: VARS })
    const exp = Math.floor(Date.now() / 1000) + 3600
    token = await mintToken(
      { tid: 'sdk-e2e', scopes: ['read', 'write'], apps: ['demo.*'], envs: ['dev'], exp },
      KEY
    )
  })
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()))
    await registry.stop()
  })

  it('sends the token on every request: registers, renews past a lease, watches and fetches', async () => {
    const errors: unknown[] = []
    const client = createDiscoveryClient({
      ...options(),
      nodes: [registry.host],
      hostname: 'h1',
      token,
      onError: (e) => errors.push(e),
    })
    clients.push(client)
    const app = nextApp()
    await client.register({ appid: app, addrs: ['grpc://10.0.0.1:9000'] })
    const watch = record(client.watch(app))
    await watch.until(['h1'])
    await sleep(2500) // renews (and held polls) keep working past a lease
    expect(
      Object.values((await client.fetch(app)).instances)
        .flat()
        .map((i) => i.hostname)
    ).toEqual(['h1'])
    expect(errors).toEqual([])
  })

  it('takes a token from the node address and stays on that address', async () => {
    const errors: unknown[] = []
    const seed = `${registry.url}/t/${token}`
    const client = createDiscoveryClient({
      ...options(),
      nodes: [seed],
      hostname: 'h2',
      onError: (e) => errors.push(e),
    })
    clients.push(client)
    const app = nextApp()
    await client.register({ appid: app, addrs: ['grpc://10.0.0.2:9000'] })
    const watch = record(client.watch(app))
    await watch.until(['h2'])
    expect(client.knownNodes).toEqual([seed]) // infra.discovery said http+token://: keep the seed
    expect(errors).toEqual([])
  })

  it('fails fast with a typed 401 without a token', async () => {
    const client = createDiscoveryClient({
      ...options(),
      nodes: [registry.host],
      hostname: 'h3',
      onError: () => {},
    })
    clients.push(client)
    const refused = await client
      .register({ appid: nextApp(), addrs: ['grpc://10.0.0.3:9000'] })
      .catch((e) => e)
    expect(refused).toBeInstanceOf(DiscoveryHttpError)
    expect(refused.status).toBe(401)
    await expect(client.fetch('demo.x')).rejects.toMatchObject({
      name: 'DiscoveryHttpError',
      status: 401,
    })
  })
})
