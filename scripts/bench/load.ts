/**
 * Bounded, self-stopping HTTP load from this process (autocannon): a fixed number of requests
 * or a fixed duration, never open-ended. Every answer must be HTTP 2xx, and where `verify` is
 * given, its body must pass it; otherwise the run fails instead of reporting a rate.
 */
import autocannon from 'autocannon'
import { percentile } from './stats.ts'

export interface LoadSpec {
  url: string
  /** Concurrent keep-alive connections. */
  connections: number
  /** Stop after this many seconds… */
  seconds?: number
  /** …or after exactly this many requests. */
  amount?: number
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  /** The n-th request (from 0): its path and body. */
  request: (n: number) => { path: string; body?: string }
  /** A check of every answer's body (e.g. code 0). */
  verify?: (body: string) => boolean
}

export interface LoadResult {
  requests: number
  seconds: number
  rps: number
  p50Ms: number
  p99Ms: number
}

/**
 * Run one load and return its rate and latencies. The rate is counted from the start to the
 * last answer (autocannon's own duration is rounded up to its next one-second tick when a run
 * ends by `amount`); latencies are kept per answer (its histogram holds whole milliseconds).
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let n = 0
  let started = performance.now()
  let lastAnswer = started
  const latencies: number[] = []
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.seconds ?? 5 }),
    timeout: 30,
    method: spec.method ?? 'GET',
    headers: spec.headers ?? {},
    requests: [
      {
        setupRequest: (request) => {
          const next = spec.request(n++)
          const body = next.body !== undefined ? { body: next.body } : {}
          return { ...request, path: next.path, ...body }
        },
      },
    ],
    ...(spec.verify ? { verifyBody: spec.verify } : {}),
  })
  instance.on('start', () => {
    started = performance.now()
  })
  instance.on('response', (_client, _status, _bytes, ms) => {
    lastAnswer = performance.now()
    latencies.push(ms)
  })
  const result = await instance
  const failed = result.errors + result.timeouts + result.non2xx + result.mismatches
  if (failed > 0) {
    throw new Error(
      `load on ${spec.url}: ${result.errors} errors, ${result.timeouts} timeouts, ` +
        `${result.non2xx} non-2xx, ${result.mismatches} unexpected bodies`
    )
  }
  const requests = result.requests.total
  const seconds = (lastAnswer - started) / 1000
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  }
}
