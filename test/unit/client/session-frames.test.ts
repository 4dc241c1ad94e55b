import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeRequest, newSessionId } from '../../../src/client/session-frames.ts'
import { deltaFrame, hello, viewFrame } from './fake-websocket.ts'
import { anInstance } from './fakes.ts'

/** Beyond 2^53: a double would lose the last digit. */
const T1 = 1_700_000_000_000_000_011n
const T2 = 1_700_000_000_000_000_022n

describe('encodeRequest', () => {
  it('writes a watch cursor as its exact digits, asking for UP instances of every zone', () => {
    expect(encodeRequest(3, { op: 'watch', cursor: T1 })).toBe(
      '{"op":"watch","id":3,"zone":"","status":[1],"cursor":1700000000000000011}'
    )
  })

  it('writes register fields as the protocol names them, metadata as an object', () => {
    const text = encodeRequest(1, {
      op: 'register',
      zone: 'sh001',
      hostname: 'h1',
      addrs: ['grpc://10.0.0.1:9000'],
      status: 1,
      version: 'v2',
      metadata: { weight: '20' },
      region: 'sh',
    })
    expect(JSON.parse(text)).toEqual({
      op: 'register',
      id: 1,
      zone: 'sh001',
      hostname: 'h1',
      addrs: ['grpc://10.0.0.1:9000'],
      status: 1,
      version: 'v2',
      metadata: { weight: '20' },
      region: 'sh',
    })
  })
})

describe('decodeFrame', () => {
  it('reads hello, keeping the heartbeat text as sent', () => {
    const text = JSON.stringify(hello({ ping: '{"op":"ping"}', ping_interval_ms: 1500 }))
    expect(decodeFrame(text)).toEqual({
      type: 'hello',
      session: 'ignored-by-the-sdk',
      ping: '{"op":"ping"}',
      pingIntervalMs: 1500,
      may: ['read', 'write'],
    })
  })

  it('reads view and delta timestamps exactly', () => {
    const h1 = anInstance({ hostname: 'h1' })
    const h2 = anInstance({ hostname: 'h2', zone: 'sh002' })
    expect(decodeFrame(viewFrame([h1, h2], T1))).toEqual({
      type: 'view',
      latestTimestamp: T1,
      instances: [h1, h2],
    })
    expect(decodeFrame(deltaFrame(T1, T2, [h2], [h1]))).toEqual({
      type: 'delta',
      from: T1,
      latestTimestamp: T2,
      put: [h2],
      del: [{ zone: 'sh001', hostname: 'h1' }],
    })
  })

  it('reads errors with their field, and ignores frame types it does not know', () => {
    const error = '{"type":"error","id":4,"code":-400,"field":"addrs","message":"addrs: required"}'
    expect(decodeFrame(error)).toEqual({
      type: 'error',
      id: 4,
      code: -400,
      field: 'addrs',
      message: 'addrs: required',
    })
    expect(decodeFrame('{"type":"gossip","x":1}')).toBeUndefined()
  })

  it('throws on a frame of the wrong shape', () => {
    expect(() => decodeFrame('{"type":"view","latest_timestamp":"1","instances":{}}')).toThrow(
      /latest_timestamp/
    )
    expect(() => decodeFrame('[1]')).toThrow(/not an object/)
    expect(() => decodeFrame('{"type":"hello"')).toThrow()
  })
})

describe('newSessionId', () => {
  it('is 128 random bits in base64url, different each time', () => {
    const ids = new Set(Array.from({ length: 100 }, newSessionId))
    expect(ids.size).toBe(100)
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })
})
