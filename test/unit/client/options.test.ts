import { hostname } from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DiscoveryConfigError } from '../../../src/client/errors.ts'
import { resolveOptions } from '../../../src/client/options.ts'
import { environmentVariable, machineHostname } from '../../../src/client/runtime-env.ts'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.unstubAllGlobals()
})

describe('resolveOptions', () => {
  it('fills left-out options from DISCOVERY_NODES, DEPLOY_ENV, ZONE, REGION and the hostname', () => {
    vi.stubEnv('DISCOVERY_NODES', '10.0.0.1:7171, https://d.example.com')
    vi.stubEnv('DEPLOY_ENV', 'prod')
    vi.stubEnv('ZONE', 'sh002')
    vi.stubEnv('REGION', 'sh')
    const config = resolveOptions({})
    expect(config.seeds.map((n) => n.url)).toEqual([
      'http://10.0.0.1:7171',
      'https://d.example.com',
    ])
    expect([config.env, config.zone, config.region, config.hostname]).toEqual([
      'prod',
      'sh002',
      'sh',
      hostname(),
    ])
    expect(config.renewIntervalMs).toBe(30_000)
  })

  it('prefers given options over the environment', () => {
    vi.stubEnv('DEPLOY_ENV', 'prod')
    const config = resolveOptions({
      nodes: ['a:1'],
      env: 'dev',
      zone: 'z',
      region: '',
      hostname: 'h',
    })
    expect([config.env, config.zone, config.region, config.hostname]).toEqual(['dev', 'z', '', 'h'])
  })

  it('says what is missing or wrong', () => {
    vi.stubEnv('DISCOVERY_NODES', '')
    vi.stubEnv('DEPLOY_ENV', '')
    expect(() => resolveOptions({ env: 'dev' })).toThrow(/DISCOVERY_NODES/)
    expect(() => resolveOptions({ nodes: [], env: 'dev' })).toThrow(/empty/)
    expect(() => resolveOptions({ nodes: 'a:1' })).toThrow(/DEPLOY_ENV/)
    expect(() => resolveOptions({ nodes: 'a:1', env: 'dev', renewIntervalMs: 0 })).toThrow(
      DiscoveryConfigError
    )
  })

  it('keeps the loops alive when the onError handler throws', () => {
    const config = resolveOptions({
      nodes: 'a:1',
      env: 'dev',
      onError: () => {
        throw new Error('oops')
      },
    })
    expect(() => config.onError(new DiscoveryConfigError('x'))).not.toThrow()
  })
})

describe('runtime-env', () => {
  it('answers undefined where there is no process (browsers, Workers)', () => {
    vi.stubGlobal('process', undefined)
    const variable = environmentVariable('ZONE')
    const host = machineHostname()
    vi.unstubAllGlobals()
    expect(variable).toBeUndefined()
    expect(host).toBeUndefined()
  })

  it('falls back to HOSTNAME without process.getBuiltinModule (Node < 20.16)', () => {
    vi.stubGlobal('process', { env: { HOSTNAME: 'from-env' } })
    const host = machineHostname()
    vi.unstubAllGlobals()
    expect(host).toBe('from-env')
  })
})
