import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeForm, type Form } from '../../src/protocol/form.ts'
import { LIMITS } from '../../src/protocol/limits.ts'
import * as params from '../../src/protocol/params.ts'
import { aFetchForm, aPollForm, aRegisterForm, aSetForm } from '../support/builders.ts'

const NAMES = [
  'appid',
  'env',
  'zone',
  'hostname',
  'region',
  'status',
  'addrs',
  'version',
  'metadata',
  'replication',
  'dirty_timestamp',
  'latest_timestamp',
  'set_timestamp',
  'from_zone',
  'color',
] as const

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
})

const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  codeUnits,
  fc.string({ unit: fc.constantFrom(...'0123456789-+,.eE x١１'), maxLength: 25 }),
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }).map(String),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer()))
    .map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '',
    ',',
    '1',
    '2',
    '3',
    '0',
    'true',
    '{}',
    '[]',
    'null',
    '9223372036854775808',
    '-9223372036854775809'
  ),
  fc.integer({ min: 0, max: 10_000 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 0, max: 80 }).map((n) => Array.from({ length: n }, (_, i) => `x${i}`).join(','))
)

const name = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMES) },
  fc.string({ maxLength: 8 })
)

/** A form with arbitrary names and values (empty values included: callers may build any Map). */
const anyForm = fc
  .array(fc.tuple(name, fc.array(value, { minLength: 1, maxLength: 4 })), { maxLength: 10 })
  .map((entries): Form => new Map(entries))

/** A valid form with some parameters replaced, removed or repeated: reaches the deeper checks. */
function mutated(base: () => Form) {
  return fc
    .array(
      fc.tuple(
        fc.constantFrom(...NAMES),
        fc.option(fc.array(value, { minLength: 1, maxLength: 4 }))
      ),
      { maxLength: 4 }
    )
    .map((changes) => {
      const form = base()
      for (const [key, values] of changes) {
        if (values === null) form.delete(key)
        else form.set(key, values)
      }
      return form
    })
}

const PARSERS: Record<string, (form: Form) => params.Parsed<unknown>> = {
  register: params.parseRegister,
  renew: params.parseRenew,
  cancel: params.parseCancel,
  set: params.parseSet,
  fetch: params.parseFetch,
  fetchs: params.parseFetchs,
  poll: (form) => params.parsePoll(form, false),
  polls: (form) => params.parsePoll(form, true),
}

const INT64_MAX = (1n << 63n) - 1n
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/

/** What every accepted input must satisfy, whatever the route. */
function checkAccepted(route: string, input: Record<string, unknown>): void {
  for (const key of ['appid', 'env', 'zone', 'region']) {
    if (typeof input[key] === 'string')
      expect(new TextEncoder().encode(input[key] as string).length).toBeLessThanOrEqual(
        LIMITS.idBytes
      )
  }
  for (const [key, v] of Object.entries(input)) {
    if (typeof v === 'string') expect(CONTROL.test(v), key).toBe(false)
    if (typeof v === 'bigint') expect(v <= INT64_MAX && v >= -INT64_MAX - 1n, key).toBe(true)
  }
  if (route === 'register') {
    expect([1, 2]).toContain(input.status)
    const addrs = input.addrs as string[]
    expect(addrs.length).toBeGreaterThan(0)
    expect(addrs.length).toBeLessThanOrEqual(LIMITS.addrs)
    for (const a of addrs)
      expect(a !== '' && a.length <= LIMITS.addrChars && !CONTROL.test(a)).toBe(true)
  }
  if (route === 'set') {
    const hostnames = input.hostnames as string[]
    expect(hostnames.length).toBeGreaterThan(0)
    expect((input.statuses as number[]).every((s) => s === 1 || s === 2)).toBe(true)
    for (const list of [input.statuses, input.metadata] as unknown[][])
      expect([0, hostnames.length]).toContain(list.length)
    for (const m of input.metadata as Record<string, unknown>[]) {
      expect(Object.values(m).every((v) => typeof v === 'string')).toBe(true)
    }
  }
  if (route === 'fetch' || route === 'fetchs') expect(input.statusMask).toBeGreaterThan(0)
  if (route === 'fetchs')
    expect((input.appids as string[]).length).toBeLessThanOrEqual(LIMITS.appidsPerRequest)
  if (route === 'poll' || route === 'polls') {
    const cursors = input.cursors as Map<string, bigint>
    expect(cursors.size).toBeGreaterThan(0)
    expect(cursors.size).toBeLessThanOrEqual(LIMITS.appidsPerRequest)
  }
}

/** Parse with every parser: ok, or err with a message that starts with the field's name. */
function parseAll(form: Form): void {
  for (const [route, parse] of Object.entries(PARSERS)) {
    const result = parse(form)
    if (result.ok) {
      checkAccepted(route, result.value as Record<string, unknown>)
      continue
    }
    expect(typeof result.error.field).toBe('string')
    expect(result.error.field).not.toBe('')
    expect(
      result.error.message.startsWith(`${result.error.field}:`),
      `${route}: ${result.error.message}`
    ).toBe(true)
  }
}

describe('decodeForm', () => {
  it('never throws, and keeps only non-empty names and values', () => {
    const text = fc.oneof(
      codeUnits,
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: fc.constantFrom(...'%&=+azAZ09fF:/{}",;é\u0000 '), maxLength: 80 })
    )
    fc.assert(
      fc.property(text, (t) => {
        for (const [key, values] of decodeForm(t)) {
          expect(key).not.toBe('')
          expect(values.length).toBeGreaterThan(0)
          for (const v of values) expect(v).not.toBe('')
        }
      }),
      { numRuns: 2_000 }
    )
  })
})

describe('params parsers', () => {
  it('return ok or an error naming its field for any form, never throw', () => {
    fc.assert(fc.property(anyForm, parseAll), { numRuns: 1_000 })
  })

  it('return ok or an error naming its field for mutated valid forms, never throw', () => {
    const forms = fc.oneof(
      mutated(aRegisterForm),
      mutated(() =>
        aSetForm({ hostname: ['h1', 'h2'], status: ['1', '2'], metadata: ['{}', '{"a":"b"}'] })
      ),
      mutated(aFetchForm),
      mutated(aPollForm)
    )
    fc.assert(fc.property(forms, parseAll), { numRuns: 2_000 })
  })

  it('return ok or an error naming its field for any decoded query string, never throw', () => {
    const pair = fc
      .tuple(
        fc.constantFrom(...NAMES),
        fc.oneof(value, fc.string({ unit: fc.constantFrom(...'%zZ09aF+&=,'), maxLength: 12 }))
      )
      .map(([k, v]) => `${k}=${v}`)
    const text = fc
      .array(fc.oneof({ weight: 5, arbitrary: pair }, codeUnits), { maxLength: 12 })
      .map((p) => p.join('&'))
    fc.assert(
      fc.property(text, (t) => parseAll(decodeForm(t))),
      { numRuns: 1_000 }
    )
  })
})
