// Call demo.echo once a second through `discovery://default/demo.echo` until Ctrl-C or SIGTERM:
// grpc-js dials the UP instances' grpc:// addresses and follows their changes.
// Start a server first: node examples/echo-server.mjs
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { createDiscoveryClient } from 'edge-discovery-client'
import { registerDiscoveryResolver } from 'edge-discovery-client/grpc'

const proto = grpc.loadPackageDefinition(
  protoLoader.loadSync(fileURLToPath(new URL('echo.proto', import.meta.url)))
)
const nodes = process.env.DISCOVERY_NODES ?? '127.0.0.1:7171'
const client = createDiscoveryClient({ nodes, env: 'dev', zone: 'sh001' })
registerDiscoveryResolver(client) // once per process
const echo = new proto.demo.Echo('discovery://default/demo.echo', grpc.credentials.createInsecure())

const timer = setInterval(() => {
  const deadline = Date.now() + 2000
  echo.Say({ text: 'hi' }, { deadline }, (error, reply) =>
    console.log(error?.message ?? reply.text)
  )
}, 1000)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    clearInterval(timer)
    echo.close()
    await client.close() // ends the resolver's watch
  })
}
