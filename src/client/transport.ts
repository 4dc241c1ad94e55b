/**
 * HTTP to the registry: Go-SDK-style requests (form bodies with sorted keys, lists as repeated
 * keys, int64 digits exact), an optional Bearer token, a deadline per request, typed errors,
 * and failover: a node failure moves the shared NodeList on and the call tries the next node.
 * Knows nothing of registrations or watches.
 */
import { ECODE } from '../protocol/ecode.ts'
import { encodeForm, type FormValue } from '../protocol/form.ts'
import { parse } from '../protocol/int64-json.ts'
import {
  DiscoveryApiError,
  type DiscoveryError,
  DiscoveryHttpError,
  DiscoveryNetworkError,
  DiscoveryNotFoundError,
  type DiscoveryRequestInfo,
  DiscoveryResponseError,
  DiscoveryTimeoutError,
  isNodeFailure,
  toDiscoveryError,
} from './errors.ts'
import type { NodeList, RegistryNode } from './nodes.ts'
import type { Timers } from './timers.ts'
import { decodeEnvelope, type Envelope } from './wire.ts'

/** What the SDK passes to `fetch` (a subset of RequestInit every platform accepts). */
export interface FetchInit {
  method: string
  headers: Record<string, string>
  body?: string
  signal: AbortSignal
}

/** What the SDK reads from a response. */
export interface FetchResponse {
  status: number
  statusText: string
  text(): Promise<string>
}

/** A `fetch` function: the platform's, or one you inject (tests, proxies, instrumentation). */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>

/** Per-request settings. */
export interface SendOptions {
  signal?: AbortSignal
  /** Overrides the transport's default deadline. */
  timeoutMs?: number
  headers?: Record<string, string>
}

/** An envelope, with where it came from. */
export interface EnvelopeAnswer extends Envelope {
  node: RegistryNode
  request: DiscoveryRequestInfo
}

export interface TransportOptions {
  fetch: FetchLike
  nodes: NodeList
  timers: Timers
  token?: string
  timeoutMs: number
  /** Told about each node failure a call recovered from by moving to the next node. */
  onFailover: (error: DiscoveryError) => void
}

/** Parameters of one request. */
export type Params = Record<string, FormValue>

export class Transport {
  readonly #options: TransportOptions

  constructor(options: TransportOptions) {
    this.#options = options
  }

  /** One request to one node. Throws a DiscoveryRequestError subclass, or the signal's reason. */
  async send(
    node: RegistryNode,
    method: 'GET' | 'POST',
    path: string,
    params: Params,
    options: SendOptions = {}
  ): Promise<EnvelopeAnswer> {
    const form = encodeForm(params)
    const query = method === 'GET' && form !== '' ? `?${form}` : ''
    const url = `${node.url}${path}${query}`
    const request = { method, url: redact(url) }
    const headers: Record<string, string> = { ...options.headers }
    const token = this.#options.token ?? node.token
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded'

    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs
    const controller = new AbortController()
    let timedOut = false
    const timer = this.#options.timers.setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    const outer = options.signal
    const forward = () => controller.abort(outer?.reason)
    if (outer?.aborted) forward()
    outer?.addEventListener('abort', forward, { once: true })

    let text: string
    try {
      const exchange = (async () => {
        const response = await this.#options.fetch(url, {
          method,
          headers,
          body: method === 'POST' ? form : undefined,
          signal: controller.signal,
        })
        return { response, text: await response.text() }
      })()
      exchange.catch(() => {}) // settles after the race when the abort won it
      const { response, text: body } = await Promise.race([
        exchange,
        rejectOnAbort(controller.signal),
      ])
      text = body
      if (response.status < 200 || response.status > 299) {
        throw new DiscoveryHttpError(request, response.status, response.statusText, text)
      }
    } catch (error) {
      if (error instanceof DiscoveryHttpError) throw error
      if (outer?.aborted) throw outer.reason
      if (timedOut) throw new DiscoveryTimeoutError(request, timeoutMs)
      throw new DiscoveryNetworkError(request, describe(error), { cause: error })
    } finally {
      this.#options.timers.clearTimeout(timer)
      outer?.removeEventListener('abort', forward)
    }
    try {
      return { ...decodeEnvelope(parse(text)), node, request }
    } catch (cause) {
      const problem = text === '' ? 'empty answer' : `not a discovery answer (${describe(cause)})`
      throw new DiscoveryResponseError(request, problem, { cause })
    }
  }

  /**
   * A request to the current node; on a node failure, the next node, until one answers or every
   * node has been tried (the last failure is thrown, earlier ones go to `onFailover`).
   */
  async call(
    method: 'GET' | 'POST',
    path: string,
    params: Params,
    options: SendOptions = {}
  ): Promise<EnvelopeAnswer> {
    const nodes = this.#options.nodes
    const tried = new Set<string>()
    for (;;) {
      const node = nodes.current()
      tried.add(node.key)
      try {
        const answer = await this.send(node, method, path, params, options)
        nodes.succeeded(node)
        return answer
      } catch (error) {
        if (!isNodeFailure(error) || options.signal?.aborted) throw error
        nodes.failed(node)
        if (tried.has(nodes.current().key)) throw error
        this.#options.onFailover(toDiscoveryError(error))
      }
    }
  }
}

/** The error for an answer whose code is not 0 (-404 gets its own class). */
export function apiError(answer: EnvelopeAnswer): DiscoveryApiError {
  return answer.code === ECODE.NOTHING_FOUND
    ? new DiscoveryNotFoundError(answer.request, answer.code, answer.message)
    : new DiscoveryApiError(answer.request, answer.code, answer.message)
}

/** Throw unless the answer's code is 0. */
export function expectOk(answer: EnvelopeAnswer): EnvelopeAnswer {
  if (answer.code !== ECODE.OK) throw apiError(answer)
  return answer
}

/** Decode an answer's data; a shape error becomes a DiscoveryResponseError. */
export function decodeData<T>(
  answer: EnvelopeAnswer,
  decode: (data: NonNullable<EnvelopeAnswer['body']['data']>) => T
): T {
  const data = answer.body.data
  try {
    if (data === undefined || data === null) throw new Error('no data')
    return decode(data)
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause)
    const problem = `code ${ECODE.OK} with unreadable data (${why})`
    throw new DiscoveryResponseError(answer.request, problem, { cause })
  }
}

/**
 * Rejects with the reason once `signal` aborts. A request must end by its deadline, and Node's
 * fetch can leave a body read pending forever when it is aborted midway (nodejs/node#56917): a
 * renew loop waiting on it would stop renewing, and close() would never return.
 */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
  aborted.catch(() => {}) // an abort after the answer is nobody's error
  return aborted
}

/** A token in a `/t/<token>` path prefix stays out of messages. */
export const redact = (url: string): string => url.replace(/\/t\/[^/?]+/, '/t/***')

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED…) is in its cause.
  const cause = (error as { cause?: unknown }).cause
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message
}
