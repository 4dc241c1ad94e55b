/** addressKey: what one client address is counted as (rate limits, held polls, sessions). */
import { describe, expect, it } from 'vitest'
import { addressKey } from '../../src/server/client-address.ts'

describe('addressKey', () => {
  it('keeps IPv4 addresses, and reads IPv4-mapped IPv6 as IPv4', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7')
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7')
    expect(addressKey('::FFFF:192.0.2.7')).toBe('192.0.2.7')
  })

  it('counts IPv6 by its /64, however it is written', () => {
    for (const ip of [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:0',
      '2001:db8:1:2::192.0.2.1',
    ])
      expect(addressKey(ip), ip).toBe('2001:db8:1:2::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    expect(addressKey('2001:db8::')).toBe('2001:db8:0:0::/64')
  })

  it('keeps anything else as sent, at most 64 characters', () => {
    expect(addressKey('local')).toBe('local')
    expect(addressKey('1::2::3')).toBe('1::2::3')
    expect(addressKey('x:'.repeat(100))).toHaveLength(64)
  })
})
