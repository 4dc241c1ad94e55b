/**
 * One app's registrations and watch over its session (docs/sessions.md): one connection at a
 * time under one session id, reconnected with backoff and node failover; on every `hello` each
 * registration is sent again and the watch resumes from its cursor, so the registry hands the
 * instances back without announcing a change. Falls back to HTTP (renewing registrations, the
 * shared poller) when TransportChoice says so. Idle (nothing registered or watched): no socket.
 */
import { ECODE } from '../protocol/ecode.ts'
import { encodeForm } from '../protocol/form.ts'
import { PATHS } from '../protocol/paths.ts'
import { SESSION_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../protocol/session-frames.ts'
import type { AppSnapshot } from './app-snapshot.ts'
import { backoffDelay } from './backoff.ts'
import {
  DiscoveryApiError,
  type DiscoveryError,
  type DiscoveryRequestInfo,
  DiscoveryTimeoutError,
} from './errors.ts'
import type { NodeList, RegistryNode } from './nodes.ts'
import type { ClientConfig } from './options.ts'
import type { Poller } from './poller.ts'
import type { HttpRegistration, InstanceInput, Registration } from './registration.ts'
import { type ErrorFrame, newSessionId, type ServerFrame } from './session-frames.ts'
import { SessionRegistration } from './session-registration.ts'
import { SessionRequests } from './session-requests.ts'
import { SessionSocket, type WebSocketConstructor } from './session-socket.ts'
import { WatchedView } from './session-view.ts'
import { sleep } from './timers.ts'
import { redact, type Transport } from './transport.ts'
import { probeNode, type TransportChoice } from './transport-choice.ts'

type Listener = (snapshot: AppSnapshot) => void

/** Codes worth sending a `register` again for: too many frames (-429), a fault (-500, -503). */
const RETRYABLE = new Set<number>([-429, ECODE.SERVER_ERR, -503])

export interface AppSessionContext {
  appid: string
  config: ClientConfig
  nodes: NodeList
  choice: TransportChoice
  /** For the plain request that explains a connection that never opened. */
  transport: Transport
  /** Watches go through it after a fallback. */
  poller: Poller
  /** A renewing HTTP registration (after a fallback), started by the caller. */
  httpRegistration(input: InstanceInput, hostname: string, onEnd: () => void): HttpRegistration
  /** A session to `node` said hello. */
  connected(node: RegistryNode): void
}

export class AppSession {
  readonly #context: AppSessionContext
  /** Chosen once, reused on every reconnect: the registry hands the instances back. */
  readonly #sessionId = newSessionId()
  readonly #entries = new Set<SessionRegistration>()
  readonly #view: WatchedView
  readonly #requests: SessionRequests
  /** Register retries after a transient refusal; cleared when the connection ends. */
  readonly #timers = new Set<unknown>()
  /** Deadlines of the cancels in progress. */
  readonly #cancelTimers = new Map<SessionRegistration, unknown>()
  #mode: 'session' | 'http' | 'failed' = 'session'
  #failure: DiscoveryError | undefined
  #closed = false
  #running = false
  #stop = new AbortController()
  #socket: SessionSocket | undefined
  #node: RegistryNode | undefined
  #failures = 0
  /** A watch is out: deltas that do not follow the cursor are expected until its `ok`. */
  #rewatching = false
  /** The next view answers the watch re-sent on a new connection (see WatchedView). */
  #reconnected = false
  #unsubscribePoller: (() => void) | undefined

  constructor(context: AppSessionContext) {
    this.#context = context
    this.#view = new WatchedView(context.appid)
    const { timers, backoff, random } = context.config
    this.#requests = new SessionRequests({
      send: (text) => this.#socket?.send(text) ?? false,
      timers,
      retryDelayMs: () => backoffDelay(1, backoff, random),
    })
  }

  /**
   * Register over the session (or HTTP after a fallback): the handle now, and the promise of the
   * first register (its `ok`). Throws when sessions cannot work here and transport is 'session'.
   */
  register(
    input: InstanceInput,
    hostname: string,
    onEnd: () => void,
    signal?: AbortSignal
  ): [Registration, Promise<Registration>] {
    if (this.#failure) throw this.#failure
    if (this.#mode === 'http') {
      const http = this.#context.httpRegistration(input, hostname, onEnd)
      return [http, http.start(signal)]
    }
    const { config } = this.#context
    const entry = new SessionRegistration(this, config, input, hostname, { onEnd, signal })
    this.#entries.add(entry)
    if (this.#socket?.ready) this.#sendRegister(entry)
    this.#ensureRunning()
    return [entry, entry.registered]
  }

  /** @internal SessionRegistrationOwner: cancel over the session, giving up after the deadline. */
  cancel(entry: SessionRegistration): void {
    if (!entry.sent) {
      this.#forget(entry)
      entry.cancelDone()
      return
    }
    const { config } = this.#context
    const timer = config.timers.setTimeout(() => {
      this.#forget(entry)
      entry.cancelDone(new DiscoveryTimeoutError(this.#request('cancel'), config.requestTimeoutMs))
    }, config.requestTimeoutMs)
    this.#cancelTimers.set(entry, timer)
    if (this.#socket?.ready) this.#sendCancel(entry)
    this.#ensureRunning()
  }

  /** Deliver the app's snapshots to `listener` until the returned function is called. */
  subscribe(listener: Listener): () => void {
    const listeners = this.#view.listeners
    listeners.add(listener)
    if (listeners.size === 1) {
      if (this.#mode === 'http') this.#watchByPolling()
      else if (this.#socket?.ready) this.#sendWatch()
    }
    this.#ensureRunning()
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0) return
      this.#unsubscribePoller?.()
      this.#unsubscribePoller = undefined
      if (this.#socket?.ready) this.#requests.send({ op: 'unwatch' })
      this.#view.reset()
      this.#stopIfIdle()
    }
  }

  /** What the app's watchers were last told. */
  latest(): AppSnapshot | undefined {
    return this.#view.latest()
  }

  /** Close the session for good (code 1000). Registrations are the client's to cancel first. */
  close(): void {
    this.#closed = true
    this.#halt()
    this.#unsubscribePoller?.()
  }

  #wanted(): boolean {
    const busy = this.#entries.size > 0 || this.#view.listeners.size > 0
    return !this.#closed && this.#mode === 'session' && busy
  }

  #ensureRunning(): void {
    if (this.#running || !this.#wanted()) return
    this.#running = true
    this.#stop = new AbortController()
    void this.#run(this.#stop.signal).finally(() => {
      this.#running = false
      this.#ensureRunning() // wanted again while the loop was winding down
    })
  }

  #stopIfIdle(): void {
    if (!this.#wanted()) this.#halt()
  }

  #halt(): void {
    this.#stop.abort()
    this.#socket?.close(1000)
  }

  async #run(stop: AbortSignal): Promise<void> {
    const { choice, nodes, config } = this.#context
    const WebSocket = await choice.webSocket()
    if (stop.aborted) return
    if (!WebSocket) return this.#unusable('no WebSocket here (pass `webSocket`, or install ws)')
    while (!stop.aborted) {
      const node = nodes.current()
      if (choice.mode === 'auto' && choice.hasNoSessions(node)) return this.#fallBack(undefined)
      const socket = this.#open(WebSocket, node)
      if (!socket) return
      const end = await socket.ended
      this.#disconnected()
      if (end.kind === 'local' || stop.aborted) return
      const request = this.#request('GET')
      const probe =
        end.kind === 'unopened'
          ? await probeNode(this.#context.transport, node, request, stop)
          : undefined
      if (stop.aborted) return
      const verdict = choice.judge(end, request, {
        node,
        appid: this.#context.appid,
        timeoutMs: config.requestTimeoutMs,
        probe,
      })
      if (verdict.next === 'fall back') return this.#fallBack(verdict.error)
      this.#failures += 1
      if (verdict.failover) nodes.failed(node)
      config.onError(verdict.error)
      await sleep(config.timers, backoffDelay(this.#failures, config.backoff, config.random), stop)
    }
  }

  #open(WebSocket: WebSocketConstructor, node: RegistryNode): SessionSocket | undefined {
    const { config } = this.#context
    const token = config.token ?? node.token
    this.#node = node
    try {
      this.#socket = new SessionSocket({
        WebSocket,
        url: this.#url(node, false),
        protocols:
          token === undefined
            ? [SESSION_PROTOCOL]
            : [SESSION_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`],
        timers: config.timers,
        timeoutMs: config.requestTimeoutMs,
        onHello: () => this.#connected(node),
        onFrame: (frame) => this.#received(frame),
      })
      return this.#socket
    } catch (cause) {
      // The constructor refused the URL or a subprotocol (a token with characters it rejects).
      const why = cause instanceof Error ? cause.message : String(cause)
      this.#unusable(`the WebSocket refused ${this.#url(node, true)} (${why})`, cause)
      return undefined
    }
  }

  /** Sessions cannot work here: 'auto' falls back, 'session' fails every pending request. */
  #unusable(problem: string, cause?: unknown): void {
    const error = this.#context.choice.unusable(problem, cause)
    if (this.#context.choice.mode === 'auto') {
      this.#fallBack(error)
      return
    }
    this.#mode = 'failed'
    this.#failure = error
    if (error) this.#context.config.onError(error)
    for (const entry of [...this.#entries]) {
      this.#forget(entry)
      if (entry.state === 'cancelling') entry.cancelDone()
      else if (error) entry.refused(error)
    }
  }

  /** `hello` arrived: the node works; hand the registry everything this session holds. */
  #connected(node: RegistryNode): void {
    this.#context.choice.spoke(node)
    this.#context.nodes.succeeded(node)
    this.#context.connected(node)
    this.#failures = 0
    for (const entry of this.#entries) {
      if (entry.state === 'cancelling') this.#sendCancel(entry)
      else this.#sendRegister(entry)
    }
    if (this.#view.listeners.size > 0) {
      this.#reconnected = this.#view.latest() !== undefined
      this.#sendWatch()
    }
  }

  #disconnected(): void {
    this.#socket = undefined
    this.#requests.reset()
    this.#rewatching = false
    for (const timer of this.#timers) this.#context.config.timers.clearTimeout(timer)
    this.#timers.clear()
  }

  #received(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ok':
      case 'error': {
        if (frame.id === undefined && frame.type === 'error') {
          this.#unattributed(frame)
          return
        }
        if (typeof frame.id === 'number') this.#requests.answered(frame, frame.id)
        return
      }
      case 'view':
        this.#view.applyView(frame, this.#reconnected)
        this.#reconnected = false
        return
      case 'delta':
        this.#reconnected = false
        if (!this.#view.applyDelta(frame) && !this.#rewatching) this.#sendWatch()
        return
    }
  }

  #sendRegister(entry: SessionRegistration): void {
    entry.sent = true
    this.#requests.send(
      { op: 'register', ...entry.fields },
      {
        ok: () => entry.acknowledged(),
        error: (frame) => {
          const error = this.#apiError('register', frame)
          if (!RETRYABLE.has(frame.code)) return entry.refused(error)
          this.#context.config.onError(error)
          const { timers, backoff, random } = this.#context.config
          const timer = timers.setTimeout(
            () => {
              this.#timers.delete(timer)
              if (this.#entries.has(entry) && entry.state !== 'cancelling')
                this.#sendRegister(entry)
            },
            backoffDelay(1, backoff, random)
          )
          this.#timers.add(timer)
        },
      }
    )
  }

  #sendCancel(entry: SessionRegistration): void {
    const { zone, hostname } = entry.fields
    const done = (error?: DiscoveryError) => {
      this.#forget(entry)
      entry.cancelDone(error)
    }
    this.#requests.send(
      { op: 'cancel', zone, hostname },
      {
        ok: () => done(),
        error: (frame) =>
          done(frame.code === ECODE.NOTHING_FOUND ? undefined : this.#apiError('cancel', frame)),
      }
    )
  }

  #sendWatch(): void {
    this.#rewatching = true
    this.#requests.send(
      { op: 'watch', cursor: this.#view.cursor },
      {
        ok: () => {
          this.#rewatching = false
        },
        error: (frame) => {
          this.#rewatching = false
          this.#context.config.onError(this.#apiError('watch', frame))
        },
      }
    )
  }

  /**
   * An `error` without an id: -429 means the registry dropped a frame for going too fast,
   * without saying which. -503 is a refusal, judged with the close that follows.
   */
  #unattributed(frame: ErrorFrame): void {
    if (frame.code === -503) return
    this.#context.config.onError(this.#apiError('session', frame))
    if (frame.code === -429) this.#requests.dropped()
  }

  /** Drop an entry from the session's desired state (cancelled, refused, or handed over). */
  #forget(entry: SessionRegistration): void {
    this.#entries.delete(entry)
    const timer = this.#cancelTimers.get(entry)
    this.#cancelTimers.delete(entry)
    if (timer !== undefined) this.#context.config.timers.clearTimeout(timer)
    this.#stopIfIdle()
  }

  /** Use HTTP for this app from now on: renewing registrations and the shared poller. */
  #fallBack(error: DiscoveryError | undefined): void {
    if (this.#mode !== 'session') return
    this.#mode = 'http'
    if (error) this.#context.config.onError(error)
    this.#halt()
    for (const entry of [...this.#entries]) {
      this.#forget(entry)
      entry.handOver((onEnd) => this.#context.httpRegistration(entry.input, entry.hostname, onEnd))
    }
    if (this.#view.listeners.size > 0) this.#watchByPolling()
  }

  #watchByPolling(): void {
    const { poller, appid } = this.#context
    this.#unsubscribePoller ??= poller.subscribe(appid, (s) => this.#view.deliver(s, true))
  }

  #apiError(op: string, frame: ErrorFrame): DiscoveryApiError {
    const { field, code } = frame
    const said = frame.message || String(code)
    const message = field && !said.includes(field) ? `${field}: ${said}` : said
    return new DiscoveryApiError(this.#request(op), code, message)
  }

  /** What error messages name: the op and the session URL, its id and any token left out. */
  #request(method: string): DiscoveryRequestInfo {
    const node = this.#node ?? this.#context.nodes.current()
    return { method, url: this.#url(node, true) }
  }

  #url(node: RegistryNode, redacted: boolean): string {
    const { appid, config } = this.#context
    const base = redacted ? redact(node.url) : node.url
    // The id is base64url, safe in a query as it is.
    const session = redacted ? '***' : this.#sessionId
    const query = `${encodeForm({ appid, env: config.env })}&session=${session}`
    return `${base.replace(/^http/, 'ws')}${PATHS.session}?${query}`
  }
}
