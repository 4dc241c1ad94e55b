/**
 * The malformed stream: the fuzz's generated requests (scripts/shared/malformed/) mixed with
 * the transport faults of faults.ts, sent as raw bytes, `concurrency` at a time, each on a new
 * connection, bounded by a count and a time limit. Tallies every outcome by HTTP status (or
 * reset, timeout) and every JSON answer by envelope code, and keeps the first few failures: a
 * 5xx, a -500, or no answer at all.
 */
import fc from 'fast-check'
import { PATHS } from '../../src/protocol/paths.ts'
import { FORM_HEADERS } from '../shared/discovery-text.ts'
import { requestArb } from '../shared/malformed/arbitraries.ts'
import { KNOWN } from '../shared/malformed/request.ts'
import { faultArb } from './faults.ts'
import { fromMalformed, mayReset, type RawRequest } from './raw-request.ts'
import { type Outcome, sendRaw } from './send-raw.ts'

export interface StreamOptions {
  /** e.g. http://127.0.0.1:7171 */
  url: string
  count: number
  concurrency: number
  /** Stop sending after this long, whatever is left of `count`. */
  seconds: number
  seed: number
  /** Per request; a held poll in the stream waits at most 100 ms (faults.ts). */
  timeoutMs?: number
  /** Called about every `progressMs` with the requests answered so far. */
  onProgress?: (done: number) => void
}

export interface Failure {
  outcome: Outcome
  label: string
}

export interface StreamResult {
  sent: number
  /** Requests by kind (RawRequest.kind). */
  sentByKind: Map<string, number>
  seconds: number
  /** By HTTP status, `reset` (no answer, connection failed) or `timeout`. */
  statuses: Map<string, number>
  /** JSON answers by envelope code. */
  codes: Map<string, number>
  /** HTTP 5xx and -500 answers. */
  serverErrors: number
  /** Server errors by the kind of request that got them (RawRequest.kind). */
  serverErrorsByKind: Map<string, number>
  /** Resets and timeouts, but for resets of requests that may get one (mayReset). */
  lost: number
  samples: Failure[]
}

/** Failures kept per kind (5xx, -500, reset, timeout), with their requests. */
const SAMPLES_PER_KIND = 4
const BATCH = 500

/** The stream's requests: about 70 % fuzz (as its generators weigh them), 30 % faults. */
const streamArb: fc.Arbitrary<RawRequest> = fc.oneof(
  { weight: 7, arbitrary: requestArb.map(fromMalformed) },
  { weight: 3, arbitrary: faultArb }
)

/** How often the stream registers KNOWN again, well within their 90 s lease. */
const KEEP_ALIVE_MS = 30_000

/** Register the instances every generated request aims at (idempotent). */
async function registerKnown(url: string): Promise<void> {
  for (const k of KNOWN) {
    const params = new URLSearchParams({ ...k, addrs: k.addrs.join(','), version: 'v1' })
    const response = await fetch(`${url}${PATHS.register}`, {
      method: 'POST',
      headers: FORM_HEADERS,
      body: params.toString(),
    })
    const text = await response.text()
    if (!text.startsWith('{"code":0')) throw new Error(`register ${k.appid}/${k.hostname}: ${text}`)
  }
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

/**
 * Send the stream. KNOWN is registered first and again every 30 s while it runs: an app whose
 * instances expired would hold its polls for the server's whole hold (30 s under npm start).
 */
export async function runStream(options: StreamOptions): Promise<StreamResult> {
  await registerKnown(options.url)
  const keepAlive = setInterval(
    () => void registerKnown(options.url).catch(() => {}),
    KEEP_ALIVE_MS
  )
  try {
    return await sendStream(options)
  } finally {
    clearInterval(keepAlive)
  }
}

async function sendStream(options: StreamOptions): Promise<StreamResult> {
  const { hostname, port } = new URL(options.url)
  const started = performance.now()
  const deadline = started + options.seconds * 1000
  const result: StreamResult = {
    sent: 0,
    sentByKind: new Map(),
    seconds: 0,
    statuses: new Map(),
    codes: new Map(),
    serverErrors: 0,
    serverErrorsByKind: new Map(),
    lost: 0,
    samples: [],
  }
  let queue: RawRequest[] = []
  let batch = 0
  const next = (): RawRequest | undefined => {
    if (result.sent >= options.count || performance.now() > deadline) return undefined
    if (queue.length === 0)
      queue = fc.sample(streamArb, { numRuns: BATCH, seed: options.seed + batch++ })
    result.sent += 1
    return queue.pop()
  }
  const kept = new Map<string, number>()
  const record = (request: RawRequest, outcome: Outcome) => {
    bump(result.sentByKind, request.kind)
    const failure = tally(result, request, outcome)
    if (failure === undefined || (kept.get(failure) ?? 0) >= SAMPLES_PER_KIND) return
    bump(kept, failure)
    result.samples.push({ outcome, label: request.label })
  }
  let answered = 0
  const worker = async () => {
    for (let request = next(); request; request = next()) {
      const outcome = await sendRaw(hostname, Number(port), request, options.timeoutMs ?? 20_000)
      record(request, outcome)
      answered += 1
      if (answered % 1000 === 0) options.onProgress?.(answered)
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  result.seconds = (performance.now() - started) / 1000
  return result
}

/** Count one outcome; returns its kind of failure, if it is one. */
function tally(result: StreamResult, request: RawRequest, outcome: Outcome): string | undefined {
  if (outcome.kind !== 'answer') {
    bump(result.statuses, outcome.kind)
    if (outcome.kind === 'reset' && mayReset(request)) return undefined
    result.lost += 1
    return outcome.kind
  }
  bump(result.statuses, String(outcome.status))
  const code = /^\{"code":(-?\d+)/.exec(outcome.body)?.[1]
  if (code !== undefined) bump(result.codes, code)
  if (outcome.status < 500 && code !== '-500') return undefined
  result.serverErrors += 1
  bump(result.serverErrorsByKind, request.kind)
  return code === '-500' ? '-500' : '5xx'
}

/** The tallies as lines: `status 200: 41234 (82.5 %)`, codes, failures with their requests. */
export function report(result: StreamResult): string {
  const lines = [
    `${result.sent} requests in ${result.seconds.toFixed(1)} s (${(result.sent / result.seconds).toFixed(0)} req/s)`,
  ]
  const share = (n: number) => `${((100 * n) / Math.max(1, result.sent)).toFixed(2)} %`
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => a[0].localeCompare(b[0]))
  const counts = (m: Map<string, number>) =>
    sorted(m)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')
  lines.push(`  kinds: ${counts(result.sentByKind)}`)
  for (const [status, n] of sorted(result.statuses))
    lines.push(`  status ${status.padEnd(7)} ${String(n).padStart(7)}  ${share(n)}`)
  lines.push(`  codes: ${counts(result.codes)}`)
  const byKind = counts(result.serverErrorsByKind)
  lines.push(
    `  server errors (HTTP 5xx or -500): ${result.serverErrors}${byKind ? ` (${byKind})` : ''}`
  )
  lines.push(`  lost (no answer where one was due): ${result.lost}`)
  for (const { outcome, label } of result.samples) {
    const seen =
      outcome.kind === 'answer'
        ? `HTTP ${outcome.status} ${JSON.stringify(outcome.body.slice(0, 300))}`
        : outcome.kind === 'reset'
          ? `reset: ${outcome.error}`
          : 'timeout'
    lines.push(`  - ${seen}\n    request: ${label}`)
  }
  return lines.join('\n')
}
