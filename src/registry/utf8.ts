/** Byte lengths as the runtime counts them (UTF-8), without encoding the text. */

/** The UTF-8 length of `text` (a lone surrogate counts 3 bytes, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) continue
    if (unit < 0x800) bytes += 1
    else if (unit >= 0xd800 && unit < 0xdc00 && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 2 // a pair: two units, four bytes
      i++
    } else bytes += 2
  }
  return bytes
}

const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit < 0xe000
