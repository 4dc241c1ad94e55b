/**
 * Fake REGISTRY and CATALOG Durable Object namespaces, so that the Worker's app runs in Node
 * under `app.request()`: `getByName` returns an object with the RPC methods the routes call,
 * backed by the pure Registry and the protocol encoders. Deliberately small: no storage, no
 * alarms, no held polls (a watch `fetch` answers without a socket, which the Worker treats as
 * "unchanged"), no history beyond who wrote. The real objects are tested in test/worker.
 */
import { ECODE, errorToEcode } from '../../src/protocol/ecode.ts'
import {
  EMPTY_INSTANCE_JSON,
  encodeInstance,
  encodeSnapshot,
} from '../../src/protocol/instance-codec.ts'
import { LIMITS } from '../../src/protocol/limits.ts'
import { type Reply, replyBody } from '../../src/protocol/reply.ts'
import type {
  CancelInput,
  RegisterInput,
  RenewInput,
  SetInput,
  SnapshotQuery,
} from '../../src/registry/model.ts'
import { Registry } from '../../src/registry/registry.ts'
import type { RegistryError, Result } from '../../src/registry/result.ts'
import type { AppRef, CatalogObject } from '../../src/server/catalog-object.ts'
import type { RegistryObject } from '../../src/server/registry-object.ts'

/** The registry object's RPC surface that the Worker uses, plus the stub's `fetch`. */
type RegistryRpc = Pick<
  RegistryObject,
  'register' | 'renew' | 'cancel' | 'set' | 'snapshot' | 'history' | 'all'
> & {
  fetch(url: string, init?: RequestInit): Promise<Response>
}
type HistoryEntry = Awaited<ReturnType<RegistryObject['history']>>[number]
type CatalogRpc = Pick<CatalogObject, 'add' | 'remove' | 'apps' | 'epoch'>

/** One application's fake registry object. */
export class FakeRegistryObject implements RegistryRpc {
  readonly #registry = new Registry(
    {
      evictAfterMs: 90_000,
      renewIntervalMs: 30_000,
      selfPreservation: true,
      maxSilenceMs: 3_600_000,
      maxInstances: LIMITS.instancesPerApp,
    },
    Date.now()
  )
  readonly #catalog: FakeCatalogObject
  /** Newest first, as the real history answers. */
  readonly #history: HistoryEntry[] = []

  constructor(catalog: FakeCatalogObject) {
    this.#catalog = catalog
  }

  async register(input: RegisterInput, actor: string): Promise<string> {
    const result = this.#registry.register(input, Date.now())
    return this.#written(result, input, [input.hostname], 'register', actor)
  }

  renew(input: RenewInput, _actor: string): string {
    const result = this.#registry.renew(input, Date.now())
    if (result.ok) return replyBody({ code: ECODE.OK, data: encodeInstance(result.value) })
    if (result.error.reason !== 'not_found') return replyBody(failure(result.error))
    return replyBody({
      code: ECODE.NOTHING_FOUND,
      data: result.error.detail === 'empty' ? EMPTY_INSTANCE_JSON : 'null',
    })
  }

  async cancel(input: CancelInput, actor: string): Promise<string> {
    const result = this.#registry.cancel(input, Date.now())
    if (!result.ok) return replyBody({ code: errorToEcode(result.error) })
    return this.#written(result, input, [input.hostname], 'cancel', actor)
  }

  async set(input: SetInput, actor: string): Promise<string> {
    return this.#written(
      this.#registry.set(input, Date.now()),
      input,
      input.hostnames,
      'set',
      actor
    )
  }

  snapshot(query: SnapshotQuery): string | undefined {
    const snapshot = this.#registry.snapshot(query)
    return snapshot && encodeSnapshot(snapshot)
  }

  async history(limit: number): Promise<HistoryEntry[]> {
    return this.#history.slice(0, limit)
  }

  async all(): Promise<string[]> {
    return this.#registry.all().map((i) => encodeInstance(i, 'null'))
  }

  /** A watch socket that never opens: the Worker's poll takes the app as unchanged. */
  async fetch(): Promise<Response> {
    return new Response(null)
  }

  /** Record a successful write, keep the catalog in step, answer. */
  #written(
    result: Result<unknown, RegistryError>,
    app: { appid: string; env: string; zone: string },
    hostnames: string[],
    op: HistoryEntry['op'],
    actor: string
  ): string {
    if (!result.ok) return replyBody(failure(result.error))
    for (const hostname of hostnames)
      this.#history.unshift({ atMs: Date.now(), op, zone: app.zone, hostname, actor })
    this.#catalog.listed(app, this.#registry.size > 0)
    return replyBody({ code: ECODE.OK })
  }
}

/** A registry failure as the real object answers it. */
function failure(error: RegistryError): Reply {
  if (error.reason === 'invalid' || error.reason === 'full')
    return { code: errorToEcode(error), message: error.message }
  if (error.reason === 'not_found') return { code: errorToEcode(error) }
  return { code: errorToEcode(error), data: encodeInstance(error.instance) }
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
 * app's configuration and limiters reach it through createApp, not through the bindings).
 */
export function fakeBindings(): Env {
  const catalog = new FakeCatalogObject()
  const bindings = {
    REGISTRY: new FakeNamespace(() => new FakeRegistryObject(catalog)),
    CATALOG: new FakeNamespace(() => catalog),
  }
  // The fakes have the methods the routes call, not the whole DurableObjectNamespace surface.
  return bindings as unknown as Env
}
