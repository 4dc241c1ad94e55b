/** Registry answers → SDK values: names that are also Object.prototype's stay data. */
import { describe, expect, it } from 'vitest'
import { decodeAll, decodeSnapshot } from '../../../src/client/wire.ts'
import { parse } from '../../../src/protocol/int64-json.ts'
import { anInstance, viewJson } from './fakes.ts'

describe('wire decoding', () => {
  it('keeps a zone, an appid and a metadata key named __proto__ as own keys', () => {
    // JSON.parse: an object literal's "__proto__" would set the prototype instead
    const instance = anInstance({
      zone: '__proto__',
      metadata: JSON.parse('{"__proto__":"x","weight":"10"}'),
    })
    const text = viewJson([instance], 7n)
    const snapshot = decodeSnapshot('demo.a', parse(text))
    expect(Object.keys(snapshot.instances)).toEqual(['__proto__'])
    const [decoded] = Object.getOwnPropertyDescriptor(snapshot.instances, '__proto__')?.value ?? []
    expect(Object.keys(decoded?.metadata ?? {}).sort()).toEqual(['__proto__', 'weight'])

    const all = decodeAll(
      parse(`{"__proto__":[${text.slice(text.indexOf('[') + 1, text.lastIndexOf(']'))}]}`)
    )
    expect(Object.keys(all)).toEqual(['__proto__'])
  })
})
