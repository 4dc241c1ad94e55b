/**
 * The measurement sequence: every figure in one run. First the HTTP registry (one server, one
 * state directory): rates alternate with baseline runs, and renew runs and wake rounds with
 * the same on the floor worker, so noise from the rest of the machine hits them alike; each
 * wake round is one trial (its figure is the median over rounds); then the restarts, and
 * the memory per held poll, each round on a fresh server and a fresh floor.
 * Then, with those servers stopped, etcd (when on PATH) and a second server for sessions:
 * heartbeats alternate with etcd keepalives and session wake rounds with etcd watch rounds.
 * Last, the costs, from what the run counted. A figure that cannot be measured is null, with
 * a note saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from '../shared/build-worker.ts'
import { fetchHostnames } from './client.ts'
import { ASSUMED, type CostModel, costModel, costs } from './cost.ts'
import {
  type Etcd,
  findEtcd,
  grantLeases,
  keepalives,
  measureEtcdWake,
  NO_ETCD,
  startEtcd,
} from './etcd.ts'
import type { Figures } from './figures.ts'
import { countLeaseWork } from './http-leases.ts'
import {
  floorPolls,
  HELD_APPS,
  HELD_POLLS,
  type HeldMemory,
  registryPolls,
  rssPerHeldPoll,
  rssWithSmallApps,
} from './memory.ts'
import { CpuMeter } from './noise.ts'
import type { Profile } from './options.ts'
import { Progress } from './progress.ts'
import { restartAndFetch } from './reload.ts'
import { type Server, type ServerOptions, startServer } from './server.ts'
import type { Session } from './session-client.ts'
import {
  IDLE_SESSIONS,
  IDLE_VARS,
  type IdleResult,
  measureDeath,
  measureIdle,
  measurePing,
  measureSessionWake,
  openFilesShortfall,
  openPingSessions,
  PING_SESSIONS,
  probeSessions,
  SESSION_VARS,
} from './sessions.ts'
import { median, percentile } from './stats.ts'
import * as load from './throughput.ts'
import { measureFloor, measureWake } from './wake.ts'
import { tallyText } from './wake-log.ts'
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
/** Sessions of the larger session wake figure. */
const MANY_SESSIONS = 10_000

export interface Run {
  figures: Figures
  /** Cores other processes used during each measured step. */
  others: number[]
  /** Why figures are null, and anything else the reader must know about this run. */
  notes: string[]
  cost: CostModel
}

/** The median of per-round percentiles, or null without rounds. */
const medianOf = (rounds: number[][], p: number): number | null =>
  rounds.length === 0 ? null : median(rounds.map((l) => percentile(l, p)))
const medianOrNull = (values: number[]): number | null =>
  values.length === 0 ? null : median(values)

export async function run(profile: Profile): Promise<Run> {
  const { rounds, sliceSeconds, wakeRounds, reloads } = profile
  const persistDir = mkdtempSync(join(tmpdir(), 'edge-discovery-bench-'))
  const options: ServerOptions = { persistDir, vars: VARS }
  let server: Server | undefined
  let floor: Server | undefined
  let sessionServer: Server | undefined
  let etcd: Etcd | undefined
  const servers = () => [
    ...[server, floor, sessionServer].flatMap((s) => (s ? [s.pid, s.workerdPid] : [])),
    ...(etcd ? [etcd.pid] : []),
  ]
  const meter = new CpuMeter(() => [process.pid, ...servers()])
  const httpSteps = 7 + 5 * rounds + 3 * wakeRounds + reloads + 3 * profile.memoryRounds
  const sessionSteps = 6 + 2 * rounds + 2 * wakeRounds + profile.wakeRounds10k + profile.deaths
  const progress = new Progress(httpSteps + sessionSteps, meter)
  const stopAll = () =>
    Promise.all([server?.stop(), floor?.stop(), sessionServer?.stop(), etcd?.stop()])
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

    await Promise.all([server?.stop(), floor.stop()])
    server = undefined
    floor = undefined

    const heldKib: number[] = []
    const heldFloorKib: number[] = []
    const kib = (r: HeldMemory) =>
      `${r.kibPerPoll.toFixed(1)} KiB (${r.beforeMb.toFixed(0)} MiB, then ${r.heldMb.toFixed(0)} MiB)`
    for (let round = 0; round < profile.memoryRounds; round++) {
      const fresh = () =>
        Promise.all([
          startServer({ persistDir: join(persistDir, `held-${round}`), vars: VARS }),
          startServer({ floor: true }),
        ])
      const [ours, bare] = await step('start a fresh server and floor', fresh, undefined, false)
      server = ours
      floor = bare
      const label = `rss_kb_per_held_poll: ${HELD_POLLS} polls over ${HELD_APPS} apps`
      const held = async () => rssPerHeldPoll(ours, ours.workerdPid, await registryPolls(ours))
      heldKib.push((await step(label, held, kib)).kibPerPoll)
      const heldFloor = () => rssPerHeldPoll(bare, bare.workerdPid, floorPolls(bare))
      const floorLabel = 'rss per held poll floor: the same on a bare bridge'
      heldFloorKib.push((await step(floorLabel, heldFloor, kib)).kibPerPoll)
      await Promise.all([ours.stop(), bare.stop()])
      server = undefined
      floor = undefined
    }

    const side = await sideBySide(profile, progress, persistDir, {
      setEtcd: (e) => {
        etcd = e
      },
      setSessionServer: (s) => {
        sessionServer = s
      },
    })
    await Promise.all([sessionServer?.stop(), etcd?.stop()])
    sessionServer = undefined
    etcd = undefined

    const leases = countLeaseWork({
      instances: ASSUMED.instancesPerApp,
      renewIntervalMs: ASSUMED.renewIntervalSeconds * 1000,
      evictAfterMs: ASSUMED.evictAfterSeconds * 1000,
      hours: 2,
    })
    const cost = costModel({
      httpAlarmsPerAppPerHour: leases.alarmsPerAppPerHour,
      httpRowsWrittenPerInstancePerHour: leases.rowsWrittenPerInstancePerHour,
      ...(side.idle ? { session: side.idle.counts } : {}),
    })

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
      rss_kb_per_held_poll: median(heldKib),
      rss_floor_kb_per_held_poll: median(heldFloorKib),
      ...side.figures,
      ...costs(cost),
    }
    return { figures, others: progress.others, notes: side.notes, cost }
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

type SideFigures = Pick<
  Figures,
  | 'etcd_keepalive_rps'
  | 'etcd_wake_p99_ms_1000'
  | 'session_ping_rps'
  | 'session_wake_p99_ms_1000'
  | 'session_wake_p99_ms_10000'
  | 'session_death_ms'
  | 'idle_object_wakes_per_min'
>

interface Side {
  figures: SideFigures
  idle: IdleResult | undefined
  notes: string[]
}

/** Where sideBySide hands over what it starts, so that an interrupt stops it too. */
interface Started {
  setEtcd(etcd: Etcd): void
  setSessionServer(server: Server): void
}

/**
 * etcd (when on PATH) and sessions (when the server has them), in one sequence so that their
 * steps alternate. A session figure that fails is null with a note; the run goes on.
 */
async function sideBySide(
  profile: Profile,
  progress: Progress,
  persistDir: string,
  started: Started
): Promise<Side> {
  const { rounds, sliceSeconds, wakeRounds } = profile
  const step = progress.step.bind(progress)
  const notes: string[] = []
  const bin = findEtcd()
  let etcd: Etcd | undefined
  if (bin) {
    etcd = await step(
      'start etcd on loopback',
      () => startEtcd(bin),
      (e) => e.url,
      false
    )
    started.setEtcd(etcd)
  } else {
    notes.push(NO_ETCD)
    progress.skip('start etcd', 'etcd is not on PATH')
  }
  const idleServer = await step(
    `start a server for idle sessions (LOG_WAKES=on, ${IDLE_VARS.EVICT_AFTER_SECONDS} s leases, SESSION_CHECK_SECONDS=${IDLE_VARS.SESSION_CHECK_SECONDS})`,
    () => startServer({ persistDir: join(persistDir, 'idle'), vars: { ...VARS, ...IDLE_VARS } }),
    (s) => s.url,
    false
  )
  started.setSessionServer(idleServer)
  const missing = await step(
    'sessions: does GET /discovery/session upgrade?',
    () => probeSessions(idleServer),
    (why) => (why ? 'no: the server has no sessions' : 'yes (101, hello)'),
    false
  )
  if (missing) notes.push(missing)
  const broken = missing ? 'the server has no sessions' : undefined
  /** Run a session step, or skip it; a failure becomes a note and a null figure. */
  const session = async <T>(
    label: string,
    figure: string,
    run: () => Promise<T>,
    show: (result: T) => string
  ): Promise<T | undefined> => {
    if (broken) {
      progress.skip(label, broken)
      return undefined
    }
    try {
      return await step(label, run, show)
    } catch (error) {
      notes.push(`${figure} failed: ${error instanceof Error ? error.message : String(error)}`)
      return undefined
    }
  }

  const idle = await session(
    `idle_object_wakes_per_min: ${IDLE_SESSIONS} sessions register, heartbeat until the lease alarm, then ${profile.idleSeconds} s more`,
    'idle_object_wakes_per_min',
    () => measureIdle(idleServer, join(persistDir, 'idle'), IDLE_SESSIONS, profile.idleSeconds),
    (r) =>
      `${r.wakesPerMinute.toFixed(1)} wakes/min (${tallyText(r.window)}; window from the first alarm, ` +
      `${r.firstAlarmSeconds.toFixed(0)} s after the registers; setup ${tallyText(r.setup)}; ` +
      `${r.pongs}/${r.pings} heartbeats answered; SQLite ${r.sqliteChanged.length > 0 ? `changed: ${r.sqliteChanged.join(', ')}` : 'unchanged'})`
  )

  await idleServer.stop()
  const sessionServer = await step(
    'start a server for sessions (LOG_WAKES=on, SESSION_GRACE_SECONDS=3)',
    () =>
      startServer({ persistDir: join(persistDir, 'sessions'), vars: { ...VARS, ...SESSION_VARS } }),
    (s) => s.url,
    false
  )
  started.setSessionServer(sessionServer)

  const keepaliveRates: number[] = []
  const pingRates: number[] = []
  let leases: string[] = []
  if (etcd) {
    const at = etcd
    leases = await step(
      'etcd: grant 1,000 leases',
      () => grantLeases(at.url),
      (l) => `${l.length}`,
      false
    )
  } else progress.skip('etcd: grant leases', 'no etcd')
  let pingSessions: Session[] | undefined
  for (let round = 0; round < rounds; round++) {
    if (etcd) {
      const at = etcd
      const label = `etcd_keepalive_rps: ${leases.length} leases in turn (${round + 1}/${rounds})`
      keepaliveRates.push(
        (await step(label, () => keepalives(at.url, leases, sliceSeconds), rps)).rps
      )
    } else progress.skip('etcd_keepalive_rps', 'no etcd')
    const pinged = await session(
      `session_ping_rps: ${PING_SESSIONS} sessions, pipelined heartbeats (${round + 1}/${rounds})`,
      'session_ping_rps',
      async () => {
        pingSessions ??= await openPingSessions(sessionServer)
        return measurePing(pingSessions, sliceSeconds)
      },
      (r) => `${r.toFixed(0)} pongs/s`
    )
    if (pinged !== undefined) pingRates.push(pinged)
  }
  for (const s of pingSessions ?? []) s.kill()

  const etcdWakes: number[][] = []
  const sessionWakes: number[][] = []
  for (let round = 0; round < wakeRounds; round++) {
    if (etcd) {
      const at = etcd
      const trial = () => measureEtcdWake(at, 1000)
      etcdWakes.push(await step('etcd wake: 1,000 watches on one key', trial, pcts))
    } else progress.skip('etcd wake', 'no etcd')
    const woken = await session(
      'session wake: 1,000 sessions watching one app',
      'session_wake_p99_ms_1000',
      () => measureSessionWake(sessionServer, 1000),
      pcts
    )
    if (woken) sessionWakes.push(woken)
  }
  const short = openFilesShortfall(MANY_SESSIONS, sessionServer.workerdPid)
  if (short && !broken) notes.push(`session_wake_p99_ms_10000 is null: ${short}`)
  const manyWakes: number[][] = []
  for (let round = 0; round < profile.wakeRounds10k; round++) {
    if (short) {
      progress.skip('session wake: 10,000 sessions', short)
      continue
    }
    const woken = await session(
      'session wake: 10,000 sessions watching one app',
      'session_wake_p99_ms_10000',
      () => measureSessionWake(sessionServer, MANY_SESSIONS),
      pcts
    )
    if (woken) manyWakes.push(woken)
  }
  const deaths: number[] = []
  for (let round = 0; round < profile.deaths; round++) {
    const died = await session(
      'session_death_ms: SIGKILL a session owner, wait for fetch to drop it',
      'session_death_ms',
      () => measureDeath(sessionServer),
      ms
    )
    if (died !== undefined) deaths.push(died)
  }
  return {
    figures: {
      etcd_keepalive_rps: medianOrNull(keepaliveRates),
      etcd_wake_p99_ms_1000: medianOf(etcdWakes, 99),
      session_ping_rps: medianOrNull(pingRates),
      session_wake_p99_ms_1000: medianOf(sessionWakes, 99),
      session_wake_p99_ms_10000: medianOf(manyWakes, 99),
      session_death_ms: medianOrNull(deaths),
      idle_object_wakes_per_min: idle?.wakesPerMinute ?? null,
    },
    idle,
    notes,
  }
}
