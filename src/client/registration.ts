/**
 * One registered instance (docs/protocol.md–§3.3, §7.1): the first register (retried with
 * backoff while nodes fail), then a renew every interval; a renew answered -404 registers
 * again; failures are reported and retried sooner, never dropped. `cancel()` stops the loop and
 * deregisters. Identity (zone, env, region, hostname) comes from the client, as in the Go SDK.
 */
import { ECODE } from '../protocol/ecode.ts'
import { PATHS } from '../protocol/paths.ts'
import { type InstanceStatus, STATUS_UP } from '../registry/model.ts'
import { backoffDelay } from './backoff.ts'
import { isNodeFailure, toDiscoveryError } from './errors.ts'
import type { ClientConfig } from './options.ts'
import { sleep } from './timers.ts'
import { apiError, expectOk, type Params, type Transport } from './transport.ts'

/** What to register. */
export interface InstanceInput {
  appid: string
  /** Addresses, conventionally `grpc://ip:port`, `http://ip:port`. At least one. */
  addrs: readonly string[]
  /** String values only; `weight` (default 10) steers pickers. */
  metadata?: Record<string, string>
  version?: string
  /** STATUS_UP (1, default) receives traffic; STATUS_WAITING (2) is listed but gets none. */
  status?: InstanceStatus
  /** Overrides the client's hostname (to run several instances from one process). */
  hostname?: string
}

/** Options of `register()`. */
export interface RegisterOptions {
  /** Stops retrying the first register; `register()` then rejects with the signal's reason. */
  signal?: AbortSignal
  /**
   * Gives up the first register after this long (retries included): `register()` then rejects
   * with a DiscoveryTimeoutError whose `cause` is the last failure seen. Default: keep trying.
   */
  timeoutMs?: number
}

/** What a registration needs from its client. */
export interface RegistrationContext {
  transport: Transport
  config: ClientConfig
  /** Called once when the registration ends (cancelled, or its first register failed). */
  onEnd: () => void
}

/** A live registration, kept alive in the background until `cancel()`. */
export interface Registration extends AsyncDisposable {
  readonly appid: string
  readonly hostname: string
  readonly zone: string
  readonly env: string
  /** What keeps the instance alive now: a session, or renews over HTTP. */
  readonly transport: 'session' | 'http'
  /** Whether `cancel()` has been called. */
  readonly cancelled: boolean
  /**
   * Stop keeping the instance alive and deregister. Resolves once the registry has dropped the
   * instance (or did not know it); rejects if that could not be confirmed. Calling it again
   * returns the same promise.
   */
  cancel(): Promise<void>
}

/** A registration over HTTP: renewed every interval until `cancel()`. */
export class HttpRegistration implements Registration {
  readonly transport = 'http'
  readonly appid: string
  readonly hostname: string
  readonly zone: string
  readonly env: string
  readonly #context: RegistrationContext
  readonly #registerParams: Params
  readonly #keyParams: Params
  readonly #stop = new AbortController()
  #started: Promise<unknown> = Promise.resolve()
  #loop: Promise<void> = Promise.resolve()
  #cancelling: Promise<void> | undefined

  /** @internal Use `client.register()`. */
  constructor(context: RegistrationContext, input: InstanceInput, hostname: string) {
    const { config } = context
    this.#context = context
    this.appid = input.appid
    this.hostname = hostname
    this.zone = config.zone
    this.env = config.env
    const { env, region, zone } = config
    this.#keyParams = { appid: input.appid, env, hostname, region, zone }
    this.#registerParams = {
      ...this.#keyParams,
      addrs: input.addrs,
      metadata: input.metadata ? JSON.stringify(input.metadata) : '',
      status: input.status ?? STATUS_UP,
      version: input.version ?? '',
    }
  }

  get cancelled(): boolean {
    return this.#stop.signal.aborted
  }

  /** @internal The first register, then the renew loop. */
  start(signal?: AbortSignal): Promise<this> {
    const started = this.#start(signal)
    this.#started = started.catch(() => undefined)
    return started
  }

  async #start(signal: AbortSignal | undefined): Promise<this> {
    // A cancel (client.close()) during the first register stops it too.
    const stop = new AbortController()
    const forward = () => stop.abort(signal?.aborted ? signal.reason : this.#stop.signal.reason)
    if (signal?.aborted || this.#stop.signal.aborted) forward()
    signal?.addEventListener('abort', forward, { once: true })
    this.#stop.signal.addEventListener('abort', forward, { once: true })
    try {
      await this.#firstRegister(stop.signal)
    } catch (error) {
      this.#stop.abort()
      this.#context.onEnd()
      throw error
    } finally {
      signal?.removeEventListener('abort', forward)
      this.#stop.signal.removeEventListener('abort', forward)
    }
    this.#loop = this.#renewLoop()
    return this
  }

  /** Stop renewing and deregister; rejects if no node could be reached. Works unstarted too. */
  cancel(): Promise<void> {
    this.#cancelling ??= this.#cancel()
    return this.#cancelling
  }

  /** `await using` support: cancels; a failure goes to `onError` instead of being thrown. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.cancel()
    } catch (error) {
      this.#context.config.onError(toDiscoveryError(error))
    }
  }

  async #cancel(): Promise<void> {
    this.#stop.abort()
    await this.#started
    await this.#loop
    this.#context.onEnd()
    const answer = await this.#context.transport.call('POST', PATHS.cancel, this.#keyParams)
    if (answer.code !== ECODE.OK && answer.code !== ECODE.NOTHING_FOUND) throw apiError(answer)
  }

  async #firstRegister(signal: AbortSignal | undefined): Promise<void> {
    const { config } = this.#context
    for (let attempt = 1; ; attempt++) {
      try {
        const { transport } = this.#context
        expectOk(await transport.call('POST', PATHS.register, this.#registerParams, { signal }))
        return
      } catch (error) {
        if (signal?.aborted) throw signal.reason
        if (!isNodeFailure(error)) throw error // -400, 401, 403…: the same on every try
        config.onError(toDiscoveryError(error))
        await sleep(config.timers, backoffDelay(attempt, config.backoff, config.random), signal)
        if (signal?.aborted) throw signal.reason
      }
    }
  }

  async #renewLoop(): Promise<void> {
    const { config, transport } = this.#context
    const signal = this.#stop.signal
    let failures = 0
    while (!signal.aborted) {
      const retry = () => backoffDelay(failures, config.backoff, config.random)
      const delay =
        failures === 0 ? config.renewIntervalMs : Math.min(config.renewIntervalMs, retry())
      await sleep(config.timers, delay, signal)
      if (signal.aborted) return
      try {
        const renewed = await transport.call('POST', PATHS.renew, this.#keyParams, { signal })
        if (renewed.code === ECODE.NOTHING_FOUND) {
          // The registry lost the instance (evicted, or another node took over): register again.
          config.onError(apiError(renewed))
          expectOk(await transport.call('POST', PATHS.register, this.#registerParams, { signal }))
        } else {
          expectOk(renewed)
        }
        failures = 0
      } catch (error) {
        if (signal.aborted) return
        failures += 1
        config.onError(toDiscoveryError(error))
      }
    }
  }
}
