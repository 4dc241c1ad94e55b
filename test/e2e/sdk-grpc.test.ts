/**
 * The gRPC resolver with real @grpc/grpc-js servers and a real client: a channel to
 * `discovery://default/<appid>` reaches the registered servers, and when one server cancels
 * and another registers, calls move to the new set without restarting the client.
 */
import * as grpc from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'
import { registerDiscoveryResolver } from '../../src/client/grpc-resolver.ts'
import { createDiscoveryClient, type DiscoveryClient } from '../../src/client/index.ts'
import { appids } from '../support/discovery-client.ts'
import { SHORT_LEASE_VARS } from '../support/sdk-helpers.ts'

/** A one-method service with JSON messages: Echo.Who answers the name of the server. */
const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as { server: string },
}
const ECHO = {
  who: {
    path: '/test.Echo/Who',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies grpc.ServiceDefinition
const EchoClient = grpc.makeGenericClientConstructor(ECHO, 'Echo')

interface EchoServer {
  name: string
  port: number
  server: grpc.Server
}

async function startEcho(name: string): Promise<EchoServer> {
  const server = new grpc.Server()
  server.addService(ECHO, {
    who: (_call: unknown, reply: grpc.sendUnaryData<{ server: string }>) =>
      reply(null, { server: name }),
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p)
    )
  )
  return { name, port, server }
}

function who(client: grpc.Client): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = (client as unknown as Record<string, unknown>).who as (
      req: object,
      options: grpc.CallOptions,
      cb: (e: grpc.ServiceError | null, r?: { server: string }) => void
    ) => void
    call.call(client, {}, { deadline: Date.now() + 3000 }, (error, reply) =>
      error ? reject(error) : resolve(reply?.server ?? '')
    )
  })
}

/** Which servers `n` calls reach. */
async function spread(client: grpc.Client, n: number): Promise<Set<string>> {
  const names = new Set<string>()
  for (let i = 0; i < n; i++) names.add(await who(client))
  return names
}

describe('registerDiscoveryResolver', () => {
  let registry: LocalRegistry
  const servers: EchoServer[] = []
  const clients: DiscoveryClient[] = []

  beforeAll(async () => {
    registry = await startRegistry({ vars: SHORT_LEASE_VARS })
    servers.push(await startEcho('s1'), await startEcho('s2'), await startEcho('s3'))
  })
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()))
    for (const { server } of servers) server.forceShutdown()
    await registry.stop()
  })

  it('resolves discovery://default/<appid> to the UP instances and follows their changes', async () => {
    const app = appids('demo.grpc')()
    const options = {
      nodes: [registry.host],
      env: 'dev',
      zone: 'sh001',
      renewIntervalMs: 500,
      backoff: { initialMs: 100, maxMs: 500 },
    }
    const providers = createDiscoveryClient({ ...options, hostname: 'providers' })
    const consumer = createDiscoveryClient({ ...options, hostname: 'consumer' })
    clients.push(providers, consumer)
    const [s1, s2, s3] = servers as [EchoServer, EchoServer, EchoServer]
    const register = (s: EchoServer) =>
      providers.register({
        appid: app,
        hostname: s.name,
        addrs: [`http://127.0.0.1:1`, `grpc://127.0.0.1:${s.port}`],
      })
    const r1 = await register(s1)
    await register(s2)

    registerDiscoveryResolver(consumer)
    const client = new EchoClient(`discovery://default/${app}`, grpc.credentials.createInsecure())
    try {
      await waitFor('calls to reach s1 and s2', async () => (await spread(client, 10)).size === 2)
      expect(await spread(client, 20)).toEqual(new Set(['s1', 's2']))

      await r1.cancel()
      await register(s3)
      await waitFor('calls to move to s2 and s3', async () => {
        const names = await spread(client, 10)
        return !names.has('s1') && names.has('s3')
      })
      expect(await spread(client, 30)).toEqual(new Set(['s2', 's3']))
    } finally {
      client.close()
    }
  })
})
