import { describe, expect, it } from 'vitest'
import { ECODE, errorToEcode } from '../../src/protocol/ecode.ts'
import { envelope, mapEnvelope, pollsEnvelope } from '../../src/protocol/envelope.ts'
import { anInstance } from '../support/builders.ts'

describe('envelope', () => {
  it('writes code, message and ttl without data when none is given', () => {
    expect(envelope(0)).toBe('{"code":0,"message":"0","ttl":1}')
    expect(envelope(-404)).toBe('{"code":-404,"message":"-404","ttl":1}')
  })

  it('writes data last, as given', () => {
    expect(envelope(-404, 'null')).toBe('{"code":-404,"message":"-404","ttl":1,"data":null}')
    expect(envelope(0, '{"ts":1700000000100000001}')).toBe(
      '{"code":0,"message":"0","ttl":1,"data":{"ts":1700000000100000001}}'
    )
  })

  it('writes a free-text message, escaped', () => {
    expect(envelope(-400, undefined, 'appid: "x"\n')).toBe(
      '{"code":-400,"message":"appid: \\"x\\"\\n","ttl":1}'
    )
  })
})

describe('pollsEnvelope', () => {
  it('orders the keys code, data, error, message and has no ttl', () => {
    const body = pollsEnvelope(
      new Map([['demo.a', '{"latest_timestamp":1700000000100000001}']]),
      []
    )
    expect(body).toBe(
      '{"code":0,"data":{"demo.a":{"latest_timestamp":1700000000100000001}},"error":{"-404":null},"message":"0"}'
    )
  })

  it('lists unknown appids under error."-404"', () => {
    expect(
      pollsEnvelope(
        new Map([
          ['a', '{}'],
          ['b', '{}'],
        ]),
        ['demo.x', 'demo.y']
      )
    ).toBe('{"code":0,"data":{"a":{},"b":{}},"error":{"-404":["demo.x","demo.y"]},"message":"0"}')
  })

  it('writes an empty data object when nothing changed', () => {
    expect(JSON.parse(pollsEnvelope(new Map(), ['x']))).toEqual({
      code: 0,
      data: {},
      error: { '-404': ['x'] },
      message: '0',
    })
  })
})

describe('mapEnvelope', () => {
  it('writes code and message only', () => {
    expect(mapEnvelope(-404, 'demo.none not found')).toBe(
      '{"code":-404,"message":"demo.none not found"}'
    )
  })
})

describe('errorToEcode', () => {
  it('maps every registry failure to its wire code', () => {
    const instance = anInstance()
    expect(errorToEcode({ reason: 'not_found', detail: 'none' })).toBe(ECODE.NOTHING_FOUND)
    expect(errorToEcode({ reason: 'newer_elsewhere', instance })).toBe(-404)
    expect(errorToEcode({ reason: 'conflict', instance })).toBe(-409)
    expect(errorToEcode({ reason: 'invalid', field: 'zone', message: 'zone: x' })).toBe(-400)
    expect(errorToEcode({ reason: 'full', message: 'x' })).toBe(-400)
  })
})
