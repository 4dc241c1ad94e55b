/**
 * The benchmark's measurements, small: held polls on the registry woken by a register, the
 * same on the floor worker (scripts/bench/floor) pushing the registry's answer, renews on the
 * floor worker, and the memory of held polls on both. `npm run bench` reports its wake, memory
 * and floor figures from these.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFloor } from '../../scripts/bench/floor/start.ts'
import { floorPolls, registryPolls, rssPerHeldPoll } from '../../scripts/bench/memory.ts'
import { workerdsBelow } from '../../scripts/bench/proc.ts'
import { renewFloor } from '../../scripts/bench/throughput.ts'
import { measureFloor, measureWake } from '../../scripts/bench/wake.ts'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'

const POLLS = 20

let registry: LocalRegistry
let floor: LocalRegistry
/** The workerd process of each server. */
let registryPid: number
let floorPid: number

/** Start a server and find the workerd process it added. */
async function started<T>(start: () => Promise<T>): Promise<[T, number]> {
  const before = new Set(workerdsBelow(process.pid))
  const server = await start()
  return [server, workerdsBelow(process.pid).find((pid) => !before.has(pid)) ?? -1]
}

beforeAll(async () => {
  ;[registry, registryPid] = await started(() =>
    startRegistry({ vars: { POLL_HOLD_SECONDS: '60' } })
  )
  ;[floor, floorPid] = await started(startFloor)
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

  it('holds polls on the registry and on the floor while reading their resident memory', async () => {
    const ours = endpoint(registry)
    const held = await rssPerHeldPoll(ours, registryPid, await registryPolls(ours, 3), 30, 5)
    expect(registryPid).toBeGreaterThan(0)
    expect(held.heldMb).toBeGreaterThan(held.beforeMb * 0.9)
    expect(Number.isFinite(held.kibPerPoll)).toBe(true)
    const bare = endpoint(floor)
    const floorHeld = await rssPerHeldPoll(bare, floorPid, floorPolls(bare, 3), 30, 5)
    expect(Number.isFinite(floorHeld.kibPerPoll)).toBe(true)
  })
})
