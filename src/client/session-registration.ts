/**
 * The handle `client.register()` returns while an app uses its session, and that instance's
 * state in the session: waiting for its first `ok`, live, being cancelled, ended. Its owner (the
 * app's session) sends the frames and reports back here. When the app falls back to HTTP, the
 * handle hands over to an ordinary renewing registration and delegates to it from then on.
 */
import { STATUS_UP } from '../registry/model.ts'
import { type DiscoveryError, toDiscoveryError } from './errors.ts'
import type { ClientConfig } from './options.ts'
import type { HttpRegistration, InstanceInput, Registration } from './registration.ts'
import type { RegisterFields } from './session-frames.ts'

/** What a session registration needs from the app's session. */
export interface SessionRegistrationOwner {
  /** Take the instance out of the session; the owner calls `cancelDone` when that is settled. */
  cancel(entry: SessionRegistration): void
}

export type SessionRegistrationState = 'pending' | 'live' | 'cancelling' | 'ended'

export class SessionRegistration implements Registration {
  readonly appid: string
  readonly hostname: string
  readonly zone: string
  readonly env: string
  /** The `register` frame's fields. */
  readonly fields: RegisterFields
  readonly input: InstanceInput
  /** Resolves with this handle after the first `ok`; what `client.register()` returns. */
  readonly registered: Promise<SessionRegistration>
  state: SessionRegistrationState = 'pending'
  /** A `register` frame went out for it, so the session may own the instance. */
  sent = false
  readonly #owner: SessionRegistrationOwner
  readonly #config: ClientConfig
  readonly #onEnd: () => void
  readonly #signal: AbortSignal | undefined
  #settleFirst: { resolve: (value: SessionRegistration) => void; reject: (error: unknown) => void }
  #settleCancel: { resolve: () => void; reject: (error: unknown) => void } | undefined
  #cancelling: Promise<void> | undefined
  #http: HttpRegistration | undefined

  /** @internal Use `client.register()`. */
  constructor(
    owner: SessionRegistrationOwner,
    config: ClientConfig,
    input: InstanceInput,
    hostname: string,
    options: { onEnd: () => void; signal: AbortSignal | undefined }
  ) {
    this.#owner = owner
    this.#config = config
    this.#onEnd = options.onEnd
    this.#signal = options.signal
    this.input = input
    this.appid = input.appid
    this.hostname = hostname
    this.zone = config.zone
    this.env = config.env
    this.fields = {
      zone: config.zone,
      hostname,
      addrs: input.addrs,
      status: input.status ?? STATUS_UP,
      version: input.version ?? '',
      metadata: input.metadata,
      region: config.region,
    }
    let settle = { resolve: (_: SessionRegistration) => {}, reject: (_: unknown) => {} }
    this.registered = new Promise<SessionRegistration>((resolve, reject) => {
      settle = { resolve, reject }
    })
    this.#settleFirst = settle
    const signal = options.signal
    const abandon = () => this.#abandon(signal?.reason)
    if (signal?.aborted) abandon()
    signal?.addEventListener('abort', abandon, { once: true })
    const forget = () => signal?.removeEventListener('abort', abandon)
    this.registered.then(forget, forget)
  }

  get transport(): 'session' | 'http' {
    return this.#http ? 'http' : 'session'
  }

  get cancelled(): boolean {
    return this.#cancelling !== undefined
  }

  cancel(): Promise<void> {
    this.#cancelling ??= this.#cancel()
    return this.#cancelling
  }

  /** `await using` support: cancels; a failure goes to `onError` instead of being thrown. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.cancel()
    } catch (error) {
      this.#config.onError(toDiscoveryError(error))
    }
  }

  /** @internal The registry acknowledged a `register` frame. */
  acknowledged(): void {
    if (this.state !== 'pending') return
    this.state = 'live'
    this.#settleFirst.resolve(this)
  }

  /** @internal A `register` frame was refused for good (-400…): fail the first one, or report. */
  refused(error: DiscoveryError): void {
    if (this.state !== 'pending') {
      this.#config.onError(error)
      return
    }
    this.#settleFirst.reject(error)
    this.#end()
  }

  /** @internal The cancel is settled: confirmed, or given up with `error`. */
  cancelDone(error?: DiscoveryError): void {
    if (this.state !== 'cancelling') return
    this.#end()
    if (error) this.#settleCancel?.reject(error)
    else this.#settleCancel?.resolve()
  }

  /**
   * @internal The app fell back to HTTP: the registration `create` makes (told `onEnd` when it
   * ends) keeps the instance alive from now on.
   */
  handOver(create: (onEnd: () => void) => HttpRegistration): void {
    if (this.state === 'ended' || this.#http) return
    const http = create(() => this.#end())
    this.#http = http
    if (this.state === 'cancelling') {
      // A registration that never started only deregisters.
      http.cancel().then(
        () => this.#settleCancel?.resolve(),
        (error) => this.#settleCancel?.reject(error)
      )
      return
    }
    const pending = this.state === 'pending'
    this.state = 'live'
    http.start(this.#signal).then(
      () => this.#settleFirst.resolve(this),
      (error) => (pending ? this.#settleFirst.reject(error) : this.#config.onError(error))
    )
  }

  async #cancel(): Promise<void> {
    if (this.#http) return this.#http.cancel()
    if (this.state === 'ended') return
    if (this.state === 'pending') {
      const why = `cancelled before the registry confirmed ${this.appid} (${this.hostname})`
      this.#settleFirst.reject(new DOMException(why, 'AbortError'))
    }
    this.state = 'cancelling'
    const done = new Promise<void>((resolve, reject) => {
      this.#settleCancel = { resolve, reject }
    })
    this.#owner.cancel(this)
    return done
  }

  /** The first register was given up (its signal aborted): reject, and leave the session. */
  #abandon(reason: unknown): void {
    if (this.state !== 'pending' || this.#http) return
    this.#settleFirst.reject(reason)
    this.cancel().catch((error) => this.#config.onError(toDiscoveryError(error)))
  }

  #end(): void {
    if (this.state === 'ended') return
    this.state = 'ended'
    this.#onEnd()
  }
}
