import { describe, expect, it } from 'vitest'
import { InstanceWriters } from '../../src/server/instance-writers.ts'
import type { HistoryEntry } from '../../src/server/registry-store.ts'

const entry = (op: HistoryEntry['op'], hostname: string, actor: string): HistoryEntry => ({
  atMs: 0,
  op,
  zone: 'sh001',
  hostname,
  actor,
})

describe('InstanceWriters', () => {
  it('flags each stranger renewing an instance once, until another stranger turns up', () => {
    const writers = new InstanceWriters([])
    writers.registered('sh001', 'h1', 'token:a')
    expect(writers.renewedBy('sh001', 'h1', 'token:a')).toBe(false)
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(true)
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(false)
    expect(writers.renewedBy('sh001', 'h1', 'token:a')).toBe(false) // the owner is never a stranger
    expect(writers.renewedBy('sh001', 'h1', 'token:c')).toBe(true)
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(true)
  })

  it('takes the first renewer of an unknown instance as its owner, unflagged', () => {
    const writers = new InstanceWriters([])
    expect(writers.renewedBy('sh001', 'h1', 'token:a')).toBe(false)
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(true)
  })

  it('tells instances apart by zone and hostname, and forgets cancelled ones', () => {
    const writers = new InstanceWriters([])
    writers.registered('sh001', 'h1', 'token:a')
    expect(writers.renewedBy('sh002', 'h1', 'token:b')).toBe(false)
    writers.forget('sh001', 'h1')
    expect(writers.renewedBy('sh001', 'h1', 'token:b')).toBe(false)
  })

  it('rebuilds from the history, newest first; a set changes no owner', () => {
    const writers = new InstanceWriters([
      entry('set', 'h1', 'token:admin'),
      entry('renew', 'h1', 'token:c'),
      entry('register', 'h1', 'token:a'),
      entry('evict', 'h2', 'lease'),
      entry('register', 'h2', 'token:a'),
    ])
    expect(writers.renewedBy('sh001', 'h1', 'token:a')).toBe(false)
    expect(writers.renewedBy('sh001', 'h1', 'token:c')).toBe(false) // already recorded
    expect(writers.renewedBy('sh001', 'h1', 'token:admin')).toBe(true)
    expect(writers.renewedBy('sh001', 'h2', 'token:z')).toBe(false) // evicted: unknown again
  })
})
