import { describe, expect, it } from 'vitest'
import { decodeForm, encodeForm } from '../../src/protocol/form.ts'

const decoded = (text: string) => Object.fromEntries(decodeForm(text))

describe('decodeForm', () => {
  it('decodes name=value pairs separated by &', () => {
    expect(decoded('appid=demo.a&env=dev')).toEqual({ appid: ['demo.a'], env: ['dev'] })
  })

  it('decodes + as a space in names and values', () => {
    expect(decoded('a+b=c+d&e=%2B')).toEqual({ 'a b': ['c d'], e: ['+'] })
  })

  it('percent-decodes names and values, including UTF-8 sequences', () => {
    expect(decoded('addrs=grpc%3A%2F%2F10.0.0.5%3A9000&h%C3%A9=%E2%82%AC&x=%26%3D')).toEqual({
      addrs: ['grpc://10.0.0.5:9000'],
      hé: ['€'],
      x: ['&='],
    })
  })

  it('drops only the pair with a bad percent-escape', () => {
    expect(decoded('x=%zz&y=1&%zz=2&z=%&w=%4')).toEqual({ y: ['1'] })
    expect(decoded('a=1&b=%G1&a=2')).toEqual({ a: ['1', '2'] })
  })

  it('accepts raw unencoded reserved characters, as brpc sends them', () => {
    const text = 'addrs=grpc://10.0.0.5:9000&metadata={"weight":"10","a":"b:c"}&x=[1]@;,/?'
    expect(decoded(text)).toEqual({
      addrs: ['grpc://10.0.0.5:9000'],
      metadata: ['{"weight":"10","a":"b:c"}'],
      x: ['[1]@;,/?'],
    })
  })

  it('keeps everything after the first = in the value', () => {
    expect(decoded('a=b=c')).toEqual({ a: ['b=c'] })
  })

  it('drops empty values, empty names and empty pairs', () => {
    expect(decoded('a=&b&=x&&c=1&a=2&')).toEqual({ c: ['1'], a: ['2'] })
    expect(decoded('')).toEqual({})
    expect(decoded('&&&')).toEqual({})
  })

  it('keeps repeated names in arrival order', () => {
    expect(decoded('addrs=a&x=1&addrs=b&addrs=c')).toEqual({ addrs: ['a', 'b', 'c'], x: ['1'] })
  })

  it('does not split values on commas', () => {
    expect(decoded('addrs=a,b')).toEqual({ addrs: ['a,b'] })
  })

  it('matches names case-sensitively', () => {
    expect(decoded('AppID=a&appid=b')).toEqual({ AppID: ['a'], appid: ['b'] })
  })

  it('appends to an existing form after its values (body first, then query)', () => {
    const body = decodeForm('appid=from-body&addrs=a')
    const form = decodeForm('appid=from-query&addrs=b&env=dev', body)
    expect(form).toBe(body)
    expect(Object.fromEntries(form)).toEqual({
      appid: ['from-body', 'from-query'],
      addrs: ['a', 'b'],
      env: ['dev'],
    })
  })
})

describe('encodeForm', () => {
  it("writes what Go's url.Values.Encode writes: keys sorted, lists repeated, QueryEscape", () => {
    expect(
      encodeForm({
        zone: 'sh001',
        addrs: ['grpc://10.0.0.1:9000', 'http://[::1]:80/a b'],
        appid: 'demo.svc',
        metadata: `{"k":"v~*!'()"}`,
        latest_timestamp: 1795631246757000001n,
        status: 1,
        version: undefined,
      })
    ).toBe(
      'addrs=grpc%3A%2F%2F10.0.0.1%3A9000&addrs=http%3A%2F%2F%5B%3A%3A1%5D%3A80%2Fa+b&appid=demo.svc' +
        '&latest_timestamp=1795631246757000001&metadata=%7B%22k%22%3A%22v~%2A%21%27%28%29%22%7D&status=1&zone=sh001'
    )
  })
})
