/**
 * Held polls under load: `polls` clients, each on its own keep-alive connection, poll one of
 * `apps` apps (client i watches app i mod apps) with the app's current cursor, so every poll
 * is held, and poll again at once when answered, for `seconds`. The hold is set per request by
 * `x1-bmspy-timeout` (hold + 20 ms: the server subtracts 20), so the server's own hold must be
 * at least as long. The clients start evenly over `rampSeconds` (0: all at once, the worst
 * case: the server then sets up every poll in one go and answers them in one go). Every poll's
 * time from sending to its complete answer is kept.
 */
import { PATHS } from '../../src/protocol/paths.ts'
import { registeredCursors } from '../bench/client.ts'
import { sleep } from '../shared/wait.ts'
import { type Answer, KeepAlive } from './keep-alive.ts'

export interface HeldPollsOptions {
  url: string
  polls: number
  apps: number
  holdMs: number
  seconds: number
  rampSeconds: number
}

export interface HeldPollsResult {
  /** Every answered poll's duration (ms), in the order they ended. */
  durations: number[]
  /** The first poll of each client (ms): with no ramp, the server took them all at once. */
  firstDurations: number[]
  /** Answers by `HTTP <status> <code>`. */
  answers: Map<string, number>
  /** Connections that failed (reset or closed) before their answer, by error. */
  failures: Map<string, number>
}

const BMSPY_MARGIN_MS = 20
const CONNECT_PARALLEL = 100

/** A fresh app per index, so no other run's polls or changes share it. */
const appName = (run: string, i: number) => `stress.held.${run}.${i}`

async function connectAll(host: string, port: number, count: number): Promise<KeepAlive[]> {
  const opened: KeepAlive[] = []
  while (opened.length < count) {
    const batch = Math.min(CONNECT_PARALLEL, count - opened.length)
    opened.push(
      ...(await Promise.all(Array.from({ length: batch }, () => KeepAlive.open(host, port))))
    )
  }
  return opened
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

export async function runHeldPolls(options: HeldPollsOptions): Promise<HeldPollsResult> {
  const { hostname, port, host } = new URL(options.url)
  const run = Date.now().toString(36)
  const appids = Array.from({ length: options.apps }, (_, i) => appName(run, i))
  // one instance in each app (env dev), and each app's cursor after it
  const cursors = new Map(await registeredCursors(options.url, appids, 'h'))
  const connections = await connectAll(hostname, Number(port), options.polls)
  const result: HeldPollsResult = {
    durations: [],
    firstDurations: [],
    answers: new Map(),
    failures: new Map(),
  }
  const end = performance.now() + options.seconds * 1000
  const timeout = String(options.holdMs + BMSPY_MARGIN_MS)
  const client = async (connection: KeepAlive, i: number) => {
    await sleep((options.rampSeconds * 1000 * i) / options.polls)
    const appid = appids[i % appids.length] ?? ''
    const query = new URLSearchParams({
      ...{ appid, env: 'dev', hostname: `client-${i}` },
      latest_timestamp: cursors.get(appid) ?? '0',
    })
    const text =
      `GET ${PATHS.poll}?${query} HTTP/1.1\r\nHost: ${host}\r\n` +
      `x1-bmspy-timeout: ${timeout}\r\n\r\n`
    let first = true
    while (performance.now() < end) {
      const sent = performance.now()
      let answer: Answer
      try {
        answer = await connection.request(text)
      } catch (error) {
        bump(result.failures, error instanceof Error ? error.message : String(error))
        return
      }
      const took = performance.now() - sent
      if (first) result.firstDurations.push(took)
      first = false
      result.durations.push(took)
      bump(result.answers, `HTTP ${answer.status} ${/"code":(-?\d+)/.exec(answer.body)?.[1]}`)
    }
  }
  try {
    await Promise.all(connections.map(client))
  } finally {
    for (const c of connections) c.close()
  }
  return result
}

/** The p-th percentile (0-100) by nearest rank of sorted `values`. */
const rank = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0

/** A poll is late when it ends more than this past its hold. */
const LATE_PAST_HOLD_MS = 2000

/** How many of `durations` ended late for a hold of `holdMs`. */
export const lateCount = (durations: number[], holdMs: number): number =>
  durations.filter((d) => d > holdMs + LATE_PAST_HOLD_MS).length

/** How long the polls took: percentiles, how many ended past hold + 2 s and past 10 s, a histogram. */
export function pollsReport(result: HeldPollsResult, holdMs: number): string {
  const sorted = [...result.durations].sort((a, b) => a - b)
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  const late = lateCount(sorted, holdMs)
  const past10 = sorted.filter((d) => d > 10_000).length
  const share = (n: number) => `${((100 * n) / Math.max(1, sorted.length)).toFixed(2)} %`
  const firstLate = lateCount(result.firstDurations, holdMs)
  const lines = [
    `${sorted.length} polls ended (hold ${s(holdMs)}): p50 ${s(rank(sorted, 50))}, ` +
      `p90 ${s(rank(sorted, 90))}, p99 ${s(rank(sorted, 99))}, max ${s(rank(sorted, 100))}`,
    `  past hold + 2 s: ${late} (${share(late)}), of which clients' first polls: ${firstLate}; ` +
      `past 10 s: ${past10} (${share(past10)})`,
  ]
  const buckets = new Map<number, number>()
  for (const d of sorted) {
    const bucket = Math.min(Math.floor(d / 500) * 500, holdMs + 5000)
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1)
  }
  for (const [from, n] of buckets) {
    const to = from >= holdMs + 5000 ? '' : s(from + 500)
    lines.push(`  ${s(from)} – ${to.padEnd(7)} ${String(n).padStart(7)}  ${share(n)}`)
  }
  lines.push(`  answers: ${[...result.answers].map(([k, n]) => `${k}: ${n}`).join(', ')}`)
  if (result.failures.size > 0)
    lines.push(`  failed: ${[...result.failures].map(([k, n]) => `${k}: ${n}`).join(', ')}`)
  return lines.join('\n')
}
