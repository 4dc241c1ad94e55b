import { exports } from 'cloudflare:workers'
import { expect, it } from 'vitest'

it('serves nodes inside workerd', async () => {
  const res = await exports.default.fetch('http://127.0.0.1:7171/discovery/nodes')
  expect(await res.text()).toContain('127.0.0.1:7171')
})
