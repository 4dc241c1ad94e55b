/**
 * Client options the SDK cannot use fail in createDiscoveryClient with a DiscoveryConfigError
 * that names the option and shows the value, never as a TypeError later on.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createDiscoveryClient } from '../../../src/client/client.ts'
import { DiscoveryConfigError } from '../../../src/client/errors.ts'
import type { DiscoveryClientOptions } from '../../../src/client/options.ts'

afterEach(() => vi.unstubAllEnvs())

const BASE = { nodes: '127.0.0.1:7171', env: 'dev', zone: 'sh001', hostname: 'h' }

/** The message of the DiscoveryConfigError creating a client with `options` throws. */
function refusal(options: unknown): string {
  try {
    createDiscoveryClient(options as DiscoveryClientOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(DiscoveryConfigError)
    return (error as Error).message
  }
  throw new Error('the options were accepted')
}

describe('createDiscoveryClient option checks', () => {
  it('refuses a node address without a host, naming the option and the entry', () => {
    expect(refusal({ ...BASE, nodes: '7171' })).toBe(
      'nodes: node address "7171" has no usable host: "7171" would be read as the IPv4 address ' +
        '0.0.28.3 (write host:port, such as 127.0.0.1:7171)'
    )
    for (const address of [':7171', 'http://', 'http://:7171']) {
      expect(refusal({ ...BASE, nodes: [address] })).toBe(
        `nodes: node address ${JSON.stringify(address)} has no host (write host:port, such as 127.0.0.1:7171)`
      )
    }
    expect(refusal({ ...BASE, nodes: 'a:1,010.0.0.1:7171' })).toMatch(/read as .* 8\.0\.0\.1/)
    expect(refusal({ ...BASE, nodes: 'ftp://a:1' })).toMatch(/not http or https/)
  })

  it('says DISCOVERY_NODES when the bad address came from there', () => {
    vi.stubEnv('DISCOVERY_NODES', '7171')
    expect(refusal({ env: 'dev' })).toMatch(/^DISCOVERY_NODES: node address "7171"/)
  })

  it('refuses nodes that are not a string or a list of strings', () => {
    expect(refusal({ ...BASE, nodes: 7171 })).toMatch(/^nodes must be host:port .*, got 7171$/)
    expect(refusal({ ...BASE, nodes: ['a:1', 7171] })).toBe('nodes[1] must be a string, got 7171')
  })

  it('refuses a bad transport, and intervals that are not positive or that timers cannot wait', () => {
    expect(refusal({ ...BASE, transport: 'pigeon' })).toBe(
      'transport must be one of auto, session, http, got "pigeon"'
    )
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '1000']) {
      expect(refusal({ ...BASE, renewIntervalMs: value })).toMatch(
        /^renewIntervalMs must be a positive/
      )
      expect(refusal({ ...BASE, requestTimeoutMs: value })).toMatch(/^requestTimeoutMs must be/)
    }
    expect(refusal({ ...BASE, backoff: { initialMs: 0 } })).toMatch(/^backoff\.initialMs must be/)
    expect(refusal({ ...BASE, backoff: 5 })).toBe('backoff must be an object, got 5')
  })

  it('refuses values of the wrong kind', () => {
    expect(refusal(null)).toBe('createDiscoveryClient options must be an object, got null')
    expect(refusal({ ...BASE, env: 5 })).toBe('env must be a non-empty string, got 5')
    expect(refusal({ ...BASE, zone: ['sh001'] })).toBe('zone must be a string, got an array')
    expect(refusal({ ...BASE, fetch: 'fetch' })).toBe('fetch must be a function, got "fetch"')
    expect(refusal({ ...BASE, onError: {} })).toBe('onError must be a function, got an object')
    expect(refusal({ ...BASE, timers: { setTimeout } })).toMatch(/^timers\.clearTimeout must be/)
  })

  it('refuses a token a header cannot carry (a trailing newline from a file)', () => {
    expect(refusal({ ...BASE, token: 'dsc1.k1.x.y\n' })).toMatch(/^token must be visible ASCII/)
    expect(refusal({ ...BASE, token: '' })).toBe('token must be a non-empty string, got ""')
  })
})
