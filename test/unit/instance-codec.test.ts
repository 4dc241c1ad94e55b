import { describe, expect, it } from 'vitest'
import {
  EMPTY_INSTANCE_JSON,
  encodeInstance,
  encodeSnapshot,
} from '../../src/protocol/instance-codec.ts'
import { parse } from '../../src/protocol/int64-json.ts'
import { anInstance } from '../support/builders.ts'
import { INSTANCE_KEYS } from '../support/discovery-client.ts'

/** The reference's instance keys, in order (docs/protocol.md). */
const KEYS: readonly string[] = INSTANCE_KEYS

const keysOf = (json: string) => [...json.matchAll(/"(\w+)":/g)].map((m) => m[1])

describe('encodeInstance', () => {
  const instance = anInstance({
    addrs: ['grpc://10.0.0.5:9000', 'http://10.0.0.5:8000'],
    metadata: { weight: '10' },
    regTimestamp: 1700000000100000001n,
    upTimestamp: 1700000000100000002n,
    renewTimestamp: 1700000030200000002n,
    dirtyTimestamp: 1525948301833084700n,
    latestTimestamp: 1700000000100000005n,
  })

  it('writes exactly the reference keys, in the reference order, with exact int64 digits', () => {
    expect(encodeInstance(instance)).toBe(
      '{"region":"sh","zone":"sh001","env":"dev","appid":"demo.a","hostname":"h1",' +
        '"addrs":["grpc://10.0.0.5:9000","http://10.0.0.5:8000"],"version":"v1",' +
        '"metadata":{"weight":"10"},"status":1,"reg_timestamp":1700000000100000001,' +
        '"up_timestamp":1700000000100000002,"renew_timestamp":1700000030200000002,' +
        '"dirty_timestamp":1525948301833084700,"latest_timestamp":1700000000100000005}'
    )
  })

  it('writes missing metadata as {} by default and as null for fetch/all', () => {
    const none = anInstance({ metadata: null })
    expect(parse(encodeInstance(none))).toMatchObject({ metadata: {} })
    expect(parse(encodeInstance(none, 'null'))).toMatchObject({ metadata: null })
  })

  it('writes empty registered metadata as {} in both modes', () => {
    const empty = anInstance({ metadata: {} })
    expect(parse(encodeInstance(empty, 'null'))).toMatchObject({ metadata: {} })
  })

  it('writes metadata keys sorted, as Go writes a map', () => {
    const metadata = { z: '1', a: '2', '9': '3', '10': '4' }
    expect(encodeInstance(anInstance({ metadata }))).toContain(
      '"metadata":{"10":"4","9":"3","a":"2","z":"1"},'
    )
  })

  it('escapes strings so the output stays valid JSON', () => {
    const odd = anInstance({ hostname: 'h"1\\\n', metadata: { 'k"': 'v\u0000é' }, addrs: ['a,"b'] })
    expect(parse(encodeInstance(odd))).toMatchObject({
      hostname: 'h"1\\\n',
      metadata: { 'k"': 'v\u0000é' },
      addrs: ['a,"b'],
    })
  })

  it('writes the WAITING status as 2', () => {
    expect(encodeInstance(anInstance({ status: 2 }))).toContain('"status":2,')
  })
})

describe('encodeSnapshot', () => {
  it('writes instances by zone, then latest_timestamp', () => {
    const a = anInstance({ hostname: 'a' })
    const b = anInstance({ hostname: 'b', zone: 'sh002' })
    const json = encodeSnapshot(
      { instances: { sh001: [a], sh002: [b], sh003: [] }, latestTimestamp: 1700000000100000001n },
      (i) => `"${i.hostname}"`
    )
    expect(json).toBe(
      '{"instances":{"sh001":["a"],"sh002":["b"],"sh003":[]},"latest_timestamp":1700000000100000001}'
    )
  })

  it('encodes each instance with encodeInstance by default', () => {
    const a = anInstance()
    expect(encodeSnapshot({ instances: { sh001: [a] }, latestTimestamp: 1n })).toBe(
      `{"instances":{"sh001":[${encodeInstance(a)}]},"latest_timestamp":1}`
    )
  })
})

describe('EMPTY_INSTANCE_JSON', () => {
  it('is the all-empty instance: same keys, empty strings, null addrs and metadata, zeros', () => {
    expect(keysOf(EMPTY_INSTANCE_JSON)).toEqual(KEYS)
    expect(keysOf(encodeInstance(anInstance()))).toEqual(KEYS)
    expect(JSON.parse(EMPTY_INSTANCE_JSON)).toEqual({
      region: '',
      zone: '',
      env: '',
      appid: '',
      hostname: '',
      addrs: null,
      version: '',
      metadata: null,
      status: 0,
      reg_timestamp: 0,
      up_timestamp: 0,
      renew_timestamp: 0,
      dirty_timestamp: 0,
      latest_timestamp: 0,
    })
  })
})
