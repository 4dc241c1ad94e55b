/**
 * Which transport an app uses (issue #10, docs/sessions.md): sessions where the registry offers
 * them and HTTP (renews and long polls) where it does not. Finds a WebSocket class without a
 * runtime dependency, remembers the nodes that answered the upgrade with plain HTTP and those
 * that held sessions, and judges how a session connection ended: try again (on which node) or
 * fall back.
 */
import { PATHS } from '../protocol/paths.ts'
import {
  DiscoveryConfigError,
  type DiscoveryError,
  DiscoveryHttpError,
  DiscoveryNetworkError,
  type DiscoveryRequestInfo,
  DiscoveryResponseError,
  DiscoverySessionError,
  DiscoveryTimeoutError,
} from './errors.ts'
import { findWebSocket } from './find-websocket.ts'
import type { RegistryNode } from './nodes.ts'
import type { SocketEnd, WebSocketConstructor } from './session-socket.ts'
import type { Transport } from './transport.ts'

/**
 * `auto`: sessions, and HTTP for apps whose node has none (or that hold their most sessions);
 * `session`: sessions only, failures reported and retried; `http`: renews and long polls only.
 */
export type TransportMode = 'auto' | 'session' | 'http'

export const TRANSPORT_MODES: readonly TransportMode[] = ['auto', 'session', 'http']

/** Close codes the registry uses (docs/sessions.md "When a session ends"). */
const CLOSE = { policy: 1008, tryAgainLater: 1013, tokenExpired: 4401 } as const

/**
 * Failed upgrades in a row, each with a plain request answered, after which a node that held
 * sessions counts as having none (it was rolled back to a version without them). Fewer are a
 * restart: the upgrade and the plain request that explains it reach different processes (the
 * old one still serving a kept-alive connection, or the new one just up), or a dev proxy fails
 * the upgrade while the worker reloads. The backoff spaces them: 3 take 3.5 s or more.
 */
export const REFUSALS_BEFORE_NO_SESSIONS = 3

/** What to do after a session connection ended. */
export type Verdict =
  | { next: 'fall back'; error: DiscoveryError | undefined }
  | { next: 'retry'; error: DiscoveryError; failover: boolean }

/** How a connection that failed before opening was explained by a plain request to the node. */
export type Probe = { answered: true; status: number } | { answered: false; error: DiscoveryError }

/** The transport decision of one client, shared by its apps. */
export class TransportChoice {
  readonly mode: TransportMode
  readonly #given: WebSocketConstructor | undefined
  readonly #withoutSessions = new Set<string>()
  /** Nodes that said hello, with the upgrades they failed in a row since (answering HTTP). */
  readonly #withSessions = new Map<string, number>()
  #webSocket: Promise<WebSocketConstructor | undefined> | undefined
  #noted = false

  constructor(mode: TransportMode, webSocket: WebSocketConstructor | undefined) {
    this.mode = mode
    this.#given = webSocket
  }

  /** The WebSocket class to use, looked for once; undefined when the platform has none. */
  webSocket(): Promise<WebSocketConstructor | undefined> {
    this.#webSocket ??= findWebSocket(this.#given)
    return this.#webSocket
  }

  /**
   * Why sessions cannot be used at all (no WebSocket, or one that refuses the URL): in 'auto' a
   * note for onError the first time only (the apps quietly use HTTP), in 'session' the error.
   */
  unusable(problem: string, cause?: unknown): DiscoveryError | undefined {
    if (this.mode === 'auto' && this.#noted) return undefined
    this.#noted = true
    const tail = this.mode === 'auto' ? '; using HTTP (renews and long polls)' : ''
    return new DiscoveryConfigError(`sessions: ${problem}${tail}`, { cause })
  }

  /** `node` said hello: it has sessions, and a failed upgrade there is first taken for a restart. */
  spoke(node: RegistryNode): void {
    this.#withSessions.set(node.key, 0)
  }

  /** Whether `node` answered a session upgrade with plain HTTP. */
  hasNoSessions(node: RegistryNode): boolean {
    return this.#withoutSessions.has(node.key)
  }

  /**
   * What to do after a connection to `node` ended. `probe` explains a connection that never
   * opened (the WebSocket API does not say whether the node answered HTTP or nothing at all).
   */
  judge(
    end: Exclude<SocketEnd, { kind: 'local' }>,
    request: DiscoveryRequestInfo,
    details: { node: RegistryNode; appid: string; timeoutMs: number; probe?: Probe }
  ): Verdict {
    const auto = this.mode === 'auto'
    switch (end.kind) {
      case 'unopened': {
        const probe = details.probe
        if (!probe?.answered) {
          const error = probe?.error ?? new DiscoveryNetworkError(request, 'no connection')
          return { next: 'retry', error, failover: true }
        }
        const retry = (problem: string): Verdict => {
          const error = new DiscoverySessionError(request, `${refusedWhy(probe.status)}${problem}`)
          return { next: 'retry', error, failover: true }
        }
        // a failing node (or a proxy in front of one) says nothing about sessions
        if (probe.status >= 500) return retry(': the node is failing')
        const refusals = this.#withSessions.get(details.node.key)
        if (refusals !== undefined && refusals + 1 < REFUSALS_BEFORE_NO_SESSIONS) {
          this.#withSessions.set(details.node.key, refusals + 1)
          return retry(': the node held sessions before (restarting?)')
        }
        this.#withSessions.delete(details.node.key)
        if (auto) {
          this.#withoutSessions.add(details.node.key)
          return { next: 'fall back', error: undefined }
        }
        const why =
          probe.status === 401 || probe.status === 403 ? ': check the token' : ': no sessions there'
        return retry(`${why}; transport 'session' does not fall back`)
      }
      case 'timeout': {
        const error = new DiscoveryTimeoutError(request, details.timeoutMs)
        return { next: 'retry', error, failover: true }
      }
      case 'dead': {
        const problem = 'no pong to two heartbeats: the connection is dead'
        return { next: 'retry', error: new DiscoverySessionError(request, problem), failover: true }
      }
      case 'garbled':
        return {
          next: 'retry',
          error: new DiscoveryResponseError(request, end.problem),
          failover: true,
        }
      case 'closed':
        return closedVerdict(end, request, details.appid, auto)
    }
  }
}

/**
 * Explain a connection to `node` that never opened: the WebSocket API does not say whether the
 * node answered the upgrade with plain HTTP or did not answer at all, a plain request does.
 * `request` names the session in the error.
 */
export async function probeNode(
  transport: Transport,
  node: RegistryNode,
  request: DiscoveryRequestInfo,
  signal: AbortSignal
): Promise<Probe> {
  try {
    await transport.send(node, 'GET', PATHS.nodes, {}, { signal })
    return { answered: true, status: 200 }
  } catch (error) {
    if (error instanceof DiscoveryHttpError) return { answered: true, status: error.status }
    if (error instanceof DiscoveryResponseError) return { answered: true, status: 200 }
    const problem = 'no connection, and no answer to a plain request either'
    const cause = error instanceof Error ? error : undefined
    return { answered: false, error: new DiscoveryNetworkError(request, problem, { cause }) }
  }
}

/** A failed upgrade, explained by the HTTP status of a plain request to the node. */
const refusedWhy = (status: number) =>
  `the session upgrade failed, and a plain request got HTTP ${status}`

function closedVerdict(
  end: Extract<SocketEnd, { kind: 'closed' }>,
  request: DiscoveryRequestInfo,
  appid: string,
  auto: boolean
): Verdict {
  const closeCode = end.code
  const said = end.error?.message || end.reason
  const because = said ? `: ${said}` : ''
  const fail = (problem: string, failover: boolean): Verdict => {
    const error = new DiscoverySessionError(request, problem, { closeCode, code: end.error?.code })
    return { next: 'retry', error, failover }
  }
  switch (closeCode) {
    case CLOSE.tryAgainLater: {
      // The cap is the app's, not the node's: another node leads to the same object.
      const problem = `${appid} holds its most sessions (closed with ${closeCode}${because})`
      if (!auto) return fail(`${problem}; transport 'session' keeps trying`, false)
      const error = new DiscoverySessionError(request, `${problem}; using HTTP for it`, {
        closeCode,
        code: end.error?.code,
      })
      return { next: 'fall back', error }
    }
    case CLOSE.tokenExpired:
      return fail(`the token expired (closed with ${closeCode}${because})`, false)
    case CLOSE.policy:
      return fail(`a session limit was broken (closed with ${closeCode}${because})`, false)
    default: {
      // 1006 is no close frame at all: the connection broke (or the registry restarted).
      const what =
        closeCode === 1006 ? 'the connection was lost (1006)' : `closed with ${closeCode}`
      return fail(`${what}${because}`, true)
    }
  }
}
