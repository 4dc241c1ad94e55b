/**
 * Response envelopes as JSON text (docs/protocol.md). The normal envelope is
 * `{code, message, ttl, data?}` in that order; the "map" envelope of polls has no ttl.
 * `data` is passed as already-encoded JSON text so int64 values stay exact.
 */

/** `{"code":c,"message":m,"ttl":1[,"data":…]}`; message defaults to the code as a string. */
export function envelope(code: number, data?: string, message: string = String(code)): string {
  const head = `{"code":${code},"message":${JSON.stringify(message)},"ttl":1`
  return data === undefined ? `${head}}` : `${head},"data":${data}}`
}

/**
 * The normal envelope around `data` written later, as [head, tail]: for an answer streamed in
 * parts, whose head + data + tail equals `envelope(code, data)`.
 */
export function envelopeAround(code: number): [head: string, tail: string] {
  const [head = '', tail = ''] = envelope(code, '\u0000').split('\u0000')
  return [head, tail]
}

/**
 * The polls success body: keys sorted as Go sorts map keys (code, data, error, message).
 * `changed` maps appid → encoded application view; `missing` lists unknown appids.
 */
export function pollsEnvelope(changed: Map<string, string>, missing: string[]): string {
  const data = [...changed].map(([appid, info]) => `${JSON.stringify(appid)}:${info}`).join(',')
  const notFound = missing.length === 0 ? 'null' : JSON.stringify(missing)
  return `{"code":0,"data":{${data}},"error":{"-404":${notFound}},"message":"0"}`
}

/** The map envelope `{"code":c,"message":m}` (poll of an unknown appid). */
export function mapEnvelope(code: number, message: string): string {
  return `{"code":${code},"message":${JSON.stringify(message)}}`
}
