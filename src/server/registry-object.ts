/**
 * The Durable Object for one application (appid + env): lifecycle and I/O only. It builds the
 * store (SQLite), the AppRegistry (every write sequence, platform-free) and the held polls,
 * forwards RPC calls, arms the lease alarm and calls the catalog. No registry rule and no
 * error mapping lives here.
 */
import { DurableObject } from 'cloudflare:workers'
import { replyBody } from '../protocol/reply.ts'
import type {
  CancelInput,
  RegisterInput,
  RenewInput,
  SetInput,
  SnapshotQuery,
} from '../registry/model.ts'
import { AppRegistry } from './app-registry.ts'
import { parseConfig } from './config.ts'
import type { HistoryEntry } from './registry-store.ts'
import { catalogOf } from './registry-stub.ts'
import { SqlStore } from './sql-store.ts'
import { Waiters } from './waiters.ts'

export class RegistryObject extends DurableObject<Env> {
  readonly #registry: AppRegistry
  readonly #waiters: Waiters
  /** Alarms are never set closer together than this (each one is a billed request). */
  readonly #alarmGapMs: number
  /** The alarm time as last set (ms, object clock); undefined = not read yet. */
  #armedAt: number | null | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    // from the object's own bindings: cheap, and no module-level config to keep in step
    const config = parseConfig(env)
    this.#alarmGapMs = Math.min(1000, config.evictAfterMs / 10)
    this.#registry = new AppRegistry({
      store: new SqlStore(ctx.storage.sql),
      clock: { now: () => this.now() },
      config,
      announce: () => this.#announced(),
      catalog: (app, listed) => catalogOf(this.env)[listed ? 'add' : 'remove'](app.appid, app.env),
    })
    this.#waiters = new Waiters(ctx, this.#registry.snapshots, () => this.#registry.latestTimestamp)
  }

  // The write methods answer with the whole response body: a string crosses RPC more cheaply
  // than an object (the runtime gives every returned object a disposer function).

  /** POST /discovery/register; `actor` (a token id) goes into the app's history. */
  async register(input: RegisterInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.register(input, actor))
  }

  /**
   * POST /discovery/renew: memory only; the renew time reaches storage in the next flush. A
   * renew by another token than the instance's last writer is recorded in the history.
   */
  renew(input: RenewInput, actor: string): string {
    return replyBody(this.#registry.renew(input, actor))
  }

  /** POST /discovery/cancel */
  async cancel(input: CancelInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.cancel(input, actor))
  }

  /** POST /discovery/set */
  async set(input: SetInput, actor: string): Promise<string> {
    return replyBody(await this.#registry.set(input, actor))
  }

  /**
   * GET /discovery/fetch (named `snapshot`: `fetch` is the object's HTTP handler): the encoded
   * view, or undefined when the app or zone has none. A string, as the writes answer.
   */
  snapshot(query: SnapshotQuery): string | undefined {
    return this.#registry.snapshot(query)
  }

  /** The app's newest changes and who made them (GET /discovery/history). */
  async history(limit: number): Promise<HistoryEntry[]> {
    return this.#registry.history(limit)
  }

  /** Every instance as encoded JSON, unfiltered, metadata `null` when none (fetch/all). */
  async all(): Promise<string[]> {
    return this.#registry.all()
  }

  /** WebSocket upgrades from the Worker's held polls (see waiters.ts). */
  override async fetch(request: Request): Promise<Response> {
    return this.#waiters.accept(request)
  }

  /** Lease alarm: evict what expired and flush renews (app-registry.ts), then re-arm. */
  override async alarm(): Promise<void> {
    this.#armedAt = null
    await this.#registry.alarm()
    await this.#syncAlarm()
  }

  /** The object's clock (ms). The test subclass shifts it to travel in time. */
  protected now(): number {
    return Date.now()
  }

  /** The app changed (a batch of writes, an eviction): wake held polls, cover the new leases. */
  async #announced(): Promise<void> {
    this.#waiters.notify()
    try {
      await this.#syncAlarm()
    } catch (error) {
      this.#armedAt = undefined // not known any more: read it again next time
      throw error
    }
  }

  /** One alarm at the next wake-up; only moved earlier between alarms, never on renew. */
  async #syncAlarm(): Promise<void> {
    const now = this.now()
    const next = this.#registry.nextWakeMs()
    if (this.#armedAt === undefined) {
      const real = await this.ctx.storage.getAlarm()
      this.#armedAt = real === null ? null : real + (now - Date.now())
    }
    if (next === undefined) {
      if (this.#armedAt !== null) await this.ctx.storage.deleteAlarm()
      this.#armedAt = null
      return
    }
    if (this.#armedAt !== null && this.#armedAt <= next) return
    const at = Math.max(next, now + this.#alarmGapMs)
    await this.ctx.storage.setAlarm(at - (now - Date.now()))
    this.#armedAt = at
  }
}
