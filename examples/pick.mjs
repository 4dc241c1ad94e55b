// Call an instance of demo.service once a second, picked by zone, weight and load, until Ctrl-C
// or SIGTERM; the picker follows the app's changes through a watch.
import { createDiscoveryClient, createPicker, instanceAddress } from 'edge-discovery-client'

const nodes = process.env.DISCOVERY_NODES ?? '127.0.0.1:7171'
const client = createDiscoveryClient({ nodes, env: 'dev', zone: 'sh001' })
const picker = createPicker({ zone: client.zone })
const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop.abort())

const following = (async () => {
  for await (const snapshot of client.watch('demo.service', { signal: stop.signal })) {
    picker.update(snapshot)
  }
})()

async function callOne() {
  const pick = picker.pick() // undefined when no instance is UP
  if (!pick) return console.log('no UP instance')
  const address = instanceAddress(pick.instance, 'http') // its last http:// address, if any
  try {
    if (!address) throw new Error('no http:// address')
    const url = `http://${address.host}:${address.port}/hello`
    const response = await fetch(url, { signal: AbortSignal.timeout(900) })
    console.log(pick.instance.hostname, response.status, await response.text())
  } catch (error) {
    console.log(pick.instance.hostname, error.message)
  } finally {
    pick.done() // the picker counts calls in flight per instance
  }
}

const timer = setInterval(callOne, 1000)
stop.signal.addEventListener('abort', () => clearInterval(timer))
await following
await client.close()
