import { describe, expect, it } from 'vitest'
import {
  appsTable,
  historyTable,
  instancesTable,
  json,
  nodesTable,
  table,
} from '../../../src/client/cli-format.ts'
import { anInstance } from './fakes.ts'

describe('cli-format', () => {
  it('aligns columns and leaves no trailing spaces', () => {
    expect(
      table([
        ['A', 'BB'],
        ['ccc', ''],
        ['d', 'e'],
      ])
    ).toBe('A    BB\nccc\nd    e')
  })

  it('lists instances sorted by zone and hostname, with status names and metadata', () => {
    const text = instancesTable([
      anInstance({ zone: 'sh002', hostname: 'b', status: 2, metadata: null }),
      anInstance({ zone: 'sh001', hostname: 'a', metadata: { weight: '5', color: 'red' } }),
    ])
    expect(text.split('\n').map((l) => l.split(/ {2,}/))).toEqual([
      ['ZONE', 'HOSTNAME', 'STATUS', 'ADDRS', 'VERSION', 'METADATA'],
      ['sh001', 'a', 'UP', 'grpc://10.0.0.1:9000', 'v1', 'weight=5,color=red'],
      ['sh002', 'b', 'WAITING', 'grpc://10.0.0.1:9000', 'v1'],
    ])
  })

  it('counts apps per env and prints nodes', () => {
    const all = { 'demo.a': [anInstance(), anInstance({ hostname: 'h2', status: 2, env: 'prod' })] }
    expect(appsTable(all).split('\n').slice(1)).toEqual([
      'demo.a  dev   1   0        sh001',
      'demo.a  prod  0   1        sh001',
    ])
    expect(nodesTable([{ addr: 'x:1', status: 1, zone: 'z' }])).toBe(
      'ADDR  STATUS  ZONE\nx:1   LOST    z'
    )
  })

  it('prints history rows with ISO times, newest first as given', () => {
    const entries = [
      { atMs: 1_796_285_099_355, op: 'set', zone: 'sh001', hostname: 'h1', actor: 'token:ops' },
    ]
    expect(historyTable(entries)).toBe(
      'TIME                      OP   ZONE   HOSTNAME  ACTOR\n' +
        '2026-12-03T08:04:59.355Z  set  sh001  h1        token:ops'
    )
  })

  it('writes timestamps as exact integers in JSON', () => {
    expect(json({ t: 1_700_000_000_123_456_789n })).toBe('{"t":1700000000123456789}')
  })
})
