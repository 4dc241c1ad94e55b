/**
 * `createDiscoveryClient`: the SDK's entry point. Wires the options, the node list, the HTTP
 * transport, the shared poller and one session per app together, and offers register, fetch,
 * watch, the registry's node list, and the operator's calls (operator-calls.ts). Runs on Node ≥
 * 20, in browsers and in Workers (fetch, AbortController, timers and URL; WebSocket for sessions).
 */
import { INFRA_APPID, PATHS } from '../protocol/paths.ts'
import { type Instance, STATUS_UP, STATUS_WAITING } from '../registry/model.ts'
import { AppSession } from './app-session.ts'
import { type AppSnapshot, allInstances } from './app-snapshot.ts'
import {
  DiscoveryConfigError,
  DiscoveryError,
  DiscoveryRequestError,
  DiscoveryTimeoutError,
  toDiscoveryError,
} from './errors.ts'
import { checkInstance, checkRegisterOptions } from './instance-checks.ts'
import { NodeList, nodesFromInfra, type RegistryNode } from './nodes.ts'
import {
  appHistory,
  cancelInstance,
  type HistoryOptions,
  type InstanceTarget,
  type OperatorContext,
  type SetOptions,
  setInstance,
} from './operator-calls.ts'
import { checkString, shown } from './option-checks.ts'
import { type ClientConfig, type DiscoveryClientOptions, resolveOptions } from './options.ts'
import { Poller } from './poller.ts'
import {
  HttpRegistration,
  type InstanceInput,
  type RegisterOptions,
  type Registration,
} from './registration.ts'
import { deadlineSignal } from './timers.ts'
import { decodeData, expectOk, redact, Transport } from './transport.ts'
import { TransportChoice } from './transport-choice.ts'
import { type SnapshotSource, WatchStream } from './watch-stream.ts'
import {
  decodeAll,
  decodeNodes,
  decodeSnapshot,
  type HistoryEntry,
  type NodeStatus,
} from './wire.ts'

/** Which instances `fetch` returns. */
export type StatusFilter = 'up' | 'waiting' | 'all'

const STATUS_MASK: Record<StatusFilter, number> = {
  up: STATUS_UP,
  waiting: STATUS_WAITING,
  all: STATUS_UP | STATUS_WAITING,
}

export interface FetchOptions {
  /** Default `up`. */
  status?: StatusFilter
  /** Only this zone; default every zone. */
  zone?: string
  signal?: AbortSignal
}

export interface WatchOptions {
  /** Ends the iteration. */
  signal?: AbortSignal
}

/** A discovery client. Close it (or `await using`) to stop its background loops. */
export interface DiscoveryClient extends AsyncDisposable {
  readonly env: string
  readonly zone: string
  /** Undefined outside Node when not given. */
  readonly hostname: string | undefined
  /** The registry nodes in rotation now (seeds until infra.discovery names the registry's own). */
  readonly knownNodes: readonly string[]
  /**
   * Register an instance and keep it alive (over the app's session, or renewed over HTTP).
   * Resolves after the first successful register (retrying while nodes are unreachable); rejects
   * at once on a protocol error (-400…).
   */
  register(instance: InstanceInput, options?: RegisterOptions): Promise<Registration>
  /** One app's instances now. Throws DiscoveryNotFoundError when the app (or zone) is unknown. */
  fetch(appid: string, options?: FetchOptions): Promise<AppSnapshot>
  /** Every instance of every app and env, by appid (`GET /discovery/fetch/all`). */
  fetchAll(options?: { signal?: AbortSignal }): Promise<Record<string, Instance[]>>
  /** The registry's `/discovery/nodes` list. */
  nodes(options?: { signal?: AbortSignal }): Promise<NodeStatus[]>
  /**
   * Deregister an instance of `appid`, whoever registered it (needs the `write` scope). Throws
   * DiscoveryNotFoundError when the registry does not know it. Whatever keeps it alive (a
   * session, renews) registers it again: stop that first.
   */
  cancel(appid: string, target: InstanceTarget): Promise<void>
  /**
   * Change an instance's status (STATUS_WAITING drains it) and/or merge metadata into its own
   * (`write` scope). Its own client registers it as it was after a reconnect or a lost lease.
   */
  set(appid: string, change: SetOptions): Promise<void>
  /** The app's newest changes in this env, newest first (`GET /discovery/history`; `admin`). */
  history(appid: string, options?: HistoryOptions): Promise<HistoryEntry[]>
  /**
   * Snapshots of the apps as they change (UP instances only): pushed over each app's session, or
   * from one long poll shared by every HTTP watch of this client. Starts with each app's current
   * state. An app the registry says is empty is yielded empty (sessions only: polls cannot say
   * it); an error, a reconnect or a registry restart never yields an empty list in place of a
   * non-empty one.
   */
  watch(
    appids: string | readonly string[],
    options?: WatchOptions
  ): AsyncIterableIterator<AppSnapshot>
  /** End every watch, cancel every registration, then close the sessions and stop polling. */
  close(): Promise<void>
}

/**
 * Create a client. Options left out come, on Node, from DISCOVERY_NODES, DEPLOY_ENV, ZONE, REGION
 * and the machine's hostname. Throws DiscoveryConfigError when nodes or env are missing.
 *
 * @example
 * const client = createDiscoveryClient({ nodes: ['127.0.0.1:7171'], env: 'dev', zone: 'sh001' })
 * await client.register({ appid: 'demo.service', addrs: ['grpc://10.0.0.5:9000'] })
 * for await (const snapshot of client.watch('demo.service')) console.log(snapshot.instances)
 */
export function createDiscoveryClient(options: DiscoveryClientOptions = {}): DiscoveryClient {
  return new Client(resolveOptions(options))
}

class Client implements DiscoveryClient {
  readonly #config: ClientConfig
  readonly #nodes: NodeList
  readonly #transport: Transport
  readonly #poller: Poller
  readonly #choice: TransportChoice
  readonly #sessions = new Map<string, AppSession>()
  readonly #registrations = new Map<string, Registration>()
  readonly #watches = new Set<WatchStream>()
  #closed = false
  #failures = 0
  #lastFailure: DiscoveryError | undefined
  /** The node whose infra.discovery was read last (sessions only; the poller reads it itself). */
  #learnedFrom: string | undefined
  /** Watches go to the app's session when it has one, else to the poller. */
  readonly #source: SnapshotSource = {
    subscribe: (appid, listener) =>
      this.#sessionFor(appid)?.subscribe(listener) ?? this.#poller.subscribe(appid, listener),
    latest: (appid) =>
      this.#sessions.has(appid) ? this.#sessions.get(appid)?.latest() : this.#poller.latest(appid),
  }

  constructor(resolved: ClientConfig) {
    // Failures are counted on their way to onError: a register that times out names the last.
    const config: ClientConfig = {
      ...resolved,
      onError: (error) => {
        this.#failures += 1
        this.#lastFailure = error
        resolved.onError(error)
      },
    }
    this.#config = config
    this.#nodes = new NodeList(config.seeds, config.random)
    this.#transport = new Transport({
      fetch: config.fetch,
      nodes: this.#nodes,
      timers: config.timers,
      token: config.token,
      timeoutMs: config.requestTimeoutMs,
      onFailover: config.onError,
    })
    this.#poller = new Poller(this.#transport, this.#nodes, config)
    this.#choice = new TransportChoice(config.transport, config.webSocket)
  }

  get env(): string {
    return this.#config.env
  }

  get zone(): string {
    return this.#config.zone
  }

  get hostname(): string | undefined {
    return this.#config.hostname
  }

  get knownNodes(): readonly string[] {
    return this.#nodes.nodes.map((n) => n.url)
  }

  async register(instance: InstanceInput, options: RegisterOptions = {}): Promise<Registration> {
    this.#open('register')
    checkInstance(instance)
    checkRegisterOptions(options)
    const hostname = instance.hostname ?? this.#config.hostname
    if (!hostname) {
      const problem = 'register: no hostname (pass `hostname` to the client or the instance)'
      throw new DiscoveryConfigError(problem)
    }
    if (!this.#config.zone) {
      throw new DiscoveryConfigError('register: no zone (pass `zone` or set ZONE)')
    }
    const key = `${instance.appid}\u0000${hostname}`
    if (this.#registrations.has(key)) {
      const problem = `register: ${instance.appid} is already registered as ${hostname} here`
      throw new DiscoveryConfigError(problem)
    }
    if (options.signal?.aborted) throw options.signal.reason
    const deadline = this.#registerDeadline(options)
    const signal = deadline?.signal ?? options.signal
    const onEnd = () => {
      if (this.#registrations.get(key) === registration) this.#registrations.delete(key)
    }
    const session = this.#sessionFor(instance.appid)
    let registration: Registration
    let registered: Promise<Registration>
    if (session) {
      ;[registration, registered] = session.register(instance, hostname, onEnd, signal)
    } else {
      const http = this.#httpRegistration(instance, hostname, onEnd)
      ;[registration, registered] = [http, http.start(signal)]
    }
    this.#registrations.set(key, registration)
    try {
      return await registered
    } finally {
      deadline?.clear()
    }
  }

  async fetch(appid: string, options: FetchOptions = {}): Promise<AppSnapshot> {
    checkString('fetch: appid', appid)
    const { status = 'up', zone, signal } = options
    if (!Object.hasOwn(STATUS_MASK, status)) {
      const problem = `fetch ${appid}: status must be up, waiting or all, got ${shown(status)}`
      throw new DiscoveryConfigError(problem)
    }
    const params = { appid, env: this.#config.env, status: STATUS_MASK[status], zone }
    const answer = await this.#transport.call('GET', PATHS.fetch, params, { signal })
    return decodeData(expectOk(answer), (data) => decodeSnapshot(appid, data))
  }

  async fetchAll(options: { signal?: AbortSignal } = {}): Promise<Record<string, Instance[]>> {
    const answer = await this.#transport.call('GET', PATHS.fetchAll, {}, { signal: options.signal })
    return decodeData(expectOk(answer), decodeAll)
  }

  async nodes(options: { signal?: AbortSignal } = {}): Promise<NodeStatus[]> {
    const answer = await this.#transport.call('GET', PATHS.nodes, {}, { signal: options.signal })
    return decodeData(expectOk(answer), decodeNodes)
  }

  cancel(appid: string, target: InstanceTarget): Promise<void> {
    return cancelInstance(this.#operator, appid, target)
  }

  set(appid: string, change: SetOptions): Promise<void> {
    return setInstance(this.#operator, appid, change)
  }

  history(appid: string, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    return appHistory(this.#operator, appid, options)
  }

  get #operator(): OperatorContext {
    return { transport: this.#transport, config: this.#config }
  }

  watch(
    appids: string | readonly string[],
    options: WatchOptions = {}
  ): AsyncIterableIterator<AppSnapshot> {
    this.#open('watch')
    const list: readonly unknown[] = typeof appids === 'string' ? [appids] : appids
    if (!Array.isArray(list) || list.length === 0) {
      throw new DiscoveryConfigError(
        `watch: appids must name at least one app, got ${shown(appids)}`
      )
    }
    for (const [i, appid] of list.entries()) checkString(`watch: appids[${i}]`, appid)
    const checked = list as readonly string[]
    const forget = () => this.#watches.delete(stream)
    const stream: WatchStream = new WatchStream(this.#source, checked, options.signal, forget)
    if (!options.signal?.aborted) this.#watches.add(stream)
    return stream
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const stream of [...this.#watches]) await stream.return()
    const cancels = [...this.#registrations.values()].map((r) => r.cancel())
    const results = await Promise.allSettled(cancels)
    for (const session of this.#sessions.values()) session.close()
    this.#poller.close()
    for (const result of results) {
      if (result.status === 'rejected') this.#config.onError(toDiscoveryError(result.reason))
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /**
   * With `timeoutMs`: a signal that also aborts after it, with a DiscoveryTimeoutError whose
   * cause is the last failure reported meanwhile (what kept the register from succeeding).
   */
  #registerDeadline({ signal, timeoutMs }: RegisterOptions) {
    if (timeoutMs === undefined) return undefined
    const since = this.#failures
    return deadlineSignal(this.#config.timers, timeoutMs, signal, () => {
      const cause = this.#failures > since ? this.#lastFailure : undefined
      const request =
        cause instanceof DiscoveryRequestError
          ? cause.request
          : { method: 'POST', url: redact(`${this.#nodes.current().url}${PATHS.register}`) }
      const problem = `not registered within ${timeoutMs} ms`
      return new DiscoveryTimeoutError(request, timeoutMs, { problem, cause })
    })
  }

  #open(what: string): void {
    if (this.#closed) throw new DiscoveryError(`${what}: the client is closed`)
  }

  /** The app's session, made on first use; none with transport 'http' (or for the registry). */
  #sessionFor(appid: string): AppSession | undefined {
    // infra.discovery is answered by the Worker itself, not by an app's object with sessions.
    if (this.#choice.mode === 'http' || appid === INFRA_APPID) return undefined
    let session = this.#sessions.get(appid)
    if (!session) {
      session = new AppSession({
        appid,
        config: this.#config,
        nodes: this.#nodes,
        choice: this.#choice,
        transport: this.#transport,
        poller: this.#poller,
        httpRegistration: (input, hostname, onEnd) =>
          this.#httpRegistration(input, hostname, onEnd),
        connected: (node) => this.#learnNodesFrom(node),
      })
      this.#sessions.set(appid, session)
    }
    return session
  }

  /**
   * Learn the registry's nodes from `node`'s infra.discovery, once per node a session reaches:
   * sessions have no long poll to learn them from, and node lists change rarely.
   */
  #learnNodesFrom(node: RegistryNode): void {
    if (this.#learnedFrom === node.key) return
    this.#learnedFrom = node.key
    const { env, zone, seeds } = this.#config
    const query = { appid: INFRA_APPID, env, status: STATUS_UP }
    void this.#transport
      .send(node, 'GET', PATHS.fetch, query)
      .then((answer) => decodeData(expectOk(answer), (data) => decodeSnapshot(INFRA_APPID, data)))
      .then((infra) => this.#nodes.learn(nodesFromInfra(allInstances(infra), zone, seeds)))
      .catch((error: unknown) => this.#config.onError(toDiscoveryError(error)))
  }

  /** A renewing registration; the poller runs meanwhile to keep learning the registry's nodes. */
  #httpRegistration(input: InstanceInput, hostname: string, onEnd: () => void): HttpRegistration {
    const release = this.#poller.retain()
    let ended = false
    const context = {
      transport: this.#transport,
      config: this.#config,
      onEnd: () => {
        if (ended) return
        ended = true
        release()
        onEnd()
      },
    }
    return new HttpRegistration(context, input, hostname)
  }
}
