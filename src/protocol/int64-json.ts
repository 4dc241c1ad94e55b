/**
 * JSON that keeps int64 values exact. `stringify` writes bigint as bare digits; `parse` reads
 * integers beyond Number.MAX_SAFE_INTEGER as bigint. Hand-written because JSON.rawJSON and
 * reviver source access are missing on Node 20, which the SDK supports (docs/protocol.md).
 */

/** Serialise like JSON.stringify, except that bigint values become bare integer literals. */
export function stringify(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString()
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[${value.map((v) => stringify(v ?? null)).join(',')}]`
      const parts: string[] = []
      for (const [key, v] of Object.entries(value)) {
        if (v !== undefined && typeof v !== 'function')
          parts.push(`${JSON.stringify(key)}:${stringify(v)}`)
      }
      return `{${parts.join(',')}}`
    }
    default:
      return 'null'
  }
}

/** A JSON value whose unsafe integers are bigint. */
export type Int64Json =
  | null
  | boolean
  | number
  | bigint
  | string
  | Int64Json[]
  | { [key: string]: Int64Json }

/** Parse JSON; integers outside the safe range come back as bigint. Throws SyntaxError. */
export function parse(text: string): Int64Json {
  const parser = new Parser(text)
  const value = parser.value()
  parser.end()
  return value
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const INTEGER = /^-?\d+$/

/** Deeper nesting is refused (a SyntaxError) rather than overflowing the stack. */
const MAX_DEPTH = 512

class Parser {
  #at = 0
  #depth = 0
  readonly #text: string

  constructor(text: string) {
    this.#text = text
  }

  value(): Int64Json {
    this.#space()
    const c = this.#text[this.#at]
    if (c === '{' || c === '[') {
      if (++this.#depth > MAX_DEPTH) this.#fail(`nested deeper than ${MAX_DEPTH}`)
      const value = c === '{' ? this.#object() : this.#array()
      this.#depth -= 1
      return value
    }
    if (c === '"') return this.#string()
    if (c === 't') return this.#word('true', true)
    if (c === 'f') return this.#word('false', false)
    if (c === 'n') return this.#word('null', null)
    return this.#number()
  }

  end(): void {
    this.#space()
    if (this.#at !== this.#text.length) this.#fail('unexpected trailing text')
  }

  #object(): Int64Json {
    const out: { [key: string]: Int64Json } = {}
    this.#at += 1
    this.#space()
    if (this.#text[this.#at] === '}') {
      this.#at += 1
      return out
    }
    for (;;) {
      this.#space()
      if (this.#text[this.#at] !== '"') this.#fail('expected a key')
      const key = this.#string()
      this.#space()
      this.#expect(':')
      // defineProperty: a "__proto__" key stays an own property, as with JSON.parse
      Object.defineProperty(out, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      })
      this.#space()
      if (this.#text[this.#at] === ',') {
        this.#at += 1
        continue
      }
      this.#expect('}')
      return out
    }
  }

  #array(): Int64Json {
    const out: Int64Json[] = []
    this.#at += 1
    this.#space()
    if (this.#text[this.#at] === ']') {
      this.#at += 1
      return out
    }
    for (;;) {
      out.push(this.value())
      this.#space()
      if (this.#text[this.#at] === ',') {
        this.#at += 1
        continue
      }
      this.#expect(']')
      return out
    }
  }

  #string(): string {
    let end = this.#at + 1
    for (;;) {
      const c = this.#text[end]
      if (c === undefined) this.#fail('unterminated string')
      if (c === '\\') end += 2
      else if (c === '"') break
      else end += 1
    }
    const raw = this.#text.slice(this.#at, end + 1)
    this.#at = end + 1
    return JSON.parse(raw) as string
  }

  #number(): number | bigint {
    NUMBER.lastIndex = this.#at
    const match = NUMBER.exec(this.#text)
    if (!match) this.#fail('unexpected character')
    const literal = match[0]
    this.#at += literal.length
    const n = Number(literal)
    return INTEGER.test(literal) && !Number.isSafeInteger(n) ? BigInt(literal) : n
  }

  #word<T>(word: string, value: T): T {
    if (!this.#text.startsWith(word, this.#at)) this.#fail('unexpected character')
    this.#at += word.length
    return value
  }

  #expect(c: string): void {
    if (this.#text[this.#at] !== c) this.#fail(`expected '${c}'`)
    this.#at += 1
  }

  #space(): void {
    while (' \t\n\r'.includes(this.#text[this.#at] ?? 'x')) this.#at += 1
  }

  #fail(why: string): never {
    throw new SyntaxError(`JSON: ${why} at position ${this.#at}`)
  }
}
