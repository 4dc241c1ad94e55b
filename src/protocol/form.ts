/**
 * A lenient form decoder (docs/protocol.md): `&`-separated pairs, `+` as space, a pair with a
 * bad percent-escape dropped, unencoded reserved characters accepted (brpc sends them), empty
 * values dropped. Repeated names keep every value in order.
 */

/** Parameter name → values, in arrival order, empty values removed. */
export type Form = Map<string, string[]>

/** Decode one `application/x-www-form-urlencoded` string (a query string or a body). */
export function decodeForm(text: string, into: Form = new Map()): Form {
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const rawKey = eq < 0 ? pair : pair.slice(0, eq)
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1)
    const key = decodePart(rawKey)
    const value = decodePart(rawValue)
    if (key === undefined || value === undefined || key === '' || value === '') continue
    const values = into.get(key)
    if (values) values.push(value)
    else into.set(key, [value])
  }
  return into
}

function decodePart(raw: string): string | undefined {
  const spaced = raw.replaceAll('+', ' ')
  if (!spaced.includes('%')) return spaced
  try {
    return decodeURIComponent(spaced)
  } catch {
    return undefined // a malformed escape drops the pair, as the reference does
  }
}

/** A parameter to encode: one value, or a list sent as repeated keys; undefined = not sent. */
export type FormValue = string | number | bigint | readonly (string | number | bigint)[] | undefined

/**
 * Encode parameters as Go's `url.Values.Encode` does (what the reference SDK sends): keys sorted,
 * each value of a list as its own `key=value` pair, bigint as exact digits, space as `+`.
 */
export function encodeForm(params: Record<string, FormValue>): string {
  const pairs: string[] = []
  for (const key of Object.keys(params).sort()) {
    const value = params[key]
    if (value === undefined) continue
    const values: readonly (string | number | bigint)[] = Array.isArray(value) ? value : [value]
    for (const v of values) pairs.push(`${queryEscape(key)}=${queryEscape(String(v))}`)
  }
  return pairs.join('&')
}

/** Go's url.QueryEscape: everything but letters, digits and `-_.~` escaped, space as `+`. */
function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}
