/**
 * A protocol outcome of a registry object: a code, the `data` as already-encoded JSON text (so
 * int64 digits stay exact and nothing re-encodes it), and an optional message. It crosses to
 * the Worker as is (fetch), which wraps it in the envelope, or already wrapped (the writes).
 */
export interface Reply {
  code: number
  /** Encoded JSON for the envelope's `data`; absent = no `data` key. */
  data?: string
  /** Envelope message; absent = the code as a string. */
  message?: string
}
