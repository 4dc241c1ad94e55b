// An Echo server (echo.proto) on a free port, registered as demo.echo until Ctrl-C or SIGTERM,
// for grpc-resolve.mjs to call. Start several: each registers under its own hostname.
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { createDiscoveryClient } from 'edge-discovery-client'

const proto = grpc.loadPackageDefinition(
  protoLoader.loadSync(fileURLToPath(new URL('echo.proto', import.meta.url)))
)
const server = new grpc.Server()
server.addService(proto.demo.Echo.service, {
  Say: (call, reply) => reply(null, { text: `${call.request.text}, from port ${port}` }),
})
const credentials = grpc.ServerCredentials.createInsecure()
const port = await new Promise((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', credentials, (error, bound) =>
    error ? reject(error) : resolve(bound)
  )
)

const nodes = process.env.DISCOVERY_NODES ?? '127.0.0.1:7171'
const client = createDiscoveryClient({ nodes, env: 'dev', zone: 'sh001' })
const instance = {
  appid: 'demo.echo',
  addrs: [`grpc://127.0.0.1:${port}`],
  hostname: `echo-${port}`,
}
await client.register(instance, { timeoutMs: 10_000 })
console.log(`serving demo.echo on 127.0.0.1:${port}; Ctrl-C to stop`)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await client.close() // deregister first, so no new call is sent here
    server.tryShutdown(() => {})
  })
}
