/** errorReply: every registry failure → its whole reply, as the registry object answers it. */
import { describe, expect, it } from 'vitest'
import { errorReply, type WriteOp } from '../../src/protocol/ecode.ts'
import { EMPTY_INSTANCE_JSON, encodeInstance } from '../../src/protocol/instance-codec.ts'
import { replyBody } from '../../src/protocol/reply.ts'
import { anInstance } from '../support/builders.ts'

const WRITES: WriteOp[] = ['register', 'renew', 'cancel', 'set']

describe('errorReply', () => {
  it('answers a broken rule with -400 and the rule as message, for any write', () => {
    for (const op of WRITES) {
      expect(
        errorReply({ reason: 'invalid', field: 'zone', message: 'zone: x is not a zone' }, op)
      ).toEqual({
        code: -400,
        message: 'zone: x is not a zone',
      })
      expect(
        errorReply({ reason: 'full', message: 'appid: a already has 2 instances' }, op)
      ).toEqual({
        code: -400,
        message: 'appid: a already has 2 instances',
      })
    }
  })

  it('answers a disagreeing peer renew with our instance: -409 (conflict) and -404 (newer elsewhere)', () => {
    const instance = anInstance({ metadata: { w: '5' } })
    expect(errorReply({ reason: 'conflict', instance }, 'renew')).toEqual({
      code: -409,
      data: encodeInstance(instance),
    })
    expect(errorReply({ reason: 'newer_elsewhere', instance }, 'renew')).toEqual({
      code: -404,
      data: encodeInstance(instance),
    })
  })

  it('answers a renew of an unknown instance with null (app or zone unknown) or the empty instance', () => {
    expect(errorReply({ reason: 'not_found', detail: 'none' }, 'renew')).toEqual({
      code: -404,
      data: 'null',
    })
    expect(errorReply({ reason: 'not_found', detail: 'empty' }, 'renew')).toEqual({
      code: -404,
      data: EMPTY_INSTANCE_JSON,
    })
    expect(replyBody(errorReply({ reason: 'not_found', detail: 'none' }, 'renew'))).toBe(
      '{"code":-404,"message":"-404","ttl":1,"data":null}'
    )
  })

  it('answers -404 without data for the other writes', () => {
    for (const op of ['register', 'cancel', 'set'] as const) {
      expect(errorReply({ reason: 'not_found', detail: 'none' }, op)).toEqual({ code: -404 })
      expect(errorReply({ reason: 'not_found', detail: 'empty' }, op)).toEqual({ code: -404 })
    }
    expect(replyBody(errorReply({ reason: 'not_found', detail: 'none' }, 'cancel'))).toBe(
      '{"code":-404,"message":"-404","ttl":1}'
    )
  })
})
