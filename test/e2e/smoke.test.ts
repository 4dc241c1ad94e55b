import { afterAll, beforeAll, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../support/local-registry.ts'

let registry: LocalRegistry
beforeAll(async () => {
  registry = await startRegistry({ vars: { POLL_HOLD_SECONDS: '1' } })
})
afterAll(() => registry.stop())

it('serves nodes', async () => {
  const body = await (await fetch(`${registry.url}/discovery/nodes`)).text()
  expect(body).toContain(registry.host)
})
