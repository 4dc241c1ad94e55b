// Register an instance and keep it alive until Ctrl-C or SIGTERM; then cancel it (it leaves the
// list at once, not after a lease) and exit.
import { createDiscoveryClient } from 'edge-discovery-client'

const nodes = process.env.DISCOVERY_NODES ?? '127.0.0.1:7171'
const client = createDiscoveryClient({ nodes, env: 'dev', zone: 'sh001' })
const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop.abort())

try {
  const registration = await client.register(
    {
      appid: 'demo.service',
      addrs: ['grpc://10.0.0.5:9000', 'http://10.0.0.5:8000'],
      metadata: { weight: '20' }, // string values; weight steers the pickers (default 10)
      version: 'v1.2.0',
    },
    // a signal stops it while it retries; after timeoutMs it fails with DiscoveryTimeoutError
    { signal: stop.signal, timeoutMs: 10_000 }
  )
  console.log(`registered as ${registration.hostname}; Ctrl-C to cancel`) // os.hostname()
  await new Promise((resolve) => stop.signal.addEventListener('abort', resolve))
} catch (error) {
  if (!stop.signal.aborted) throw error // stopped before it was registered: nothing to report
} finally {
  await client.close() // cancels every registration, ends every watch
}
