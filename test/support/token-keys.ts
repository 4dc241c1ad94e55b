/**
 * Signing keys for tests that turn auth on: secrets of at least 32 bytes, as TOKEN_KEYS and
 * minting require (src/auth/token.ts MIN_SECRET_BYTES).
 */

export const K1 = { kid: 'k1', secret: 'first-secret-for-tests-0001-0123456789' }
export const K2 = { kid: 'k2', secret: 'second-secret-for-tests-0002-0123456789' }
/** Both keys, as TOKEN_KEYS holds them during a rotation. */
export const KEYS = `${K1.kid}:${K1.secret},${K2.kid}:${K2.secret}`

/**
 * The token with the first character of its signature changed: always a different signature,
 * where a changed last character may decode to the same bytes (its low bits are padding).
 */
export function withForgedSignature(token: string): string {
  const cut = token.lastIndexOf('.') + 1
  const swapped = token[cut] === 'A' ? 'B' : 'A'
  return token.slice(0, cut) + swapped + token.slice(cut + 1)
}
