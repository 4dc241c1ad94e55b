import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from '../../src/protocol/int64-json.ts'

/** bigint → number, so a value can be compared with what JSON.parse gives. */
const lossy = (v: unknown): unknown =>
  typeof v === 'bigint'
    ? Number(v)
    : Array.isArray(v)
      ? v.map(lossy)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lossy(x)]))
        : v

describe('int64-json.stringify', () => {
  it('writes the upstream example timestamp with every digit', () => {
    expect(stringify(1525948301833084700n)).toBe('1525948301833084700')
    expect(stringify({ ts: 1700000000100000001n })).toBe('{"ts":1700000000100000001}')
  })

  it('writes negative and int64-extreme bigints as bare digits', () => {
    expect(stringify([-9223372036854775808n, 9223372036854775807n, 0n])).toBe(
      '[-9223372036854775808,9223372036854775807,0]'
    )
  })

  it('writes nested objects like JSON.stringify', () => {
    const value = { a: { b: [1, 'x', null, true, { c: 1700000000100000001n }] }, d: false }
    expect(stringify(value)).toBe(
      '{"a":{"b":[1,"x",null,true,{"c":1700000000100000001}]},"d":false}'
    )
  })

  it('escapes strings like JSON.stringify', () => {
    const s = 'q"b\\s/\n\t\u0001é\u2028😀'
    expect(stringify({ [s]: s })).toBe(JSON.stringify({ [s]: s }))
  })

  it('skips undefined and function properties and writes undefined array items as null', () => {
    expect(stringify({ a: undefined, b: () => 1, c: [undefined, 1] })).toBe('{"c":[null,1]}')
  })

  it('writes non-finite numbers as null', () => {
    expect(stringify([Number.NaN, Number.POSITIVE_INFINITY])).toBe('[null,null]')
  })

  it('agrees with JSON.stringify on values without bigint', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringify(value)).toBe(JSON.stringify(value))
      })
    )
  })
})

describe('int64-json.parse', () => {
  it('reads the upstream example timestamp exactly, as bigint', () => {
    expect(parse('1525948301833084700')).toBe(1525948301833084700n)
    expect(parse('1700000000100000001')).toBe(1700000000100000001n)
  })

  it('round-trips both example timestamps through stringify', () => {
    for (const ts of [1525948301833084700n, 1700000000100000001n]) {
      expect(parse(stringify({ latest_timestamp: ts }))).toEqual({ latest_timestamp: ts })
    }
  })

  it('round-trips any int64 outside the safe range', () => {
    const unsafe = fc.oneof(
      fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: (1n << 63n) - 1n }),
      fc.bigInt({ min: -(1n << 63n), max: BigInt(Number.MIN_SAFE_INTEGER) - 1n })
    )
    fc.assert(
      fc.property(unsafe, (n) => {
        expect(parse(stringify({ n, list: [n] }))).toEqual({ n, list: [n] })
      })
    )
  })

  it('reads safe integers and fractions as numbers', () => {
    expect(parse('[9007199254740991,-9007199254740991,1.5,1e3,-0.25e-2]')).toEqual([
      9007199254740991, -9007199254740991, 1.5, 1000, -0.0025,
    ])
  })

  it('reads the first unsafe integer as bigint', () => {
    expect(parse('9007199254740993')).toBe(9007199254740993n)
  })

  it('reads nested objects and arrays', () => {
    const text =
      ' { "data" : { "demo.a" : { "instances" : { "sh001" : [ { "ts" : 1700000000100000001 , "m" : { } } ] } , "latest_timestamp" : 1525948301833084700 } } , "ok" : [ true , false , null ] } '
    expect(parse(text)).toEqual({
      data: {
        'demo.a': {
          instances: { sh001: [{ ts: 1700000000100000001n, m: {} }] },
          latest_timestamp: 1525948301833084700n,
        },
      },
      ok: [true, false, null],
    })
  })

  it('reads strings with escapes', () => {
    expect(parse('"a\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00"')).toBe('a"b\\c/d\n\té😀')
    expect(parse('["\\\\", "}"]')).toEqual(['\\', '}'])
  })

  it('keeps a __proto__ key as an own property, as JSON.parse does', () => {
    const value = parse('{"__proto__":"x","a":"1"}')
    expect(Object.keys(value as object)).toEqual(['__proto__', 'a'])
    expect(Object.getPrototypeOf(parse('{"__proto__":{"polluted":"1"}}'))).toBe(Object.prototype)
  })

  it.each([
    '',
    ' ',
    '{',
    '[',
    '[1,]',
    '{"a":1,}',
    '{a:1}',
    '{"a" 1}',
    '"abc',
    '"abc\\"',
    '"\\x"',
    '"a\u0001"',
    'tru',
    'nul',
    'NaN',
    'Infinity',
    '01',
    '-',
    '+1',
    '.5',
    '1.',
    '1e',
    '1 2',
    '{}x',
    "'a'",
    '\u00a01',
  ])('throws SyntaxError on %j', (text) => {
    expect(() => parse(text)).toThrow(SyntaxError)
  })

  it('throws SyntaxError, not a stack overflow, on deeply nested unterminated input', () => {
    expect(() => parse('['.repeat(100_000))).toThrow(SyntaxError)
  })

  it('accepts exactly what JSON.parse accepts, and agrees up to int64 precision', () => {
    const texts = fc.oneof(
      // __proto__ keys have their own test above
      fc
        .jsonValue()
        .map((v) => JSON.stringify(v))
        .filter((text) => !text.includes('"__proto__"')),
      fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789.-+eEtrufalsn \\') })
    )
    fc.assert(
      fc.property(texts, (text) => {
        let expected: unknown
        try {
          expected = JSON.parse(text)
        } catch {
          expect(() => parse(text)).toThrow(SyntaxError)
          return
        }
        expect(lossy(parse(text))).toEqual(expected)
      }),
      { numRuns: 2_000 }
    )
  })
})
