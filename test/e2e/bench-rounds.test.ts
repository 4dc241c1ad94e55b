/**
 * The benchmark's measurements, small: held polls on the registry woken by a register, the
 * same on the floor worker (scripts/bench/floor) pushing the registry's answer, and renews on
 * the floor worker. `npm run bench` reports its wake and floor figures from these.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFloor } from '../../scripts/bench/floor/start.ts'
import { renewFloor } from '../../scripts/bench/throughput.ts'
import { measureFloor, measureWake } from '../../scripts/bench/wake.ts'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'

const POLLS = 20

let registry: LocalRegistry
let floor: LocalRegistry

beforeAll(async () => {
  ;[registry, floor] = await Promise.all([
    startRegistry({ vars: { POLL_HOLD_SECONDS: '60' } }),
    startFloor(),
  ])
})
afterAll(async () => {
  await Promise.all([registry?.stop(), floor?.stop()])
})

const endpoint = (server: LocalRegistry) => {
  const url = new URL(server.url)
  return { url: server.url, host: url.hostname, port: Number(url.port) }
}

describe('bench rounds', () => {
  it('wakes every held poll on the registry with the changed app, timed from the register', async () => {
    const round = await measureWake({ ...endpoint(registry), polls: POLLS, apps: 3 })
    expect(round.latencies).toHaveLength(POLLS)
    for (const ms of round.latencies) expect(ms).toBeGreaterThan(0)
    expect(round.sample).toMatch(
      /^\{"code":0,"data":\{"bench\.wake\.[^"]+":\{"instances":\{"sh001":\[.*"hostname":"host-1"/
    )
  })

  it('wakes every held request on the floor worker with the pushed text', async () => {
    const view = '{"code":0,"data":{"app":{"instances":{}}}}'
    const round = await measureFloor(endpoint(floor), POLLS, view)
    expect(round.latencies).toHaveLength(POLLS)
    for (const ms of round.latencies) expect(ms).toBeGreaterThan(0)
    expect(round.sample).toBe(`{"code":0,"data":${view}}`)
  })

  it('renews on the floor worker for a bounded time, every answer code 0', async () => {
    const result = await renewFloor(floor.url, 'bench.floor', ['host-0', 'host-1'], 1)
    expect(result.requests).toBeGreaterThan(0)
    expect(result.seconds).toBeLessThan(3)
  })
})
