/**
 * A name resolver for @grpc/grpc-js (an optional peer dependency; this entry is the only one
 * that loads it): after `registerDiscoveryResolver(client)`, a channel to
 * `discovery://default/<appid>` dials the `grpc://` addresses of the app's UP instances and
 * follows their changes through `client.watch` (docs/protocol.md). Node only.
 */
import {
  type ChannelOptions,
  experimental,
  Metadata,
  type ServiceConfig,
  status,
} from '@grpc/grpc-js'
import type { AppSnapshot } from './app-snapshot.ts'
import type { DiscoveryClient } from './client.ts'
import { grpcAuthority, grpcEndpoints, parseGrpcTarget } from './grpc-target.ts'

/** Options of `registerDiscoveryResolver`. */
export interface GrpcResolverOptions {
  /** The URI scheme to answer for; default `discovery`. */
  scheme?: string
  /**
   * The service config given with every resolution; default round-robin over the instances
   * (grpc-js's own default, pick_first, would send every call to one instance).
   */
  serviceConfig?: ServiceConfig
}

/** The default service config: spread calls over every resolved instance. */
export const ROUND_ROBIN: ServiceConfig = {
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [],
}

type Endpoint = experimental.Endpoint
type Status = { code: number; details: string; metadata: Metadata }

/** grpc-js ≥ 1.13 calls the listener as a function; older releases pass an object. */
interface LegacyListener {
  onSuccessfulResolution(
    endpoints: Endpoint[],
    config: ServiceConfig | null,
    configError: null,
    selector: null,
    attributes: object
  ): void
  onError(error: Status): void
}
type AnyListener = experimental.ResolverListener | LegacyListener

/**
 * Make grpc-js resolve `discovery://default/<appid>[?zone=<zone>&cluster=<c>…]` through `client`.
 * Call once per process (the scheme is global to grpc-js; a later call replaces the client).
 * Instances of the target's zone (default: the client's) are used when it has any, otherwise
 * every zone; `cluster` keeps only instances whose `metadata.cluster` is listed.
 *
 * @example
 * import * as grpc from '@grpc/grpc-js'
 * registerDiscoveryResolver(client)
 * const stub = new EchoClient('discovery://default/demo.echo', grpc.credentials.createInsecure())
 */
export function registerDiscoveryResolver(
  client: DiscoveryClient,
  options: GrpcResolverOptions = {}
): void {
  const serviceConfig = options.serviceConfig ?? ROUND_ROBIN

  class DiscoveryResolver implements experimental.Resolver {
    readonly #listener: AnyListener
    readonly #appid: string
    readonly #zone: string
    readonly #clusters: string[]
    #watching: AbortController | undefined

    constructor(
      target: experimental.GrpcUri,
      listener: experimental.ResolverListener,
      _options: ChannelOptions
    ) {
      const parsed = parseGrpcTarget(target.path)
      this.#listener = listener
      this.#appid = parsed.appid
      this.#zone = parsed.zone ?? client.zone
      this.#clusters = parsed.clusters
    }

    updateResolution(): void {
      // Changes are pushed by the watch; a re-resolution request (grpc-js sends them while
      // connections fail) has nothing newer to give, so only a stopped resolver restarts.
      if (!this.#watching) this.#watch()
    }

    destroy(): void {
      this.#watching?.abort()
      this.#watching = undefined
    }

    static getDefaultAuthority(target: experimental.GrpcUri): string {
      return grpcAuthority(parseGrpcTarget(target.path).appid)
    }

    #watch(): void {
      const watching = new AbortController()
      this.#watching = watching
      if (this.#appid === '') {
        setImmediate(() => this.#fail('the target names no appid: use discovery://default/<appid>'))
        return
      }
      void (async () => {
        try {
          for await (const snapshot of client.watch(this.#appid, { signal: watching.signal })) {
            if (watching.signal.aborted) return
            this.#update(snapshot)
          }
        } catch (error) {
          // the discovery client was closed under a live channel
          const message = error instanceof Error ? error.message : String(error)
          if (!watching.signal.aborted) this.#fail(message)
        }
      })()
    }

    #update(snapshot: AppSnapshot): void {
      const addresses = grpcEndpoints(snapshot, this.#zone, this.#clusters)
      this.#report(addresses.map((a) => ({ addresses: [a] })))
    }

    #report(endpoints: Endpoint[]): void {
      if (endpoints.length === 0) {
        this.#fail(`no UP instance of ${this.#appid} has a grpc:// address`)
        return
      }
      const listener = this.#listener
      if (typeof listener === 'function') {
        listener({ ok: true, value: endpoints }, {}, { ok: true, value: serviceConfig }, '')
      } else {
        listener.onSuccessfulResolution(endpoints, serviceConfig, null, null, {})
      }
    }

    #fail(details: string): void {
      const error: Status = { code: status.UNAVAILABLE, details, metadata: new Metadata() }
      const listener = this.#listener
      if (typeof listener === 'function') listener({ ok: false, error }, {}, null, details)
      else listener.onError(error)
    }
  }

  experimental.registerResolver(options.scheme ?? 'discovery', DiscoveryResolver)
}
