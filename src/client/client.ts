/**
 * `createDiscoveryClient`: the SDK's entry point. Wires the options, the node list, the
 * transport and the shared poller together, and offers register, fetch, watch and the
 * registry's node list. Runs on Node ≥ 20, in browsers and in Workers (fetch, AbortController,
 * timers and URL only).
 */
import { ECODE } from '../protocol/ecode.ts'
import { PATHS } from '../protocol/paths.ts'
import { type Instance, STATUS_UP, STATUS_WAITING } from '../registry/model.ts'
import type { AppSnapshot } from './app-snapshot.ts'
import {
  DiscoveryConfigError,
  DiscoveryError,
  DiscoveryResponseError,
  toDiscoveryError,
} from './errors.ts'
import { NodeList } from './nodes.ts'
import { type ClientConfig, type DiscoveryClientOptions, resolveOptions } from './options.ts'
import { Poller } from './poller.ts'
import { type InstanceInput, type RegisterOptions, Registration } from './registration.ts'
import { type EnvelopeAnswer, expectOk, Transport } from './transport.ts'
import { WatchStream } from './watch-stream.ts'
import { decodeAll, decodeNodes, decodeSnapshot, type NodeStatus } from './wire.ts'

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
   * Register an instance and keep it renewed. Resolves after the first successful register
   * (retrying while nodes are unreachable); rejects at once on a protocol error (-400…).
   */
  register(instance: InstanceInput, options?: RegisterOptions): Promise<Registration>
  /** One app's instances now. Throws DiscoveryNotFoundError when the app (or zone) is unknown. */
  fetch(appid: string, options?: FetchOptions): Promise<AppSnapshot>
  /** Every instance of every app and env, by appid (`GET /discovery/fetch/all`). */
  fetchAll(options?: { signal?: AbortSignal }): Promise<Record<string, Instance[]>>
  /** The registry's `/discovery/nodes` list. */
  nodes(options?: { signal?: AbortSignal }): Promise<NodeStatus[]>
  /**
   * Snapshots of the apps as they change (UP instances only), from one long poll shared by every
   * watch of this client. Starts with each app's current state; never yields an empty list in
   * place of a non-empty one because of an error or a registry restart.
   */
  watch(
    appids: string | readonly string[],
    options?: WatchOptions
  ): AsyncIterableIterator<AppSnapshot>
  /** End every watch, cancel every registration, stop polling. */
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
  readonly #registrations = new Map<string, Registration>()
  readonly #watches = new Set<WatchStream>()
  #closed = false

  constructor(config: ClientConfig) {
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
    const hostname = instance.hostname ?? this.#config.hostname
    if (!hostname) {
      const problem = 'register: no hostname (pass `hostname` to the client or the instance)'
      throw new DiscoveryConfigError(problem)
    }
    if (!this.#config.zone) {
      throw new DiscoveryConfigError('register: no zone (pass `zone` or set ZONE)')
    }
    if (instance.addrs.length === 0) {
      throw new DiscoveryConfigError(`register ${instance.appid}: no addrs`)
    }
    const key = `${instance.appid}\u0000${hostname}`
    if (this.#registrations.has(key)) {
      const problem = `register: ${instance.appid} is already registered as ${hostname} here`
      throw new DiscoveryConfigError(problem)
    }
    const release = this.#poller.retain() // keep learning the registry's nodes while registered
    let ended = false
    const registration = new Registration(
      {
        transport: this.#transport,
        config: this.#config,
        onEnd: () => {
          if (ended) return
          ended = true
          release()
          if (this.#registrations.get(key) === registration) this.#registrations.delete(key)
        },
      },
      instance,
      hostname
    )
    this.#registrations.set(key, registration)
    return registration.start(options.signal)
  }

  async fetch(appid: string, options: FetchOptions = {}): Promise<AppSnapshot> {
    const answer = await this.#transport.call(
      'GET',
      PATHS.fetch,
      {
        appid,
        env: this.#config.env,
        status: STATUS_MASK[options.status ?? 'up'],
        zone: options.zone,
      },
      { signal: options.signal }
    )
    return decoded(expectOk(answer), (data) => decodeSnapshot(appid, data))
  }

  async fetchAll(options: { signal?: AbortSignal } = {}): Promise<Record<string, Instance[]>> {
    const answer = await this.#transport.call('GET', PATHS.fetchAll, {}, { signal: options.signal })
    return decoded(expectOk(answer), decodeAll)
  }

  async nodes(options: { signal?: AbortSignal } = {}): Promise<NodeStatus[]> {
    const answer = await this.#transport.call('GET', PATHS.nodes, {}, { signal: options.signal })
    return decoded(expectOk(answer), decodeNodes)
  }

  watch(
    appids: string | readonly string[],
    options: WatchOptions = {}
  ): AsyncIterableIterator<AppSnapshot> {
    this.#open('watch')
    const list = typeof appids === 'string' ? [appids] : appids
    const forget = () => this.#watches.delete(stream)
    const stream: WatchStream = new WatchStream(this.#poller, list, options.signal, forget)
    if (!options.signal?.aborted) this.#watches.add(stream)
    return stream
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const stream of [...this.#watches]) await stream.return()
    const cancels = [...this.#registrations.values()].map((r) => r.cancel())
    const results = await Promise.allSettled(cancels)
    this.#poller.close()
    for (const result of results) {
      if (result.status === 'rejected') this.#config.onError(toDiscoveryError(result.reason))
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #open(what: string): void {
    if (this.#closed) throw new DiscoveryError(`${what}: the client is closed`)
  }
}

/** Decode an answer's data; a shape error becomes a DiscoveryResponseError. */
function decoded<T>(
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
