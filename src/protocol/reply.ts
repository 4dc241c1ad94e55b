/**
 * A protocol outcome: a code, the `data` as already-encoded JSON text (so int64 digits stay
 * exact and nothing re-encodes it), and an optional message; `replyBody` wraps it in the
 * envelope.
 */
import { envelope } from './envelope.ts'

export interface Reply {
  code: number
  /** Encoded JSON for the envelope's `data`; absent = no `data` key. */
  data?: string
  /** Envelope message; absent = the code as a string. */
  message?: string
}

/** The response body of a reply: the normal envelope. */
export const replyBody = (r: Reply): string => envelope(r.code, r.data, r.message)
