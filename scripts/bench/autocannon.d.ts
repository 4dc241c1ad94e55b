/** The part of autocannon's API (it ships no types) that the benchmark uses. */
declare module 'autocannon' {
  interface RawRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
  }

  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    timeout?: number
    method?: string
    headers?: Record<string, string>
    requests?: (RawRequest & { setupRequest?: (request: RawRequest) => RawRequest })[]
    verifyBody?: (body: string) => boolean
  }

  interface Histogram {
    p50: number
    p90: number
    p99: number
    average: number
    max: number
  }

  interface Result {
    duration: number
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    requests: Histogram & { total: number }
    latency: Histogram
  }

  /** Each answer, with its latency in ms (a float, unlike the result's histogram). */
  type OnResponse = (client: unknown, status: number, bytes: number, ms: number) => void

  interface Instance extends PromiseLike<Result> {
    stop(): void
    on(event: 'start', listener: () => void): Instance
    on(event: 'response', listener: OnResponse): Instance
  }

  function autocannon(options: Options): Instance
  export default autocannon
}
