/**
 * The benchmark's server process: serves the built worker (dist/) with Miniflare on loopback
 * (or, with `"floor": true`, the floor worker of floor/worker.js) and prints one line
 * `READY <json>` with its URL. Runs apart from the load driver, so the driver's CPU does not
 * count as the server's. Stops (disposing workerd) on SIGTERM/SIGINT or when its parent goes
 * away (stdin closes).
 *
 * Usage: tsx scripts/bench/serve.ts '{"persistDir":"/tmp/x","vars":{"POLL_HOLD_SECONDS":"300"}}'
 */
import { type LocalRegistryOptions, startRegistry } from '../shared/local-registry.ts'
import { startFloor } from './floor/start.ts'

const options = JSON.parse(process.argv[2] ?? '{}') as LocalRegistryOptions & { floor?: boolean }
const registry = options.floor ? await startFloor() : await startRegistry(options)
process.stdout.write(`READY ${JSON.stringify({ url: registry.url, pid: process.pid })}\n`)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await registry.stop().catch(() => {})
  process.exit(0)
}

process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
process.stdin.on('end', () => void stop())
process.stdin.on('close', () => void stop())
process.stdin.resume()
