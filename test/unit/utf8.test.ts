/** utf8Length agrees with TextEncoder on any text, lone surrogates included. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8Length } from '../../src/registry/utf8.ts'

describe('utf8Length', () => {
  it('is the length TextEncoder writes', () => {
    const encoder = new TextEncoder()
    for (const text of ['', 'a', 'é', '中', '😀', '\ud800', '\udc00x', 'a\ud83d']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(encoder.encode(text).length)
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(encoder.encode(text).length)
      })
    )
  })
})
