// Print the UP instances of two apps each time they change, until Ctrl-C or SIGTERM.
import { allInstances, createDiscoveryClient } from 'edge-discovery-client'

const nodes = process.env.DISCOVERY_NODES ?? '127.0.0.1:7171'
const client = createDiscoveryClient({ nodes, env: 'dev', zone: 'sh001' })
const stop = new AbortController() // ends the iteration below
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop.abort())

const apps = ['demo.service', 'demo.other']
for await (const snapshot of client.watch(apps, { signal: stop.signal })) {
  const addrs = allInstances(snapshot).map((i) => i.addrs.join(' '))
  console.log(snapshot.appid, addrs)
}
await client.close()
