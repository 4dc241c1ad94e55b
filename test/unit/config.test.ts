import { describe, expect, it } from 'vitest'
import { ConfigError, type ConfigVars, DEFAULTS, parseConfig } from '../../src/server/config.ts'

function failure(vars: ConfigVars): ConfigError {
  try {
    parseConfig(vars)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(vars)}`)
}

describe('parseConfig', () => {
  it('uses the upstream defaults when no variable is set', () => {
    expect(parseConfig({})).toMatchObject({
      pollHoldMs: 30_000,
      evictAfterMs: 90_000,
      renewIntervalMs: 30_000,
      selfPreservation: true,
      zone: 'sh001',
      region: 'sh',
      env: 'dev',
      nodes: [],
      hostnames: [],
      sessionGraceMs: 10_000,
      logWakes: false,
    })
    expect(parseConfig({ SESSION_GRACE_SECONDS: '3', LOG_WAKES: 'on' })).toMatchObject({
      sessionGraceMs: 3000,
      logWakes: true,
    })
  })

  it('gives the same config for the written-out defaults', () => {
    expect(parseConfig({ ...DEFAULTS })).toEqual(parseConfig({}))
  })

  it('reads seconds, including fractions, and trims whitespace', () => {
    const config = parseConfig({
      POLL_HOLD_SECONDS: ' 1 ',
      EVICT_AFTER_SECONDS: '2.5',
      RENEW_INTERVAL_SECONDS: '0.5',
    })
    expect(config).toMatchObject({ pollHoldMs: 1_000, evictAfterMs: 2_500, renewIntervalMs: 500 })
  })

  it('reads every other variable', () => {
    const config = parseConfig({
      SELF_PRESERVATION: 'false',
      ZONE: 'bj-02',
      REGION: 'bj',
      ENV: 'prod_1',
      NODES: '10.0.0.1:7171, discovery.example.com:80 ,[::1]:7171,',
    })
    expect(config).toMatchObject({
      selfPreservation: false,
      zone: 'bj-02',
      region: 'bj',
      env: 'prod_1',
      nodes: ['10.0.0.1:7171', 'discovery.example.com:80', '[::1]:7171'],
    })
  })

  it('accepts each limit at its maximum', () => {
    expect(
      parseConfig({ POLL_HOLD_SECONDS: '3600', EVICT_AFTER_SECONDS: '86400', ZONE: 'z'.repeat(64) })
    ).toMatchObject({
      pollHoldMs: 3_600_000,
      evictAfterMs: 86_400_000,
    })
  })

  it.each<[keyof ConfigVars, string]>([
    ['POLL_HOLD_SECONDS', '0'],
    ['POLL_HOLD_SECONDS', '-1'],
    ['POLL_HOLD_SECONDS', 'abc'],
    ['POLL_HOLD_SECONDS', ''],
    ['POLL_HOLD_SECONDS', '1e3'],
    ['POLL_HOLD_SECONDS', '3601'],
    ['POLL_HOLD_SECONDS', 'Infinity'],
    ['EVICT_AFTER_SECONDS', '86401'],
    ['EVICT_AFTER_SECONDS', '0x10'],
    ['RENEW_INTERVAL_SECONDS', '0'],
    ['RENEW_INTERVAL_SECONDS', 'thirty'],
    ['SELF_PRESERVATION', 'yes'],
    ['SELF_PRESERVATION', '1'],
    ['SELF_PRESERVATION', 'TRUE'],
    ['ZONE', ''],
    ['ZONE', 'sh 001'],
    ['ZONE', 'z'.repeat(65)],
    ['REGION', 'sh/1'],
    ['ENV', 'dév'],
    ['NODES', 'no-port'],
    ['NODES', 'http://10.0.0.1:7171'],
    ['NODES', '10.0.0.1:7171,bad host:1'],
    ['NODES', '10.0.0.1:99999'],
    ['HOSTNAME', 'node 1'],
    ['HOSTNAME', 'node/1'],
    ['HOSTNAME', 'nöde-1'],
    ['HOSTNAME', 'h'.repeat(256)],
    ['RATE_LIMIT_PER_TOKEN', '0'],
    ['RATE_LIMIT_PER_TOKEN', '6000.5'],
    ['RATE_LIMIT_PER_TOKEN', 'none'],
    ['RATE_LIMIT_PER_ADDRESS', '-6000'],
    ['RATE_LIMIT_PER_ADDRESS', ''],
    ['CORS_ORIGINS', 'app.example'],
    ['CORS_ORIGINS', 'https://app.example/'],
    ['CORS_ORIGINS', 'https://app.example,ftp://files.example'],
    ['CORS_ORIGINS', '**'],
    ['SESSION_GRACE_SECONDS', '0'],
    ['SESSION_GRACE_SECONDS', '3601'],
    ['LOG_WAKES', 'true'],
  ])('throws a ConfigError naming %s when it is %j', (name, value) => {
    const error = failure({ [name]: value })
    expect(error.name).toBe('ConfigError')
    expect(error.message).toContain(name)
  })

  it('throws a ConfigError naming both variables when EVICT_AFTER does not exceed RENEW_INTERVAL', () => {
    for (const [evict, renew] of [
      ['30', '30'],
      ['20', '30'],
    ] as const) {
      const error = failure({ EVICT_AFTER_SECONDS: evict, RENEW_INTERVAL_SECONDS: renew })
      expect(error.message).toContain('EVICT_AFTER_SECONDS')
      expect(error.message).toContain('RENEW_INTERVAL_SECONDS')
    }
    expect(
      parseConfig({ EVICT_AFTER_SECONDS: '31', RENEW_INTERVAL_SECONDS: '30' }).evictAfterMs
    ).toBe(31_000)
  })

  it('reads HOSTNAME: one name without NODES, or one per NODES entry in order', () => {
    expect(parseConfig({ HOSTNAME: ' node-1 ' }).hostnames).toEqual(['node-1'])
    expect(parseConfig({ HOSTNAME: 'h'.repeat(255) }).hostnames).toEqual(['h'.repeat(255)])
    expect(
      parseConfig({ NODES: '10.0.0.1:7171,10.0.0.2:7171', HOSTNAME: 'node-1.sh, node_2,' })
    ).toMatchObject({
      nodes: ['10.0.0.1:7171', '10.0.0.2:7171'],
      hostnames: ['node-1.sh', 'node_2'],
    })
    expect(parseConfig({ NODES: '10.0.0.1:7171,10.0.0.2:7171' }).hostnames).toEqual([])
  })

  it('throws a ConfigError naming HOSTNAME and NODES with both counts when they do not match', () => {
    for (const [nodes, hostnames, counts] of [
      ['10.0.0.1:7171,10.0.0.2:7171', 'node-1', ['HOSTNAME has 1', 'NODES has 2']],
      ['10.0.0.1:7171', 'node-1,node-2', ['HOSTNAME has 2', 'NODES has 1']],
      ['', 'node-1,node-2', ['HOSTNAME has 2', 'NODES has 0']],
    ] as const) {
      const error = failure({ NODES: nodes, HOSTNAME: hostnames })
      expect(error.name).toBe('ConfigError')
      expect(error.message).toContain('HOSTNAME')
      expect(error.message).toContain('NODES')
      for (const count of counts) expect(error.message).toContain(count)
    }
  })

  it('reads rate limits per minute, or off', () => {
    expect(parseConfig({}).auth).toMatchObject({
      perTokenPerMinute: 6000,
      perAddressPerMinute: 6000,
    })
    expect(
      parseConfig({ RATE_LIMIT_PER_TOKEN: '60', RATE_LIMIT_PER_ADDRESS: 'off' }).auth
    ).toMatchObject({
      perTokenPerMinute: 60,
      perAddressPerMinute: undefined,
    })
  })

  it('reads CORS origins: none by default, *, or a list of exact origins', () => {
    expect(parseConfig({}).cors).toEqual(new Set())
    expect(parseConfig({ CORS_ORIGINS: '*' }).cors).toBe('*')
    expect(
      parseConfig({ CORS_ORIGINS: 'https://app.example, http://127.0.0.1:8080' }).cors
    ).toEqual(new Set(['https://app.example', 'http://127.0.0.1:8080']))
  })
})
