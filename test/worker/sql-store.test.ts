/** SqlStore answers the RegistryStore contract (the unit project runs it on MemoryStore). */

import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { SqlStore } from '../../src/server/sql-store.ts'
import { STORE_CONTRACT } from '../support/registry-store-contract.ts'

describe('SqlStore (RegistryStore contract)', () => {
  for (const c of STORE_CONTRACT) {
    it(c.name, async () => {
      // a fresh object that is never written to by itself: its database is the test's
      const stub = env.REGISTRY.getByName(`store-contract/${crypto.randomUUID()}`)
      await runInDurableObject(stub, (_, state) => c.run(() => new SqlStore(state.storage.sql)))
    })
  }
})
