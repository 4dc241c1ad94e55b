/**
 * A black-box HTTP client for the end-to-end tests that talks like the reference Go SDK
 * (docs/protocol.md): POST bodies form-urlencoded with keys sorted alphabetically, lists as
 * repeated keys (`addrs=a&addrs=b`), GET query strings built the same way, and int64 values
 * (timestamps) kept exact: bodies are parsed with the int64-aware parser, never JSON.parse.
 */
import { ADDR, FORM_HEADERS, latestDigits } from '../../scripts/shared/discovery-text.ts'
import { encodeForm, type FormValue } from '../../src/protocol/form.ts'
import { type Int64Json, parse } from '../../src/protocol/int64-json.ts'

/** Params as the Go SDK sends them; encoded by the protocol's own encoder (test/unit/form.test.ts pins it to Go's output). */
export type Params = Record<string, FormValue>
// re-exported: test/worker/support.ts and auth.test.ts take the encoder from here
export { encodeForm }

// The parsed body of an answer: a JSON value whose unsafe integers are bigint. Typed loosely
// on purpose: tests walk arbitrary answer shapes and assert on every value they touch.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Body = any

/** One HTTP answer: status, content type, raw text, the parsed body, and how long it took. */
export interface HttpAnswer {
  status: number
  contentType: string
  text: string
  /** The body parsed with int64 precision; undefined when it is not JSON. */
  body: Body
  /** Milliseconds from sending the request to the end of the body. */
  ms: number
  /** performance.now() when the body had arrived. */
  at: number
}

/** Per-request extras: headers and an abort signal. */
export interface RequestOptions {
  headers?: Record<string, string>
  signal?: AbortSignal
}

/** Everything a request may carry: the query string (already encoded) and any fetch body. */
export interface RequestParts extends RequestOptions {
  query?: string
  body?: BodyInit
}

/** The instance keys in the reference's order (docs/protocol.md). */
export const INSTANCE_KEYS = [
  'region',
  'zone',
  'env',
  'appid',
  'hostname',
  'addrs',
  'version',
  'metadata',
  'status',
  'reg_timestamp',
  'up_timestamp',
  'renew_timestamp',
  'dirty_timestamp',
  'latest_timestamp',
] as const

/** A timestamp of a parsed body as bigint (0 arrives as a number). */
export function ts(value: unknown): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  throw new Error(`not an integer timestamp: ${String(value)}`)
}

/** Every instance of an InstanceInfo (all zones), sorted by zone then hostname. */
export function instancesOf(info: Body): Body[] {
  const zones = info?.instances as Record<string, Body[]> | undefined
  if (!zones) return []
  return Object.values(zones)
    .flat()
    .sort((a, b) => `${a.zone}\u0000${a.hostname}`.localeCompare(`${b.zone}\u0000${b.hostname}`))
}

/** Hostnames of an InstanceInfo (parsed from an answer, or an SDK snapshot), sorted. */
export const hostnamesOf = (info: Body): string[] =>
  instancesOf(info)
    .map((i) => i.hostname as string)
    .sort()

function parseBody(text: string): Body {
  try {
    return parse(text) as Int64Json
  } catch {
    return undefined
  }
}

/**
 * A discovery client bound to one registry: `origin` is its url (like http://127.0.0.1:43121),
 * or a function that gives it, for a registry that is started later, in a beforeAll.
 */
export class Discovery {
  constructor(private readonly origin: string | (() => string)) {}

  get url(): string {
    return typeof this.origin === 'string' ? this.origin : this.origin()
  }

  /** Any request; answers with the raw text and the int64-exact parsed body. */
  async request(method: string, path: string, init: RequestParts = {}): Promise<HttpAnswer> {
    const started = performance.now()
    const response = await fetch(`${this.url}${path}${init.query ? `?${init.query}` : ''}`, {
      method,
      body: init.body,
      headers: init.headers,
      signal: init.signal,
    })
    const text = await response.text()
    const at = performance.now()
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text,
      body: parseBody(text),
      ms: at - started,
      at,
    }
  }

  /** A GET with the parameters in the query string (Go SDK style). */
  get(path: string, params: Params = {}, options: RequestOptions = {}): Promise<HttpAnswer> {
    return this.request('GET', path, { query: encodeForm(params), ...options })
  }

  /** A POST with a form-urlencoded body (Go SDK style). */
  post(path: string, params: Params, options: RequestOptions = {}): Promise<HttpAnswer> {
    return this.postForm(path, encodeForm(params), options)
  }

  /** A form POST whose body is given as written (byte-exact cases); `query` goes in the URL. */
  postForm(
    path: string,
    body: string,
    options: RequestOptions & { query?: string } = {}
  ): Promise<HttpAnswer> {
    return this.request('POST', path, {
      ...options,
      body,
      headers: { ...FORM_HEADERS, ...options.headers },
    })
  }

  /**
   * Register; defaults are `R(h)` of the checklist in docs/protocol.md (zone sh001, env dev, status 1, one
   * address) plus region and version as the SDK sends them. A param set to undefined is omitted.
   */
  register(appid: string, hostname: string, params: Params = {}): Promise<HttpAnswer> {
    return this.post('/discovery/register', {
      addrs: ADDR,
      appid,
      env: 'dev',
      hostname,
      region: 'sh',
      status: 1,
      version: 'v1',
      zone: 'sh001',
      ...params,
    })
  }

  /** Renew (heartbeat) as the SDK sends it. */
  renew(appid: string, hostname: string, params: Params = {}): Promise<HttpAnswer> {
    return this.post('/discovery/renew', {
      appid,
      env: 'dev',
      hostname,
      region: 'sh',
      zone: 'sh001',
      ...params,
    })
  }

  /** Cancel as the SDK sends it. */
  cancel(appid: string, hostname: string, params: Params = {}): Promise<HttpAnswer> {
    return this.post('/discovery/cancel', {
      appid,
      env: 'dev',
      hostname,
      region: 'sh',
      zone: 'sh001',
      ...params,
    })
  }

  /** Set; `hostname`, `status` and `metadata` may be lists (repeated keys). */
  set(appid: string, params: Params): Promise<HttpAnswer> {
    return this.post('/discovery/set', { appid, env: 'dev', zone: 'sh001', ...params })
  }

  /** Fetch one application; default status mask 3 (UP and WAITING). */
  fetch(appid: string, params: Params = {}): Promise<HttpAnswer> {
    return this.get('/discovery/fetch', { appid, env: 'dev', status: 3, ...params })
  }

  fetchs(appids: string[], params: Params = {}): Promise<HttpAnswer> {
    return this.get('/discovery/fetchs', { appid: appids, env: 'dev', status: 1, ...params })
  }

  fetchAll(): Promise<HttpAnswer> {
    return this.get('/discovery/fetch/all')
  }

  /** The application `latest_timestamp` digits, exactly as the server wrote them. */
  async latest(appid: string, env = 'dev'): Promise<string> {
    const answer = await this.fetch(appid, { env })
    if (answer.body?.code !== 0) throw new Error(`fetch ${appid}: ${answer.text}`)
    return latestDigits(answer.text)
  }

  /** poll: `cursors` are echoed as given (digit strings), in appid order. */
  poll(
    apps: string[],
    cursors: (string | number)[] | undefined,
    params: Params = {},
    options: RequestOptions = {}
  ): Promise<HttpAnswer> {
    const query = {
      appid: apps,
      env: 'dev',
      hostname: 'client-1',
      latest_timestamp: cursors,
      ...params,
    }
    return this.get('/discovery/poll', query, options)
  }

  /** polls as the Go SDK sends it: appid/latest_timestamp repeated, env, hostname, no zone. */
  polls(
    cursors: Record<string, string | number>,
    params: Params = {},
    options: RequestOptions = {}
  ): Promise<HttpAnswer> {
    return this.get(
      '/discovery/polls',
      {
        appid: Object.keys(cursors),
        env: 'dev',
        hostname: 'client-1',
        latest_timestamp: Object.values(cursors),
        ...params,
      },
      options
    )
  }
}

/** A unique appid per call, so tests sharing a registry never see each other's data. */
export function appids(prefix: string): () => string {
  let n = 0
  const run = Date.now().toString(36)
  return () => `${prefix}.${run}.${++n}`
}
