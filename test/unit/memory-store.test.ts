/** MemoryStore answers the RegistryStore contract (the worker project runs it on SqlStore). */
import { describe, it } from 'vitest'
import { MemoryStore } from '../../src/server/memory-store.ts'
import { STORE_CONTRACT } from '../support/registry-store-contract.ts'

describe('MemoryStore (RegistryStore contract)', () => {
  for (const c of STORE_CONTRACT) {
    it(c.name, () => {
      const store = new MemoryStore()
      c.run(() => store)
    })
  }
})
