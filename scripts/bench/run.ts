/**
 * The measurement sequence: one server, one state directory, every figure in one run. Rates
 * alternate with baseline runs, and renew runs and wake rounds with the same on the floor
 * worker, so noise from the rest of the machine hits them alike; each wake round is one trial (its
 * figure is the median over rounds); the restarts come last.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from './build.ts'
import { fetchHostnames } from './client.ts'
import type { Figures } from './figures.ts'
import { rssWithSmallApps } from './memory.ts'
import { CpuMeter } from './noise.ts'
import type { Profile } from './options.ts'
import { Progress } from './progress.ts'
import { restartAndFetch } from './reload.ts'
import { type Server, type ServerOptions, startServer } from './server.ts'
import { median, percentile } from './stats.ts'
import * as load from './throughput.ts'
import { measureFloor, measureWake } from './wake.ts'
import { freshAppid } from './wire.ts'

/** Instances of the big app (register, renew, fetch, reload, memory) and the fetch-rate app. */
const BIG = 10_000
const MEDIUM = 1_000
const WARMUP_INSTANCES = 500
/** Connections of the fetch-rate run (each answer is ~0.3 MB). */
const FETCH_CONNECTIONS = 8
/** A long hold, so held polls wait for the change, not the clock; auth off (a local run). */
const VARS = { POLL_HOLD_SECONDS: '600', AUTH: 'off' }

const rps = (r: { rps: number }) => `${r.rps.toFixed(0)} req/s`
const ms = (value: number) => `${value.toFixed(1)} ms`
const pcts = (l: number[]) => `p50 ${ms(percentile(l, 50))}, p99 ${ms(percentile(l, 99))}`

export interface Run {
  figures: Figures
  /** Cores other processes used during each measured step. */
  others: number[]
}

export async function run(profile: Profile): Promise<Run> {
  const { rounds, sliceSeconds, wakeRounds, reloads } = profile
  const persistDir = mkdtempSync(join(tmpdir(), 'edge-discovery-bench-'))
  const options: ServerOptions = { persistDir, vars: VARS }
  let server: Server | undefined
  let floor: Server | undefined
  const servers = () => [server, floor].flatMap((s) => (s ? [s.pid, s.workerdPid] : []))
  const meter = new CpuMeter(() => [process.pid, ...servers()])
  const progress = new Progress(7 + 5 * rounds + 3 * wakeRounds + reloads, meter)
  const stopAll = () => Promise.all([server?.stop(), floor?.stop()])
  const step = progress.step.bind(progress)
  const interrupt = () => {
    void stopAll().finally(() => {
      rmSync(persistDir, { recursive: true, force: true })
      process.exit(130)
    })
  }
  process.once('SIGINT', interrupt)
  try {
    await step('build the worker (wrangler deploy --dry-run)', build, undefined, false)
    const started = await step(
      'start the server',
      () => startServer(options),
      (s) => s.url,
      false
    )
    server = started
    const { url } = started
    const bareServer = await step(
      'start the floor worker',
      () => startServer({ floor: true }),
      (s) => s.url,
      false
    )
    floor = bareServer
    await step('warm up', () => warmUp(url), undefined, false)

    const baselines: number[] = []
    const baseline = async (round: number) => {
      const label = `baseline_rps (${round + 1}/${rounds})`
      baselines.push((await step(label, () => load.baseline(url, sliceSeconds), rps)).rps)
    }
    const big = freshAppid('big')
    const names = load.hostnames()
    let registered = 0
    let registerSeconds = 0
    for (let round = 0; round < rounds; round++) {
      await baseline(round)
      const count = Math.round((BIG * (round + 1)) / rounds) - registered
      const more = () => load.register(url, big, count, names, registered)
      const r = await step(`register_rps: ${count} more into one app`, more, rps)
      registered += r.requests
      registerSeconds += r.seconds
    }
    const bigHosts = await fetchHostnames(url, big)
    const renews: number[] = []
    const renewFloors: number[] = []
    for (let round = 0; round < rounds; round++) {
      await baseline(round)
      const renew = () => load.renew(url, big, bigHosts, sliceSeconds)
      renews.push((await step(`renew_rps: ${bigHosts.length} instances in turn`, renew, rps)).rps)
      const bare = () => load.renewFloor(bareServer.url, big, bigHosts, sliceSeconds)
      renewFloors.push(
        (await step('renew floor: the same on an object that does nothing', bare, rps)).rps
      )
    }

    const n = profile.fetchLatencyRequests
    const fetchOneByOne = () => load.fetchLatency(url, big, n)
    const fetchLabel = `fetch_p50_ms_10k: ${n} one at a time`
    const fetch10k = await step(fetchLabel, fetchOneByOne, (r) => ms(r.p50Ms))
    const smallApps = () => rssWithSmallApps(url, started.workerdPid)
    const mib = (mb: number) => `${mb.toFixed(0)} MiB`
    const rss = await step('rss_mb_10k: add 100 apps of 100', smallApps, mib)
    const mediumApp = async () => {
      const medium = freshAppid('medium')
      await load.register(url, medium, MEDIUM, load.hostnames())
      return load.fetchRate(url, medium, FETCH_CONNECTIONS, 2 * sliceSeconds)
    }
    const fetch1k = await step('fetch_rps_1k: a 1,000-instance app', mediumApp, rps)

    const wake = { url, host: started.host, port: started.port }
    const wake1000: number[][] = []
    const floor1000: number[][] = []
    for (let round = 0; round < wakeRounds; round++) {
      const trial = () => measureWake({ ...wake, polls: 1000, apps: 1 })
      const { latencies, sample } = await step('wake: 1,000 held polls on one app', trial, (r) =>
        pcts(r.latencies)
      )
      wake1000.push(latencies)
      const bare = () => measureFloor(bareServer, 1000, sample)
      floor1000.push(
        (await step('wake floor: the same on a bare bridge', bare, (r) => pcts(r.latencies)))
          .latencies
      )
    }
    const wake20: number[][] = []
    for (let round = 0; round < wakeRounds; round++) {
      const trial = () => measureWake({ ...wake, polls: 500, apps: 20 })
      wake20.push(
        (await step('wake: 500 held polls over 20 apps each', trial, (r) => pcts(r.latencies)))
          .latencies
      )
    }

    const reloadMs: number[] = []
    for (let round = 0; round < reloads; round++) {
      const restart = () => restartAndFetch(server ?? started, options, big, bigHosts.length)
      const label = 'reload_ms_10k: restart, first fetch'
      const reload = await step(label, restart, (r) => ms(r.ms), false)
      server = reload.server
      reloadMs.push(reload.ms)
    }

    const figures: Figures = {
      baseline_rps: median(baselines),
      register_rps: registered / registerSeconds,
      renew_rps: median(renews),
      renew_floor_rps: median(renewFloors),
      fetch_rps_1k: fetch1k.rps,
      fetch_p50_ms_10k: fetch10k.p50Ms,
      wake_p50_ms_1000: median(wake1000.map((l) => percentile(l, 50))),
      wake_p99_ms_1000: median(wake1000.map((l) => percentile(l, 99))),
      wake_floor_p99_ms_1000: median(floor1000.map((l) => percentile(l, 99))),
      wake_p99_ms_polls_20: median(wake20.map((l) => percentile(l, 99))),
      reload_ms_10k: median(reloadMs),
      rss_mb_10k: rss,
    }
    return { figures, others: progress.others }
  } finally {
    process.off('SIGINT', interrupt)
    await stopAll()
    rmSync(persistDir, { recursive: true, force: true })
  }
}

/** Let the JIT and the runtime settle: every route the rate runs use, on a throwaway app. */
async function warmUp(url: string): Promise<void> {
  const warm = freshAppid('warm')
  await load.baseline(url, 2)
  await load.register(url, warm, WARMUP_INSTANCES, load.hostnames())
  await load.renew(url, warm, await fetchHostnames(url, warm), 1)
}
