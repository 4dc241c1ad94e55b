/**
 * A lenient form decoder (PROTOCOL.md §1.2): `&`-separated pairs, `+` as space, a pair with a
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
