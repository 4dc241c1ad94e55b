/**
 * A protocol outcome as it crosses from a registry object to the Worker: a code, the `data`
 * as already-encoded JSON text (so int64 digits stay exact and the Worker never re-encodes),
 * and an optional message. The Worker wraps it in the envelope.
 */
export interface Reply {
  code: number
  /** Encoded JSON for the envelope's `data`; absent = no `data` key. */
  data?: string
  /** Envelope message; absent = the code as a string. */
  message?: string
}
