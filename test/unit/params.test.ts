import { describe, expect, it } from 'vitest'
import type { Form } from '../../src/protocol/form.ts'
import { LIMITS } from '../../src/protocol/limits.ts'
import {
  type Parsed,
  parseCancel,
  parseFetch,
  parseFetchs,
  parsePoll,
  parseRegister,
  parseRenew,
  parseSet,
} from '../../src/protocol/params.ts'
import {
  aCancelForm,
  aFetchForm,
  aPollForm,
  aRegisterForm,
  aRenewForm,
  aRenewInput,
  aSetForm,
} from '../support/builders.ts'

/** The value of a parse that must succeed. */
function parsed<T>(result: Parsed<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`)
  return result.value
}

/** Assert a parse failed on `field`, with a message that names it first. */
function expectFieldError(result: Parsed<unknown>, field: string): string {
  expect(result).toMatchObject({ ok: false, error: { field } })
  if (result.ok) throw new Error('unreachable')
  expect(result.error.message.startsWith(`${field}:`)).toBe(true)
  return result.error.message
}

const INT64_MAX = '9223372036854775807'
const INT64_MIN = '-9223372036854775808'

/** Numbers every int64 parameter must refuse. */
const BAD_INT64 = [
  '9223372036854775808',
  '-9223372036854775809',
  '99999999999999999999',
  '123456789012345678901',
  '1e3',
  '1.0',
  '0x10',
  '1_000',
  ' 1',
  '1 ',
  '-',
  '+',
  '١٢٣',
  '１２３',
  'NaN',
]

describe('parseRegister', () => {
  it('reads what the Go SDK sends', () => {
    expect(
      parsed(
        parseRegister(
          aRegisterForm({ metadata: '{"weight":"10"}', addrs: ['grpc://a:1', 'http://a:2'] })
        )
      )
    ).toEqual({
      appid: 'demo.a',
      env: 'dev',
      zone: 'sh001',
      hostname: 'h1',
      region: 'sh',
      version: 'v1',
      status: 1,
      addrs: ['grpc://a:1', 'http://a:2'],
      metadata: { weight: '10' },
      dirtyTimestamp: 0n,
    })
  })

  it.each(['zone', 'env', 'appid', 'hostname', 'addrs', 'status'])('requires %s', (field) => {
    expectFieldError(parseRegister(aRegisterForm({ [field]: undefined })), field)
  })

  it.each(['zone', 'env', 'appid', 'hostname', 'addrs'])('refuses an empty %s', (field) => {
    expectFieldError(parseRegister(aRegisterForm({ [field]: '' })), field)
  })

  it('treats region and version as optional', () => {
    expect(
      parsed(parseRegister(aRegisterForm({ region: undefined, version: undefined })))
    ).toMatchObject({
      region: '',
      version: '',
    })
  })

  it('takes the first value of a repeated single-valued parameter', () => {
    expect(
      parsed(parseRegister(aRegisterForm({ appid: ['first', 'second'], status: ['2', '1'] })))
    ).toMatchObject({
      appid: 'first',
      status: 2,
    })
  })

  it('ignores unknown and upstream-only parameters', () => {
    const form = aRegisterForm({
      replication: 'true',
      from_zone: 'true',
      color: 'red',
      reg_timestamp: 'x',
      sign: 'y',
    })
    expect(parsed(parseRegister(form))).not.toHaveProperty('color')
  })

  describe('status', () => {
    it.each([
      ['1', 1],
      ['2', 2],
    ])('accepts %s', (value, status) => {
      expect(parsed(parseRegister(aRegisterForm({ status: value }))).status).toBe(status)
    })

    it.each(['0', '3', '4', '4294967295', '4294967296', '-1', '1.0', 'abc', ' 1', '１'])(
      'refuses %j',
      (value) => {
        expectFieldError(parseRegister(aRegisterForm({ status: value })), 'status')
      }
    )
  })

  describe('addrs', () => {
    it('keeps addresses in order', () => {
      expect(parsed(parseRegister(aRegisterForm({ addrs: ['b', 'a', 'c'] }))).addrs).toEqual([
        'b',
        'a',
        'c',
      ])
    })

    it('splits each value on commas and drops empty parts (peers and the Python client join)', () => {
      const form = aRegisterForm({ addrs: ['grpc://a:1,http://a:2', ',,', 'x,'] })
      expect(parsed(parseRegister(form)).addrs).toEqual(['grpc://a:1', 'http://a:2', 'x'])
    })

    it('refuses a list of only empty parts', () => {
      expectFieldError(parseRegister(aRegisterForm({ addrs: [',', ''] })), 'addrs')
    })

    it(`accepts ${LIMITS.addrs} addresses of ${LIMITS.addrChars} characters`, () => {
      const addrs = Array.from({ length: LIMITS.addrs }, (_, i) =>
        `${i}`.padEnd(LIMITS.addrChars, 'a')
      )
      expect(parsed(parseRegister(aRegisterForm({ addrs }))).addrs).toHaveLength(LIMITS.addrs)
    })

    it(`refuses more than ${LIMITS.addrs} addresses, counted after comma splitting`, () => {
      const addrs = Array.from({ length: LIMITS.addrs + 1 }, (_, i) => `a${i}`).join(',')
      expectFieldError(parseRegister(aRegisterForm({ addrs })), 'addrs')
    })

    it(`refuses an address longer than ${LIMITS.addrChars} characters`, () => {
      expectFieldError(
        parseRegister(aRegisterForm({ addrs: ['ok', 'a'.repeat(LIMITS.addrChars + 1)] })),
        'addrs'
      )
    })

    it('refuses an address with a control character', () => {
      expectFieldError(parseRegister(aRegisterForm({ addrs: 'grpc://a:1\n' })), 'addrs')
    })
  })

  describe('metadata', () => {
    it('is null when absent', () => {
      expect(parsed(parseRegister(aRegisterForm())).metadata).toBeNull()
    })

    it('is {} when registered as {}', () => {
      expect(parsed(parseRegister(aRegisterForm({ metadata: '{}' }))).metadata).toEqual({})
    })

    it.each(['null', '[1]', '"x"', '5', 'true'])(
      'is null for valid JSON that is not an object: %s',
      (metadata) => {
        expect(parsed(parseRegister(aRegisterForm({ metadata }))).metadata).toBeNull()
      }
    )

    it('stores every non-string value as ""', () => {
      const metadata = '{"a":"1","weight":10,"b":null,"c":true,"d":{"e":"f"},"g":["h"]}'
      expect(parsed(parseRegister(aRegisterForm({ metadata }))).metadata).toEqual({
        a: '1',
        weight: '',
        b: '',
        c: '',
        d: '',
        g: '',
      })
    })

    it.each(['not-json', '{', "{'a':'b'}", '{"a":1,}', '{"a":"b"} x'])(
      'refuses invalid JSON %j',
      (metadata) => {
        expectFieldError(parseRegister(aRegisterForm({ metadata })), 'metadata')
      }
    )

    it(`accepts ${LIMITS.metadataBytes} bytes and refuses one more`, () => {
      const fits = `{"a":"${'x'.repeat(LIMITS.metadataBytes - 8)}"}`
      expect(fits).toHaveLength(LIMITS.metadataBytes)
      expect(parseRegister(aRegisterForm({ metadata: fits })).ok).toBe(true)
      const over = `{"a":"${'x'.repeat(LIMITS.metadataBytes - 7)}"}`
      expectFieldError(parseRegister(aRegisterForm({ metadata: over })), 'metadata')
    })

    it(`refuses metadata over ${LIMITS.metadataBytes} bytes of UTF-8`, () => {
      const metadata = `{"a":"${'é'.repeat(LIMITS.metadataBytes - 8)}"}` // 8192 characters, 16376 bytes
      expectFieldError(parseRegister(aRegisterForm({ metadata })), 'metadata')
    })
  })

  describe('dirty_timestamp', () => {
    it('is 0 when absent', () => {
      expect(parsed(parseRegister(aRegisterForm())).dirtyTimestamp).toBe(0n)
    })

    it.each([
      ['1700000000100000001', 1700000000100000001n],
      ['1525948301833084700', 1525948301833084700n],
      [INT64_MAX, 9223372036854775807n],
      [INT64_MIN, -9223372036854775808n],
      ['+5', 5n],
      ['-5', -5n],
      ['007', 7n],
    ])('reads %s exactly', (value, expected) => {
      expect(parsed(parseRegister(aRegisterForm({ dirty_timestamp: value }))).dirtyTimestamp).toBe(
        expected
      )
    })

    it.each(BAD_INT64)('refuses %j', (value) => {
      expectFieldError(parseRegister(aRegisterForm({ dirty_timestamp: value })), 'dirty_timestamp')
    })
  })

  describe('latest_timestamp', () => {
    // the reference binds it as int64 (and then ignores it): a bad value fails the binding
    it.each(['0', '1700000000100000001', INT64_MAX, INT64_MIN, ''])('accepts %j', (value) => {
      expect(parseRegister(aRegisterForm({ latest_timestamp: value })).ok).toBe(true)
    })

    it.each(BAD_INT64)('refuses %j', (value) => {
      expectFieldError(
        parseRegister(aRegisterForm({ latest_timestamp: value })),
        'latest_timestamp'
      )
    })

    it('refuses 1e18 with a message naming it', () => {
      expect(
        expectFieldError(
          parseRegister(aRegisterForm({ latest_timestamp: '1e18' })),
          'latest_timestamp'
        )
      ).toBe('latest_timestamp: not an int64: "1e18"')
    })
  })

  describe('limits', () => {
    it.each(['appid', 'env', 'zone', 'region'])(
      `accepts a ${LIMITS.idBytes}-byte %s and refuses one more`,
      (field) => {
        expect(parseRegister(aRegisterForm({ [field]: 'a'.repeat(LIMITS.idBytes) })).ok).toBe(true)
        expectFieldError(
          parseRegister(aRegisterForm({ [field]: 'a'.repeat(LIMITS.idBytes + 1) })),
          field
        )
      }
    )

    it.each(['appid', 'env', 'zone', 'region'])(
      'counts %s in UTF-8 bytes, as the runtime counts socket tags and names',
      (field) => {
        expect(parseRegister(aRegisterForm({ [field]: '中'.repeat(42) })).ok).toBe(true) // 126 bytes
        const refused = parseRegister(aRegisterForm({ [field]: '中'.repeat(43) })) // 129 bytes
        expectFieldError(refused, field)
        expect(refused.ok || refused.error.message).toBe(`${field}: longer than 128 bytes`)
        if (field !== 'region')
          expectFieldError(parsePoll(aPollForm({ [field]: 'é'.repeat(65) }), true), field)
      }
    )

    it(`accepts a ${LIMITS.hostnameChars}-character hostname and refuses one more`, () => {
      expect(parseRegister(aRegisterForm({ hostname: 'h'.repeat(LIMITS.hostnameChars) })).ok).toBe(
        true
      )
      expectFieldError(
        parseRegister(aRegisterForm({ hostname: 'h'.repeat(LIMITS.hostnameChars + 1) })),
        'hostname'
      )
    })

    it(`accepts a ${LIMITS.versionChars}-character version and refuses one more`, () => {
      expect(parseRegister(aRegisterForm({ version: 'v'.repeat(LIMITS.versionChars) })).ok).toBe(
        true
      )
      expectFieldError(
        parseRegister(aRegisterForm({ version: 'v'.repeat(LIMITS.versionChars + 1) })),
        'version'
      )
    })

    it.each(['appid', 'env', 'zone', 'hostname', 'region', 'version'])(
      'refuses a control character in %s',
      (field) => {
        for (const c of ['\u0000', '\t', '\n', '\u001f', '\u007f']) {
          expectFieldError(parseRegister(aRegisterForm({ [field]: `a${c}b` })), field)
        }
      }
    )

    it('accepts non-ASCII identifiers', () => {
      expect(
        parsed(parseRegister(aRegisterForm({ hostname: 'hôte-😀', appid: 'démo' })))
      ).toMatchObject({
        hostname: 'hôte-😀',
        appid: 'démo',
      })
    })
  })
})

describe('parseRenew', () => {
  it('reads a client renew', () => {
    // the renew builders describe the same renew: demo.a/dev/sh001/h1, not replicated, dirty 0
    expect(parsed(parseRenew(aRenewForm()))).toEqual(aRenewInput())
  })

  it.each(['zone', 'env', 'appid', 'hostname'])('requires %s', (field) => {
    expectFieldError(parseRenew(aRenewForm({ [field]: undefined })), field)
  })

  it.each(['1', 't', 'T', 'true', 'TRUE', 'True'])('reads replication=%s as true', (value) => {
    expect(parsed(parseRenew(aRenewForm({ replication: value }))).replication).toBe(true)
  })

  it.each(['0', 'f', 'false', 'FALSE', 'yes', 'on', 'tRUE', '2', ' true'])(
    'reads replication=%j as false',
    (value) => {
      expect(parsed(parseRenew(aRenewForm({ replication: value }))).replication).toBe(false)
    }
  )

  it('reads the dirty timestamp of a peer renew exactly', () => {
    const form = aRenewForm({ replication: 'true', dirty_timestamp: '1700000000100000001' })
    expect(parsed(parseRenew(form)).dirtyTimestamp).toBe(1700000000100000001n)
  })

  it.each(BAD_INT64)('refuses dirty_timestamp=%j', (value) => {
    expectFieldError(parseRenew(aRenewForm({ dirty_timestamp: value })), 'dirty_timestamp')
  })
})

describe('parseCancel', () => {
  it('reads a cancel with its latest_timestamp', () => {
    expect(parsed(parseCancel(aCancelForm({ latest_timestamp: '1700000000100000001' })))).toEqual({
      appid: 'demo.a',
      env: 'dev',
      zone: 'sh001',
      hostname: 'h1',
      latestTimestamp: 1700000000100000001n,
    })
  })

  it('takes a missing latest_timestamp as 0', () => {
    expect(parsed(parseCancel(aCancelForm())).latestTimestamp).toBe(0n)
  })

  it.each(['zone', 'env', 'appid', 'hostname'])('requires %s', (field) => {
    expectFieldError(parseCancel(aCancelForm({ [field]: undefined })), field)
  })

  it.each(BAD_INT64)('refuses latest_timestamp=%j', (value) => {
    expectFieldError(parseCancel(aCancelForm({ latest_timestamp: value })), 'latest_timestamp')
  })
})

describe('parseSet', () => {
  it('reads repeated hostnames with one status and one metadata each', () => {
    const form = aSetForm({
      hostname: ['h1', 'h2'],
      status: ['2', '1'],
      metadata: ['{"weight":"5"}', '{"weight":"20"}'],
      set_timestamp: '1700000000000000000',
    })
    expect(parsed(parseSet(form))).toEqual({
      appid: 'demo.a',
      env: 'dev',
      zone: 'sh001',
      hostnames: ['h1', 'h2'],
      statuses: [2, 1],
      metadata: [{ weight: '5' }, { weight: '20' }],
      setTimestamp: 1700000000000000000n,
    })
  })

  it('accepts no status and no metadata', () => {
    expect(parsed(parseSet(aSetForm()))).toMatchObject({
      statuses: [],
      metadata: [],
      setTimestamp: 0n,
    })
  })

  it.each(['zone', 'env', 'appid', 'hostname'])('requires %s', (field) => {
    expectFieldError(parseSet(aSetForm({ [field]: undefined })), field)
  })

  it('does not split hostnames on commas', () => {
    expect(parsed(parseSet(aSetForm({ hostname: 'h1,h2' }))).hostnames).toEqual(['h1,h2'])
  })

  it('refuses a status count that is neither 0 nor the hostname count', () => {
    expectFieldError(parseSet(aSetForm({ hostname: ['h1', 'h2'], status: '1' })), 'status')
    expectFieldError(parseSet(aSetForm({ hostname: 'h1', status: ['1', '2'] })), 'status')
  })

  it('refuses a metadata count that is neither 0 nor the hostname count', () => {
    expectFieldError(parseSet(aSetForm({ hostname: ['h1', 'h2'], metadata: '{}' })), 'metadata')
  })

  it.each(['0', '3', 'x', '-1', '4294967296'])('refuses status %j', (status) => {
    expectFieldError(parseSet(aSetForm({ status })), 'status')
  })

  it.each([
    'not-json',
    '[1]',
    '"x"',
    'null',
    '5',
    '{"weight":10}',
    '{"a":null}',
    '{"a":{"b":"c"}}',
  ])('refuses metadata %j (a JSON object of strings only)', (metadata) => {
    expectFieldError(parseSet(aSetForm({ metadata })), 'metadata')
  })

  it(`refuses a metadata patch over ${LIMITS.metadataBytes} bytes`, () => {
    expectFieldError(
      parseSet(aSetForm({ metadata: `{"a":"${'x'.repeat(LIMITS.metadataBytes)}"}` })),
      'metadata'
    )
  })

  it(`accepts ${LIMITS.hostnamesPerSet} hostnames and refuses one more`, () => {
    const hostnames = (n: number) => Array.from({ length: n }, (_, i) => `h${i}`)
    expect(
      parsed(parseSet(aSetForm({ hostname: hostnames(LIMITS.hostnamesPerSet) }))).hostnames
    ).toHaveLength(LIMITS.hostnamesPerSet)
    expectFieldError(
      parseSet(aSetForm({ hostname: hostnames(LIMITS.hostnamesPerSet + 1) })),
      'hostname'
    )
  })

  it('refuses an overlong hostname or one with a control character', () => {
    expectFieldError(
      parseSet(aSetForm({ hostname: ['h1', 'h'.repeat(LIMITS.hostnameChars + 1)] })),
      'hostname'
    )
    expectFieldError(parseSet(aSetForm({ hostname: ['h1', 'h\u0000'] })), 'hostname')
  })

  it('ignores color and version', () => {
    expect(parsed(parseSet(aSetForm({ color: 'red', version: 'v9' })))).not.toHaveProperty('color')
  })

  it.each(BAD_INT64)('refuses set_timestamp=%j', (value) => {
    expectFieldError(parseSet(aSetForm({ set_timestamp: value })), 'set_timestamp')
  })
})

describe('parseFetch', () => {
  it('reads appid, env, zone and the status mask', () => {
    expect(parsed(parseFetch(aFetchForm({ zone: 'sh002', status: '3' })))).toEqual({
      appid: 'demo.a',
      env: 'dev',
      zone: 'sh002',
      statusMask: 3,
    })
  })

  it('takes a missing zone as every zone', () => {
    expect(parsed(parseFetch(aFetchForm())).zone).toBe('')
  })

  it.each(['appid', 'env', 'status'])('requires %s', (field) => {
    expectFieldError(parseFetch(aFetchForm({ [field]: undefined })), field)
  })

  it.each([
    ['4', 4],
    ['4294967295', 4294967295],
  ])('accepts any non-zero 32-bit mask such as %s', (status, mask) => {
    expect(parsed(parseFetch(aFetchForm({ status }))).statusMask).toBe(mask)
  })

  it.each(['0', '4294967296', '-1', '1e0', 'x', '١'])('refuses status %j', (status) => {
    expectFieldError(parseFetch(aFetchForm({ status })), 'status')
  })

  it('does not split the appid of fetch on commas', () => {
    expect(parsed(parseFetch(aFetchForm({ appid: 'a,b' }))).appid).toBe('a,b')
  })
})

describe('parseFetchs', () => {
  it('reads repeated and comma-joined appids, without duplicates', () => {
    const form = aFetchForm({ appid: ['demo.a', 'demo.b,demo.c', 'demo.a', ','] })
    expect(parsed(parseFetchs(form))).toEqual({
      appids: ['demo.a', 'demo.b', 'demo.c'],
      env: 'dev',
      zone: '',
      statusMask: 1,
    })
  })

  it.each(['appid', 'env', 'status'])('requires %s', (field) => {
    expectFieldError(parseFetchs(aFetchForm({ [field]: undefined })), field)
  })

  it('refuses an appid list of only commas', () => {
    expectFieldError(parseFetchs(aFetchForm({ appid: ',,' })), 'appid')
  })

  it(`accepts ${LIMITS.appidsPerRequest} appids and refuses one more`, () => {
    const appids = (n: number) => Array.from({ length: n }, (_, i) => `app${i}`).join(',')
    expect(
      parsed(parseFetchs(aFetchForm({ appid: appids(LIMITS.appidsPerRequest) }))).appids
    ).toHaveLength(LIMITS.appidsPerRequest)
    expectFieldError(
      parseFetchs(aFetchForm({ appid: appids(LIMITS.appidsPerRequest + 1) })),
      'appid'
    )
  })

  it('refuses an overlong appid', () => {
    expectFieldError(
      parseFetchs(aFetchForm({ appid: ['ok', 'a'.repeat(LIMITS.idBytes + 1)] })),
      'appid'
    )
  })
})

describe('parsePoll', () => {
  const cursors = (form: Form, strict: boolean) =>
    Object.fromEntries(parsed(parsePoll(form, strict)).cursors)

  it('reads a polls request: appids paired with cursors by position', () => {
    const form = aPollForm({
      appid: ['demo.a', 'demo.b'],
      latest_timestamp: ['0', '1700000000100000001'],
      zone: 'sh001',
    })
    const input = parsed(parsePoll(form, true))
    expect(input).toMatchObject({ env: 'dev', zone: 'sh001', hostname: 'c1' })
    expect(Object.fromEntries(input.cursors)).toEqual({
      'demo.a': 0n,
      'demo.b': 1700000000100000001n,
    })
  })

  it('splits comma-joined appids and cursors (Python client)', () => {
    const form = aPollForm({ appid: 'demo.a,demo.b', latest_timestamp: '5,1700000000100000001' })
    expect(cursors(form, true)).toEqual({ 'demo.a': 5n, 'demo.b': 1700000000100000001n })
  })

  it('keeps the first cursor of a repeated appid', () => {
    const form = aPollForm({ appid: ['demo.a', 'demo.a'], latest_timestamp: ['7', '9'] })
    expect(cursors(form, true)).toEqual({ 'demo.a': 7n })
  })

  it.each(['appid', 'env', 'hostname'])('requires %s', (field) => {
    expectFieldError(parsePoll(aPollForm({ [field]: undefined }), true), field)
    expectFieldError(parsePoll(aPollForm({ [field]: undefined }), false), field)
  })

  it('polls: refuses a cursor count that differs from the appid count', () => {
    const two = aPollForm({ appid: ['demo.a', 'demo.b'], latest_timestamp: '0' })
    expectFieldError(parsePoll(two, true), 'latest_timestamp')
    expectFieldError(
      parsePoll(aPollForm({ latest_timestamp: undefined }), true),
      'latest_timestamp'
    )
  })

  it('poll: takes every cursor as 0 when the counts differ', () => {
    const form = aPollForm({ appid: ['demo.a', 'demo.b'], latest_timestamp: '1700000000100000001' })
    expect(cursors(form, false)).toEqual({ 'demo.a': 0n, 'demo.b': 0n })
    expect(cursors(aPollForm({ latest_timestamp: undefined }), false)).toEqual({ 'demo.a': 0n })
  })

  it.each(BAD_INT64.filter((v) => !v.includes(',')))('refuses latest_timestamp=%j', (value) => {
    expectFieldError(parsePoll(aPollForm({ latest_timestamp: value }), true), 'latest_timestamp')
    expectFieldError(parsePoll(aPollForm({ latest_timestamp: value }), false), 'latest_timestamp')
  })

  it(`refuses more than ${LIMITS.appidsPerRequest} appids`, () => {
    const n = LIMITS.appidsPerRequest + 1
    const form = aPollForm({
      appid: Array.from({ length: n }, (_, i) => `app${i}`),
      latest_timestamp: Array.from({ length: n }, () => '0'),
    })
    expectFieldError(parsePoll(form, true), 'appid')
  })

  it('refuses an overlong hostname or env', () => {
    expectFieldError(
      parsePoll(aPollForm({ hostname: 'h'.repeat(LIMITS.hostnameChars + 1) }), true),
      'hostname'
    )
    expectFieldError(parsePoll(aPollForm({ env: 'e'.repeat(LIMITS.idBytes + 1) }), true), 'env')
  })
})
