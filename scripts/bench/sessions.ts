/**
 * The session figures (docs/sessions.md), measured against the built worker served with
 * SESSION_VARS, one fresh app per measurement:
 * - probeSessions: does GET /discovery/session answer 101? If not, every session figure is null;
 * - measureIdle (idle_object_wakes_per_min): 1,000 sessions each register one instance, then
 *   only heartbeat at the `hello` interval; the object's wake lines are counted over a window
 *   that starts at the lease alarm's first run, with what the cost model needs (alarms, woken
 *   heartbeats, the object's part of an upgrade, SQLite files touched);
 * - measurePing (session_ping_rps): 200 sessions keep PIPELINE heartbeats each in flight;
 *   pongs per second;
 * - measureSessionWake (session_wake_p99_ms_N): N sessions `watch` an app at its cursor; one
 *   HTTP register; from its send to each session's `delta`;
 * - measureDeath (session_death_ms): a child process owns an instance through a session and is
 *   killed with SIGKILL; time until fetch no longer lists the instance.
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PATHS } from '../../src/protocol/paths.ts'
import { ADDR } from '../shared/discovery-text.ts'
import { readWranglerToml } from '../shared/local-registry.ts'
import { sleep, waitFor } from '../shared/wait.ts'
import { cursor, fetchHostnames, registerOne, waitIdle } from './client.ts'
import type { SessionCounts } from './cost.ts'
import { openExchange, postText } from './raw-http.ts'
import type { Server } from './server.ts'
import { killAll, openSession, openSessions, type Session } from './session-client.ts'
import { countWakes, tally, type WakeTally } from './wake-log.ts'
import { freshAppid, hostname, isOk, registerBody, ZONE } from './wire.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * How often the bench's server checks for silent sessions (SESSION_CHECK_SECONDS): short, so a
 * one-minute window sees the alarm's cadence several times; the cost model then scales the
 * measured alarm rate to the configured value (wrangler.toml).
 */
export const BENCH_CHECK_SECONDS = 20
/** The configured interval, which production runs with. */
export const CONFIGURED_CHECK_SECONDS = Number(readWranglerToml().vars.SESSION_CHECK_SECONDS ?? 600)

/** Server variables of the session measurements: wake lines on, a short grace for the death. */
export const SESSION_VARS = { LOG_WAKES: 'on', SESSION_GRACE_SECONDS: '3' }

/**
 * The idle measurement's server: a short silent-session check, and leases shorter than it (the
 * alarm never checks before a lease ends; heartbeats every 5 s), so a one-minute window sees
 * the check's cadence several times. Its own server: other steps need ordinary leases.
 */
export const IDLE_VARS = {
  ...SESSION_VARS,
  SESSION_CHECK_SECONDS: String(BENCH_CHECK_SECONDS),
  EVICT_AFTER_SECONDS: '10',
  RENEW_INTERVAL_SECONDS: '5',
}
/** Sessions of the ping rate, and heartbeats each keeps in flight. */
export const PING_SESSIONS = 200
const PIPELINE = 10
/** Sessions of the idle measurement. */
export const IDLE_SESSIONS = 1000
const DEFAULT_PING_INTERVAL_MS = 30_000
const ANSWER_TIMEOUT_MS = 30_000
const DEATH_TIMEOUT_MS = 60_000
const OWNER_START_TIMEOUT_MS = 30_000
/** The lease alarm first runs one check (BENCH_CHECK_SECONDS) after the registers. */
const FIRST_ALARM_TIMEOUT_MS = (BENCH_CHECK_SECONDS + 60) * 1000
/** File descriptors this process keeps besides its sessions (autocannon, stdio, modules). */
const SPARE_FDS = 512

/** ws://host:port of an HTTP server URL. */
export const wsOrigin = (server: Pick<Server, 'host' | 'port'>) =>
  `ws://${server.host}:${server.port}`

/**
 * Why the server cannot be measured over sessions (the note for the null figures), or
 * undefined when one session opens and says hello.
 */
export async function probeSessions(server: Server): Promise<string | undefined> {
  try {
    const session = await openSession({ origin: wsOrigin(server), appid: freshAppid('probe') })
    session.kill()
    return undefined
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSessionsError') {
      return `${error.message}; the session figures and costs are null (unvalidated)`
    }
    throw error
  }
}

/** Soft limit of open files of `pid` (/proc/<pid>/limits), or undefined when unreadable. */
function openFilesLimit(pid: number | 'self'): number | undefined {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8')
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1]
    return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft)
  } catch {
    return undefined
  }
}

/**
 * Why `sessions` sockets cannot be opened from this process to workerd (each side holds one
 * descriptor per session), or undefined when both limits allow it.
 */
export function openFilesShortfall(sessions: number, workerdPid: number): string | undefined {
  const need = sessions + SPARE_FDS
  for (const [who, pid] of [
    ['this process', 'self'],
    ['workerd', workerdPid],
  ] as const) {
    const limit = openFilesLimit(pid)
    if (limit !== undefined && limit < need) {
      return `${who} may open ${limit} files (ulimit -n) and ${sessions.toLocaleString('en-US')} sessions need about ${need}: run \`ulimit -n ${need}\` (or more) before the benchmark`
    }
  }
  return undefined
}

/** The object's SQLite files under `dir` (database and WAL), each as `size:mtime`. */
function sqliteFiles(dir: string): Map<string, string> {
  const found = new Map<string, string>()
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.sqlite(-wal)?$/.test(entry.name)) {
        const s = statSync(path)
        found.set(path, `${s.size}:${s.mtimeMs}`)
      }
    }
  }
  try {
    walk(dir)
  } catch {
    // no directory yet: no files
  }
  return found
}

export interface IdleResult {
  wakesPerMinute: number
  /** Wake lines while the sessions opened and registered. */
  setup: WakeTally
  /** Wake lines during the idle window. */
  window: WakeTally
  /** Seconds from the registers to the lease alarm's first run (the window's start). */
  firstAlarmSeconds: number
  /** Heartbeats sent and pongs received from the first beat to the window's end. */
  pings: number
  pongs: number
  /** SQLite files (database, WAL) that changed during the window. */
  sqliteChanged: string[]
  counts: SessionCounts
}

/** Every session heartbeats at its `hello` interval, the first beat at a random point of it. */
function heartbeat(sessions: Session[], onPong: () => void): { stop(): number } {
  let pings = 0
  const timers: ReturnType<typeof setTimeout>[] = []
  for (const s of sessions) {
    const every = s.hello.ping_interval_ms || DEFAULT_PING_INTERVAL_MS
    const beat = () => {
      pings += 1
      s.send(s.hello.ping)
    }
    s.watch((text) => {
      if (!text.includes('"pong"')) return false
      onPong()
      return true
    })
    timers.push(
      setTimeout(() => {
        beat()
        timers.push(setInterval(beat, every))
      }, Math.random() * every)
    )
  }
  return {
    stop: () => {
      for (const t of timers) clearTimeout(t)
      return pings
    },
  }
}

/**
 * Lease alarms per minute from their times: from the interval between the first and the last
 * when there are two or more, else at most one per window.
 */
export function alarmsPerMinute(times: number[], windowMs: number): number {
  const first = times[0]
  const last = times[times.length - 1]
  if (first === undefined || last === undefined || times.length < 2) return 60_000 / windowMs
  return ((times.length - 1) * 60_000) / (last - first)
}

/**
 * idle_object_wakes_per_min, and the session counts of the cost model. The window starts at
 * the lease alarm's first run (one lease after the registers): from then on the object is in
 * its steady state, woken by nothing but that alarm if heartbeats never reach it.
 */
export async function measureIdle(
  server: Server,
  persistDir: string,
  sessions: number,
  seconds: number
): Promise<IdleResult> {
  const appid = freshAppid('idle')
  await waitIdle(server.url) // earlier sockets (the probe's) are closed and counted out
  const setupWakes = countWakes(server, appid)
  const opened = await openSessions({ origin: wsOrigin(server), appid }, sessions)
  try {
    for (let i = 0; i < opened.length; i += 100) {
      await Promise.all(
        opened.slice(i, i + 100).map((s, j) =>
          s.request({
            op: 'register',
            zone: ZONE,
            hostname: `idle-${i + j}`,
            addrs: [ADDR],
            status: 1,
          })
        )
      )
    }
    const registeredAt = performance.now()
    await waitIdle(server.url, 1000)
    const setup = setupWakes.stop()
    if (setup.total === 0) {
      throw new Error(
        `the registry printed no wake lines while ${sessions} sessions opened and registered (LOG_WAKES=on)`
      )
    }
    let pongs = 0
    const beats = heartbeat(opened, () => {
      pongs += 1
    })
    let alarmed: (at: number) => void = () => {}
    const firstAlarm = new Promise<number>((resolve) => {
      alarmed = resolve
    })
    const steady = countWakes(server, appid, (wake) => {
      if (wake.event === 'alarm') alarmed(wake.at)
    })
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `the lease alarm did not run within ${FIRST_ALARM_TIMEOUT_MS / 1000} s of the registers`
            )
          ),
        FIRST_ALARM_TIMEOUT_MS
      )
    })
    const start = await Promise.race([firstAlarm, late]).finally(() => clearTimeout(timer))
    const windowMs = seconds * 1000
    // the first alarm's own writes land within it; compare the files from a second later
    await sleep(1000)
    const before = sqliteFiles(persistDir)
    await sleep(Math.max(0, start + windowMs - performance.now()))
    const after = sqliteFiles(persistDir)
    const all = steady.stop()
    const pings = beats.stop()
    const window = tally(all.log.filter((w) => w.at >= start && w.at < start + windowMs))
    const alarms = window.log.filter((w) => w.event === 'alarm').map((w) => w.at)
    const minutes = seconds / 60
    const sqliteChanged = [...after]
      .filter(([path, stamp]) => before.get(path) !== stamp)
      .map(([path]) => relative(persistDir, path))
    return {
      wakesPerMinute: window.total / minutes,
      setup,
      window,
      firstAlarmSeconds: (start - registeredAt) / 1000,
      pings,
      pongs,
      sqliteChanged,
      counts: {
        // measured at the bench's check interval, scaled to the configured one
        alarmsPerAppPerMinute:
          (alarmsPerMinute(alarms, windowMs) * BENCH_CHECK_SECONDS) / CONFIGURED_CHECK_SECONDS,
        measuredAlarmsPerMinute: alarmsPerMinute(alarms, windowMs),
        messageWakesPerSessionPerMinute: (window.byEvent.message ?? 0) / sessions / minutes,
        // each upgrade reaches the object as one `fetch`; without such lines, assume one
        objectRequestsPerUpgrade:
          setup.byEvent.fetch !== undefined ? setup.byEvent.fetch / sessions : 1,
        messagesPerConnection: (setup.byEvent.message ?? 0) / sessions,
        sqliteWrittenWhileIdle: sqliteChanged.length > 0,
      },
    }
  } finally {
    killAll(opened)
  }
}

/** Open the ping rate's sessions (kept for every round; kill them at the end). */
export const openPingSessions = (server: Server) =>
  openSessions({ origin: wsOrigin(server), appid: freshAppid('ping') }, PING_SESSIONS)

/** One session_ping_rps round: pongs per second over `seconds`, PIPELINE pings in flight each. */
export async function measurePing(sessions: Session[], seconds: number): Promise<number> {
  let running = true
  let pongs = 0
  let inFlight = 0
  for (const s of sessions) {
    s.watch((text) => {
      if (!text.includes('"pong"')) return false
      inFlight -= 1
      if (!running) return true
      pongs += 1
      inFlight += 1
      s.send(s.hello.ping)
      return true
    })
  }
  const started = performance.now()
  for (const s of sessions) {
    for (let i = 0; i < PIPELINE; i++) {
      inFlight += 1
      s.send(s.hello.ping)
    }
  }
  await sleep(seconds * 1000)
  running = false
  const elapsed = (performance.now() - started) / 1000
  const counted = pongs
  // let the heartbeats in flight come back, so the next round starts from none
  await waitFor('the last pongs', () => inFlight <= 0, ANSWER_TIMEOUT_MS, 20)
  if (counted === 0) throw new Error('no heartbeat was answered with a pong')
  return counted / elapsed
}

/** One session_wake round: `count` sessions watching one app; each one's delta latency (ms). */
export async function measureSessionWake(server: Server, count: number): Promise<number[]> {
  const appid = freshAppid('swake')
  await registerOne(server.url, appid, hostname(0))
  const digits = await cursor(server.url, appid)
  const sessions = await openSessions({ origin: wsOrigin(server), appid }, count, 200)
  const trigger = await openExchange(server.host, server.port)
  try {
    let armed = false
    /** Views or deltas before the change, or a second one after it. */
    let unexpected = 0
    let woken = 0
    let allWoken: () => void = () => {}
    const done = new Promise<void>((resolve) => {
      allWoken = resolve
    })
    const at = new Array<number>(sessions.length).fill(Number.NaN)
    sessions.forEach((s, i) => {
      s.watch((text, arrived) => {
        const isDelta = text.includes('"type":"delta"')
        if (!isDelta && !text.includes('"type":"view"')) return false
        if (!armed || !isDelta || !Number.isNaN(at[i] ?? Number.NaN)) {
          unexpected += 1
          return true
        }
        at[i] = arrived
        woken += 1
        if (woken === sessions.length) allWoken()
        return true
      })
    })
    const watch = `{"op":"watch","cursor":${digits}}`
    for (let i = 0; i < sessions.length; i += 500) {
      await Promise.all(sessions.slice(i, i + 500).map((s) => s.request(watch)))
    }
    await waitIdle(server.url, 500 + count * 0.1)
    if (unexpected > 0) {
      throw new Error(`${unexpected} sessions were sent a view or delta before the change`)
    }

    armed = true
    const authority = `${server.host}:${server.port}`
    const sentAt = await trigger.send(
      postText(authority, PATHS.register, registerBody(appid, hostname(1)))
    )
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${woken} of ${count} sessions got the delta`)),
        ANSWER_TIMEOUT_MS
      )
    })
    await Promise.race([done, late]).finally(() => clearTimeout(timer))
    const triggered = await trigger.answer
    if (!isOk(triggered.body)) throw new Error(`session wake trigger: ${triggered.body}`)
    if (unexpected > 0) throw new Error(`${unexpected} unexpected views or deltas after the change`)
    return at.map((t) => t - sentAt)
  } finally {
    killAll(sessions)
    trigger.close()
  }
}

/** One session_death_ms round (ms from SIGKILL to the instance gone from fetch). */
export async function measureDeath(server: Server): Promise<number> {
  await waitIdle(server.url) // the sockets of the step before are closed and handled
  const appid = freshAppid('death')
  // an HTTP instance keeps the app (and its fetch answer) alive around the one that dies
  await registerOne(server.url, appid, 'keeper')
  const dying = 'dying'
  const spec = JSON.stringify({ origin: wsOrigin(server), appid, hostname: dying })
  const owner = spawn(
    process.execPath,
    ['--import', 'tsx', `${ROOT}scripts/bench/session-owner.ts`, spec],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  try {
    let out = ''
    let err = ''
    owner.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the session owner did not register: ${err}`)),
        OWNER_START_TIMEOUT_MS
      )
      owner.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (!out.includes('REGISTERED')) return
        clearTimeout(timer)
        resolve()
      })
      owner.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`the session owner exited (${code}): ${err}`))
      })
    })
    owner.removeAllListeners('exit')
    if (!(await fetchHostnames(server.url, appid)).includes(dying)) {
      throw new Error('the session owner registered, but fetch does not list its instance')
    }
    owner.kill('SIGKILL')
    const killedAt = performance.now()
    const gone = async () => !(await fetchHostnames(server.url, appid)).includes(dying)
    await waitFor('the killed owner’s instance to leave fetch', gone, DEATH_TIMEOUT_MS, 20)
    return performance.now() - killedAt
  } finally {
    if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL')
  }
}
