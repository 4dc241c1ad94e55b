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
/** A lower session cap for the apps named here (by appid prefix), to test the cap. */
export const SMALL_CAP_APPID = 'capped.'
const SMALL_CAP = 3

/** webSocketClose calls by object id. */
const closes = new Map<string, number>()

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

  override async webSocketClose(ws: WebSocket): Promise<void> {
    await super.webSocketClose(ws)
    const id = this.ctx.id.toString()
    closes.set(id, (closes.get(id) ?? 0) + 1)
  }

  protected override maxSessions(): number {
    // the object does not know its appid before the first register: go by its name
    return this.ctx.id.name?.startsWith(`dev/${SMALL_CAP_APPID}`) ? SMALL_CAP : super.maxSessions()
  }

  protected override now(): number {
    return Date.now() + (offsets.get(this.ctx.id.toString()) ?? 0)
  }
}
