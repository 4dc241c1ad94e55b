/**
 * The bits of the discovery wire format that the tests and the benchmark both write or read as
 * text: the form content type of writes, the address of the `R(h)` registrations of
 * the checklist in docs/protocol.md, and an answer's `latest_timestamp` digits (an int64: read from the raw text
 * with a regular expression, never JSON.parse, which would round it).
 */

/** The content type of every discovery write (the Go SDK posts forms). */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'

/** Headers of a form POST. */
export const FORM_HEADERS = { 'content-type': FORM_CONTENT_TYPE }

/** The fixed address of the `R(h)` registrations of the checklist in docs/protocol.md. */
export const ADDR = 'grpc://10.0.0.1:9000'

/** The exact digits of the application's `latest_timestamp` in a fetch answer (its last one). */
export function latestDigits(text: string): string {
  const match = /"latest_timestamp":(-?\d+)\}\}$/.exec(text)
  if (!match?.[1]) throw new Error(`no top-level latest_timestamp in ${text.slice(0, 200)}`)
  return match[1]
}
