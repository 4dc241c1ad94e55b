/** Session frames (docs/sessions.md): requests read with the HTTP parameter rules, errors named. */
import { describe, expect, it } from 'vitest'
import { parse } from '../../src/protocol/int64-json.ts'
import {
  deltaFrame,
  errorFrame,
  helloFrame,
  parseFrame,
  viewFrame,
} from '../../src/protocol/session-frames.ts'

const APP = { appid: 'demo.a', env: 'dev' }
const read = (frame: unknown) =>
  parseFrame(typeof frame === 'string' ? frame : JSON.stringify(frame), APP)
const failure = (frame: unknown) => {
  const result = read(frame)
  if (result.ok) throw new Error('expected a failure')
  return result.error
}

describe('parseFrame', () => {
  it('reads a register as the HTTP form would be, the app from the session, status UP by default', () => {
    const result = read({
      op: 'register',
      id: 7,
      zone: 'sh001',
      hostname: 'h1',
      addrs: ['grpc://10.0.0.1:9000'],
      metadata: { weight: '10' },
    })
    expect(result).toEqual({
      ok: true,
      value: {
        op: 'register',
        id: 7,
        input: {
          appid: 'demo.a',
          env: 'dev',
          zone: 'sh001',
          hostname: 'h1',
          addrs: ['grpc://10.0.0.1:9000'],
          status: 1,
          region: '',
          version: '',
          metadata: { weight: '10' },
          dirtyTimestamp: 0n,
        },
      },
    })
  })

  it('a frame cannot choose another app', () => {
    const result = read({
      op: 'cancel',
      appid: 'other',
      env: 'prod',
      zone: 'sh001',
      hostname: 'h1',
    })
    expect(result.ok && result.value.op === 'cancel' && result.value.input).toMatchObject(APP)
  })

  it('names the field of every problem, with the request id', () => {
    expect(failure('nope')).toMatchObject({ field: 'frame' })
    expect(failure('[1]')).toMatchObject({ field: 'frame' })
    expect(failure({ op: 'register', id: { x: 1 } })).toMatchObject({ field: 'id' })
    expect(failure({ op: 'fly', id: 'a' })).toMatchObject({ field: 'op', id: 'a' })
    expect(failure({ op: 'register', id: 1, zone: 'z', hostname: 'h' })).toMatchObject({
      field: 'addrs',
      id: 1,
    })
    expect(failure({ op: 'register', zone: 'z', hostname: 'h', addrs: [1] })).toMatchObject({
      field: 'addrs',
    })
    expect(failure({ op: 'register', zone: 5, hostname: 'h', addrs: ['a'] })).toMatchObject({
      field: 'zone',
    })
    expect(
      failure({ op: 'register', zone: 'z', hostname: 'h'.repeat(300), addrs: ['a'] })
    ).toMatchObject({ field: 'hostname' })
    expect(
      failure({ op: 'register', zone: 'z', hostname: 'h', addrs: ['a'], metadata: { a: 1 } })
    ).toMatchObject({ field: 'metadata' })
    expect(failure({ op: 'set', zone: 'z', hostname: 'h' })).toMatchObject({ field: 'status' })
    expect(failure({ op: 'watch', status: [] })).toMatchObject({ field: 'status' })
    expect(failure({ op: 'watch', cursor: -1 })).toMatchObject({ field: 'cursor' })
    expect(failure({ op: 'watch', cursor: 'abc' })).toMatchObject({ field: 'cursor' })
  })

  it('keeps a cursor beyond 2^53 exact', () => {
    const result = read('{"op":"watch","cursor":1796283625259000123,"status":[1,2],"zone":"sh001"}')
    expect(result).toEqual({
      ok: true,
      value: {
        op: 'watch',
        id: undefined,
        zone: 'sh001',
        statusMask: 3,
        cursor: 1796283625259000123n,
      },
    })
  })
})

describe('server frames', () => {
  it('are JSON with exact timestamps', () => {
    const hello = parse(
      helloFrame({
        session: 's',
        pingIntervalMs: 30000,
        graceMs: 10000,
        may: ['read'],
        limits: { a: 1 },
      })
    )
    expect(hello).toMatchObject({ type: 'hello', v: 1, ping: '{"op":"ping"}', may: ['read'] })
    expect(parse(errorFrame(3, -400, 'addrs: required', 'addrs'))).toEqual({
      type: 'error',
      id: 3,
      code: -400,
      field: 'addrs',
      message: 'addrs: required',
    })
    expect(parse(viewFrame('{"instances":{},"latest_timestamp":1796283625259000123}'))).toEqual({
      type: 'view',
      instances: {},
      latest_timestamp: 1796283625259000123n,
    })
    const delta = parse(
      deltaFrame(1n, 1796283625259000123n, ['{"hostname":"h"}'], [{ zone: 'z', hostname: 'g' }])
    )
    expect(delta).toEqual({
      type: 'delta',
      from: 1,
      latest_timestamp: 1796283625259000123n,
      put: [{ hostname: 'h' }],
      del: [{ zone: 'z', hostname: 'g' }],
    })
  })
})
