/**
 * Fake REGISTRY and CATALOG Durable Object namespaces, so that the Worker's app runs in Node
 * under `app.request()`: `getByName` returns an object with the RPC methods the routes call,
 * backed by the production AppRegistry over a MemoryStore (the same write sequence, replies
 * and history as the real object). What it leaves out is the runtime: no alarms and no held
 * polls (a watch `fetch` answers without a socket, which the Worker treats as "unchanged").
 * The real objects are tested in test/worker.
 */
import { replyBody } from '../../src/protocol/reply.ts'
import type {
  CancelInput,
  RegisterInput,
  RenewInput,
  SetInput,
  SnapshotQuery,
} from '../../src/registry/model.ts'
import { AppCounters, countingStore } from '../../src/server/app-counters.ts'
import { AppRegistry } from '../../src/server/app-registry.ts'
import { type AppReport, appReport, type InstanceFilter } from '../../src/server/app-report.ts'
import type { AppRef, CatalogObject } from '../../src/server/catalog-object.ts'
import type { Config } from '../../src/server/config.ts'
import { MemoryStore } from '../../src/server/memory-store.ts'
import type { RegistryObject } from '../../src/server/registry-object.ts'
import type { HistoryEntry } from '../../src/server/registry-store.ts'

/** The registry object's RPC surface that the Worker uses, plus the stub's `fetch`. */
type RegistryRpc = Pick<
  RegistryObject,
  'register' | 'renew' | 'cancel' | 'set' | 'snapshot' | 'history' | 'all' | 'report'
> & {
  fetch(url: string, init?: RequestInit): Promise<Response>
}
type CatalogRpc = Pick<CatalogObject, 'add' | 'remove' | 'apps' | 'epoch' | 'count'>

/** One application's fake registry object: the object's RPC shell over AppRegistry. */
export class FakeRegistryObject implements RegistryRpc {
  readonly #registry: AppRegistry
  readonly #counters = new AppCounters()
  readonly #startedMs = Date.now()

  constructor(catalog: FakeCatalogObject, appBytes?: number) {
    this.#registry = new AppRegistry({
      store: countingStore(new MemoryStore(), this.#counters),
      clock: { now: () => Date.now() },
      config: {
        evictAfterMs: 90_000,
        renewIntervalMs: 30_000,
        selfPreservation: true,
        sessionGraceMs: 10_000,
        ...(appBytes === undefined ? {} : { appBytes }),
        sessionCheckMs: 600_000,
      },
      announce: async () => {},
      catalog: async (app, listed) => catalog.listed(app, listed),
    })
  }

  async register(input: RegisterInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.register(input, actor))
  }

  renew(input: RenewInput, actor: string): string {
    return replyBody(this.#registry.renew(input, actor))
  }

  async cancel(input: CancelInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.cancel(input, actor))
  }

  async set(input: SetInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.set(input, actor))
  }

  snapshot(query: SnapshotQuery): string | undefined {
    return this.#registry.snapshot(query)
  }

  history(limit: number): Promise<HistoryEntry[]> {
    return this.#registry.history(limit)
  }

  async all(): Promise<string[]> {
    return this.#registry.all()
  }

  /** As the object's: no sockets here, so no sessions and no held polls. */
  report(app: { appid: string; env: string }, filter: InstanceFilter, limit: number): AppReport {
    return appReport(
      this.#registry,
      {
        app: this.#registry.app ?? app,
        lastSeen: new Map(),
        heldPolls: 0,
        sessions: 0,
        counts: this.#counters.snapshot(),
        startedMs: this.#startedMs,
        nowMs: Date.now(),
        windowMs: 60_000,
      },
      filter,
      limit
    )
  }

  /** The last upgrade the Worker forwarded (a held poll's watch, or a session). */
  lastFetch: Request | undefined

  /**
   * A socket that never opens: the Worker's poll takes the app as unchanged, and a session's
   * upgrade comes back as an ordinary answer (the request is kept in `lastFetch`).
   */
  async fetch(url: string, init?: RequestInit): Promise<Response> {
    this.lastFetch = new Request(url, init)
    return new Response(null)
  }
}

/** The fake catalog: which apps have instances, and the registry's epoch. */
export class FakeCatalogObject implements CatalogRpc {
  readonly #apps = new Map<string, AppRef>()
  #epoch: { identity: string; value: string } | undefined

  async add(appid: string, env: string): Promise<void> {
    this.listed({ appid, env }, true)
  }

  async remove(appid: string, env: string): Promise<void> {
    this.listed({ appid, env }, false)
  }

  async count(): Promise<number> {
    return this.#apps.size
  }

  async apps(): Promise<AppRef[]> {
    const byName = (a: AppRef, b: AppRef) =>
      a.appid < b.appid ? -1 : a.appid > b.appid ? 1 : a.env < b.env ? -1 : 1
    return [...this.#apps.values()].sort(byName)
  }

  async epoch(identity: string): Promise<string> {
    if (this.#epoch?.identity !== identity)
      this.#epoch = { identity, value: `${BigInt(Date.now()) * 1_000_000n}` }
    return this.#epoch.value
  }

  /** Whether app (appid, env) is listed. */
  listed(app: { appid: string; env: string }, listed: boolean): void {
    const key = `${app.env}\u0000${app.appid}`
    if (listed) this.#apps.set(key, { appid: app.appid, env: app.env })
    else this.#apps.delete(key)
  }
}

/** A namespace whose `getByName` hands out one object per name, made on first use. */
class FakeNamespace<T> {
  readonly #objects = new Map<string, T>()
  readonly #make: () => T

  constructor(make: () => T) {
    this.#make = make
  }

  getByName(name: string): T {
    let object = this.#objects.get(name)
    if (object === undefined) {
      object = this.#make()
      this.#objects.set(name, object)
    }
    return object
  }
}

/**
 * Bindings for `app.request(url, init, env)`: fake REGISTRY and CATALOG, nothing else (the
 * app's configuration and limiters reach it through createApp, not through the bindings; the
 * objects take APP_BYTES from `config`, as the real ones read it from their bindings).
 */
export function fakeBindings(config?: Pick<Config, 'appBytes'>): Env {
  const catalog = new FakeCatalogObject()
  const bindings = {
    REGISTRY: new FakeNamespace(() => new FakeRegistryObject(catalog, config?.appBytes)),
    CATALOG: new FakeNamespace(() => catalog),
  }
  // The fakes have the methods the routes call, not the whole DurableObjectNamespace surface.
  return bindings as unknown as Env
}
