import { describe, expect, it } from 'vitest'
import { InstanceWriters } from '../../src/server/instance-writers.ts'
import type { HistoryEntry } from '../../src/server/sql-store.ts'

const entry = (op: HistoryEntry['op'], hostname: string, actor: string): HistoryEntry => ({ atMs: 0, op, zone: 'sh001', hostname, actor })

describe('InstanceWriters', () => {
  it('flags a renew from another token than the last writer, once per change of token', () => {
    const writers = new InstanceWriters([])
    writers.wrote('sh001', 'h1', 'token:a')
    expect(writers.renewedBy('sh001', 'h1', 'token:a')).toBe(false)
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(true)
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(false)
    expect(writers.renewedBy('sh001', 'h1', 'token:a')).toBe(true)
  })

  it('learns an unknown instance from its first renew without flagging it', () => {
    const writers = new InstanceWriters([])
    expect(writers.renewedBy('sh001', 'h1', 'token:a')).toBe(false)
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(true)
  })

  it('tells instances apart by zone and hostname, and forgets cancelled ones', () => {
    const writers = new InstanceWriters([])
    writers.wrote('sh001', 'h1', 'token:a')
    expect(writers.renewedBy('sh002', 'h1', 'token:b')).toBe(false)
    writers.forget('sh001', 'h1')
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(false)
  })

  it('rebuilds from the history, newest first: the latest write of each instance wins', () => {
    const writers = new InstanceWriters([
      entry('renew', 'h1', 'token:c'),
      entry('set', 'h1', 'token:b'),
      entry('register', 'h1', 'token:a'),
      entry('evict', 'h2', 'lease'),
      entry('register', 'h2', 'token:a'),
    ])
    expect(writers.renewedBy('sh001', 'h1', 'token:c')).toBe(false)
    expect(writers.renewedBy('sh001', 'h2', 'token:z')).toBe(false) // evicted: unknown again
  })
})
