/**
 * The memory figures, read from the resident set of the server's workerd process (the Worker,
 * its objects and Miniflare's entry all live in it).
 * - rss_mb_10k: add 100 apps of 100 instances next to the 10,000-instance app, let the server
 *   settle, and read it.
 * - rss_kb_per_held_poll (and its floor): on a fresh server, hold HELD_POLLS polls, each on its
 *   own keep-alive connection, over HELD_APPS apps; what the resident set grew by while they
 *   wait, per poll. WARM_POLLS are held first and kept, so the objects exist and the hold path
 *   has run before the first reading; both readings are taken once the server is idle and its
 *   resident set has stopped moving. A server that freed memory before (earlier load) would
 *   hand it back to the polls unseen, hence a fresh server for each measurement.
 */
import { sleep } from '../shared/wait.ts'
import { registeredCursors, waitIdle } from './client.ts'
import { rssKb, rssMb } from './proc.ts'
import { getText, openMany, type RawExchange } from './raw-http.ts'
import { registerSpread } from './throughput.ts'
import type { Endpoint } from './wake.ts'
import { freshAppid, hostname, pollsPath } from './wire.ts'

export const SMALL_APPS = 100
export const SMALL_APP_SIZE = 100

export async function rssWithSmallApps(url: string, workerdPid: number): Promise<number> {
  const appids = Array.from({ length: SMALL_APPS }, (_, i) => freshAppid(`small${i}`))
  await registerSpread(url, appids, SMALL_APP_SIZE)
  await waitIdle(url, 1000)
  return rssMb(workerdPid)
}

/** Polls held for rss_kb_per_held_poll, and the apps they are spread over (poll i: app i mod n). */
export const HELD_POLLS = 2000
export const HELD_APPS = 20
/** Held before the first reading and kept until the end (not counted). */
const WARM_POLLS = 200
/** The resident set has settled when the last SETTLE_SAMPLES readings are this close (share). */
const SETTLE_SPREAD = 0.01
const SETTLE_SAMPLES = 4
const SAMPLE_MS = 500
const SETTLE_MAX_MS = 30_000

/** The request text of held poll `i` on one server. */
export type HeldRequest = (i: number) => string

export interface HeldMemory {
  /** KiB of resident memory per held poll. */
  kibPerPoll: number
  /** Resident set (MiB) with the warm-up polls held, then with every poll held. */
  beforeMb: number
  heldMb: number
}

/** The registry's held polls: `polls` of one app at its cursor; registers one instance per app. */
export async function registryPolls(at: Endpoint, apps = HELD_APPS): Promise<HeldRequest> {
  const appids = Array.from({ length: apps }, (_, i) => freshAppid(`held${i}`))
  const cursors = await registeredCursors(at.url, appids, hostname(0))
  const authority = `${at.host}:${at.port}`
  return (i) => {
    const app = cursors[i % cursors.length] ?? ['', '0']
    return getText(authority, pollsPath([app], `watcher-${i}`))
  }
}

/** The floor worker's held requests (floor/worker.js): a bare socket to one of `apps` objects. */
export function floorPolls(at: Endpoint, apps = HELD_APPS): HeldRequest {
  const app = freshAppid('held')
  const authority = `${at.host}:${at.port}`
  return (i) => getText(authority, `/poll?app=${app}.${i % apps}`)
}

/** Resident memory per held poll of the server at `at` (workerd `workerdPid`). */
export async function rssPerHeldPoll(
  at: Endpoint,
  workerdPid: number,
  request: HeldRequest,
  polls = HELD_POLLS,
  warm = WARM_POLLS
): Promise<HeldMemory> {
  const held: RawExchange[] = []
  try {
    await hold(at, held, warm, request)
    const before = await settledRss(at, workerdPid, warm)
    await hold(at, held, polls, request)
    const after = await settledRss(at, workerdPid, polls)
    const answered = held.filter((poll) => poll.answered).length
    if (answered > 0) throw new Error(`${answered} polls answered while they should be held`)
    return {
      kibPerPoll: (after - before) / polls,
      beforeMb: before / 1024,
      heldMb: after / 1024,
    }
  } finally {
    for (const poll of held) poll.close()
  }
}

/** Open `count` more connections and send each its poll (numbered on from those held). */
async function hold(at: Endpoint, held: RawExchange[], count: number, request: HeldRequest) {
  const opened = await openMany(at.host, at.port, count)
  const first = held.length
  held.push(...opened)
  await Promise.all(opened.map((poll, i) => poll.send(request(first + i))))
}

/** The resident set (KiB) once the server is idle and the readings stop moving. */
async function settledRss(at: Endpoint, pid: number, polls: number): Promise<number> {
  await waitIdle(at.url, 500 + polls * 0.1)
  const readings: number[] = []
  const until = performance.now() + SETTLE_MAX_MS
  for (;;) {
    readings.push(rssKb(pid))
    const last = readings.slice(-SETTLE_SAMPLES)
    const spread = Math.max(...last) - Math.min(...last)
    const settled = last.length === SETTLE_SAMPLES && spread <= SETTLE_SPREAD * Math.max(...last)
    if (settled || performance.now() > until) return last[last.length - 1] ?? 0
    await sleep(SAMPLE_MS)
  }
}
