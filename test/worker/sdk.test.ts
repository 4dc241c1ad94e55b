/** The client SDK runs inside the Workers runtime too: a Worker can register and watch. */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { expect, it } from 'vitest'
import { createDiscoveryClient } from '../../src/client/index.ts'
import { freshAppid, stubOf, worker } from './support.ts'

it('registers, fetches and watches from inside workerd', async () => {
  const appid = freshAppid()
  const client = createDiscoveryClient({
    nodes: ['127.0.0.1:7171'],
    env: 'dev',
    zone: 'sh001',
    hostname: 'in-worker',
    fetch: (input, init) => worker.fetch(input as string, init as RequestInit),
    // The injected fetch is the only way to this registry: a session would need a real socket.
    transport: 'http',
  })
  try {
    const registration = await client.register({ appid, addrs: ['grpc://10.0.0.9:9000'] })
    const snapshot = await client.fetch(appid)
    expect(snapshot.instances.sh001?.map((i) => i.hostname)).toEqual(['in-worker'])
    const abort = new AbortController()
    for await (const seen of client.watch(appid, { signal: abort.signal })) {
      expect(seen.instances.sh001?.[0]?.addrs).toEqual(['grpc://10.0.0.9:9000'])
      abort.abort()
    }
    await registration.cancel()
  } finally {
    await client.close()
    await runDurableObjectAlarm(stubOf(appid))
  }
})
