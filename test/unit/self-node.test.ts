import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/server/config.ts'
import { infraInstances, registryEpoch } from '../../src/server/self-node.ts'

const NODES = '10.0.0.1:7171,10.0.0.2:7171'

describe('infraInstances', () => {
  it('names each node by its address without HOSTNAME', () => {
    const config = parseConfig({ NODES })
    expect(
      infraInstances(config, config.nodes, 'dev', 1n, 'http').map((i) => [i.hostname, i.addrs])
    ).toEqual([
      ['10.0.0.1:7171', ['http://10.0.0.1:7171']],
      ['10.0.0.2:7171', ['http://10.0.0.2:7171']],
    ])
  })

  it('names node i by the i-th HOSTNAME, keeping its address in addrs', () => {
    const config = parseConfig({ NODES, HOSTNAME: 'node-1,node-2' })
    expect(
      infraInstances(config, config.nodes, 'dev', 1n, 'http').map((i) => [i.hostname, i.addrs])
    ).toEqual([
      ['node-1', ['http://10.0.0.1:7171']],
      ['node-2', ['http://10.0.0.2:7171']],
    ])
    const single = parseConfig({ HOSTNAME: 'node-1' })
    expect(infraInstances(single, ['127.0.0.1:7171'], 'dev', 1n, 'http')[0]).toMatchObject({
      hostname: 'node-1',
      zone: 'sh001',
      addrs: ['http://127.0.0.1:7171'],
    })
  })
})

describe('registryEpoch', () => {
  /** The identities the catalog is asked for an epoch of, one per registryEpoch call that misses the cache. */
  const asked: string[] = []
  const bindings = {
    CATALOG: {
      getByName: () => ({
        epoch: async (identity: string) => {
          asked.push(identity)
          return String(asked.length)
        },
      }),
    },
  } as unknown as Env

  it('asks for a new epoch when HOSTNAME changes, and keeps the pre-HOSTNAME identity when it is empty', async () => {
    expect(await registryEpoch(bindings, parseConfig({ NODES }))).toBe(1n)
    expect(await registryEpoch(bindings, parseConfig({ NODES, HOSTNAME: 'node-1,node-2' }))).toBe(
      2n
    )
    expect(await registryEpoch(bindings, parseConfig({ NODES, HOSTNAME: 'node-1,node-3' }))).toBe(
      3n
    )
    expect(await registryEpoch(bindings, parseConfig({ NODES, HOSTNAME: 'node-1,node-3' }))).toBe(
      3n
    )
    expect(asked).toEqual([
      JSON.stringify(['sh001', 'sh', ['10.0.0.1:7171', '10.0.0.2:7171']]),
      JSON.stringify(['sh001', 'sh', ['10.0.0.1:7171', '10.0.0.2:7171'], ['node-1', 'node-2']]),
      JSON.stringify(['sh001', 'sh', ['10.0.0.1:7171', '10.0.0.2:7171'], ['node-1', 'node-3']]),
    ])
  })
})
