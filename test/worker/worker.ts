/**
 * The worker under test: the real app and objects, with the registry object's clock made
 * movable so leases expire without waiting (tests call `advanceClock` via runInDurableObject).
 */
import { RegistryObject } from '../../src/server/registry-object.ts'

export { CatalogObject } from '../../src/server/catalog-object.ts'
export { default } from '../../src/server/index.ts'

/** Clock offsets by object id; module state, so it survives the object's eviction from memory. */
const offsets = new Map<string, number>()

export class TestRegistryObject extends RegistryObject {
  /** Move this object's clock forward by `ms`. */
  advanceClock(ms: number): void {
    const id = this.ctx.id.toString()
    offsets.set(id, (offsets.get(id) ?? 0) + ms)
  }

  protected override now(): number {
    return Date.now() + (offsets.get(this.ctx.id.toString()) ?? 0)
  }
}
