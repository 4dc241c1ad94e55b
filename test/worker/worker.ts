/**
 * The worker under test: the real app and objects, with the registry object's clock made
 * movable so leases expire without waiting (tests call `advanceClock` via runInDurableObject).
 */
import { RegistryObject } from '../../src/server/registry-object.ts'

export { CatalogObject } from '../../src/server/catalog-object.ts'
export { default } from '../../src/server/index.ts'

/** Clock offsets by object id; module state, so it survives the object's eviction from memory. */
const offsets = new Map<string, number>()
/** webSocketMessage calls by object id: heartbeats must never add to it. */
const messages = new Map<string, number>()
/** Lower caps on sessions and held polls for the apps named here (by appid prefix). */
export const SMALL_CAP_APPID = 'capped.'
const SMALL_CAP = 3
/** Held polls of a capped app: one token may hold 10 of them, one address 2. */
export const SMALL_POLL_CAP = 20

/** webSocketClose calls by object id. */
const closes = new Map<string, number>()

/**
 * Whether the object's app has the small caps. By its name: it does not know its appid before
 * the first register. (A function, not a private method: the base constructor asks for caps
 * before a subclass's private methods exist.)
 */
const capped = (ctx: DurableObjectState) =>
  ctx.id.name?.startsWith(`dev/${SMALL_CAP_APPID}`) ?? false

export class TestRegistryObject extends RegistryObject {
  /** Move this object's clock forward by `ms`. */
  advanceClock(ms: number): void {
    const id = this.ctx.id.toString()
    offsets.set(id, (offsets.get(id) ?? 0) + ms)
  }

  /** How many frames reached this object's webSocketMessage. */
  messagesHandled(): number {
    return messages.get(this.ctx.id.toString()) ?? 0
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const id = this.ctx.id.toString()
    messages.set(id, (messages.get(id) ?? 0) + 1)
    return super.webSocketMessage(ws, message)
  }

  /** How many socket closes this object has handled. */
  closesHandled(): number {
    return closes.get(this.ctx.id.toString()) ?? 0
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    await super.webSocketClose(ws, code)
    const id = this.ctx.id.toString()
    closes.set(id, (closes.get(id) ?? 0) + 1)
  }

  protected override maxSessions(): number {
    // the object does not know its appid before the first register: go by its name
    return capped(this.ctx) ? SMALL_CAP : super.maxSessions()
  }

  protected override maxHeldPolls(): number {
    return capped(this.ctx) ? SMALL_POLL_CAP : super.maxHeldPolls()
  }

  protected override now(): number {
    return Date.now() + (offsets.get(this.ctx.id.toString()) ?? 0)
  }
}
