/**
 * Business codes of the discovery protocol (docs/protocol.md) and the one mapping from a
 * registry failure to a code (errorToEcode) and to a whole reply (errorReply). No other
 * module turns a RegistryError into wire output.
 */
import type { RegistryError } from '../registry/result.ts'
import { EMPTY_INSTANCE_JSON, encodeInstance } from './instance-codec.ts'
import type { Reply } from './reply.ts'

export const ECODE = {
  OK: 0,
  NOT_MODIFIED: -304,
  REQUEST_ERR: -400,
  NOTHING_FOUND: -404,
  CONFLICT: -409,
  SERVER_ERR: -500,
} as const

export type Ecode = (typeof ECODE)[keyof typeof ECODE]

/** The wire code for a registry failure. Exhaustive: a new reason fails to compile here. */
export function errorToEcode(error: RegistryError): Ecode {
  switch (error.reason) {
    case 'not_found':
    case 'newer_elsewhere':
      return ECODE.NOTHING_FOUND
    case 'conflict':
      return ECODE.CONFLICT
    case 'invalid':
    case 'full':
      return ECODE.REQUEST_ERR
    default: {
      const unreachable: never = error
      return unreachable
    }
  }
}

/** The write that failed: only a renew's -404 carries `data`. */
export type WriteOp = 'register' | 'renew' | 'cancel' | 'set'

/**
 * The reply for a registry failure of `op`. A rule that is broken says why (`message`); a
 * peer renew that disagrees carries our instance (`data`); a renew of an unknown instance
 * carries `null` when the app or zone is unknown and the empty instance when only the
 * hostname is (PROTOCOL §3.2), while other writes answer -404 without `data`.
 */
export function errorReply(error: RegistryError, op: WriteOp): Reply {
  const code = errorToEcode(error)
  switch (error.reason) {
    case 'invalid':
    case 'full':
      return { code, message: error.message }
    case 'newer_elsewhere':
    case 'conflict':
      return { code, data: encodeInstance(error.instance) }
    case 'not_found':
      if (op !== 'renew') return { code }
      return { code, data: error.detail === 'empty' ? EMPTY_INSTANCE_JSON : 'null' }
  }
}
