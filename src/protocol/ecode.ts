/**
 * Business codes of the discovery protocol (PROTOCOL.md §1.6) and the one mapping from a
 * registry failure reason to a code.
 */
import type { RegistryError } from '../registry/result.ts'

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
