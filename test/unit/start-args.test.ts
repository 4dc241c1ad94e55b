/**
 * npm start's arguments (scripts/start.ts): `--var NAME:VALUE` splits at the first colon, as
 * wrangler's does, .dev.vars is read as wrangler reads it, and the entry worker is left out
 * unless per-address limits need it.
 */
import { describe, expect, it } from 'vitest'
import { readWranglerToml } from '../../scripts/shared/local-registry.ts'
import { bypassesEntryWorker, parseDevVars, parseVar } from '../../scripts/start.ts'

describe('npm start variables', () => {
  it('splits --var at the first colon, so values may hold colons', () => {
    expect(parseVar('ZONE:sh002')).toEqual(['ZONE', 'sh002'])
    expect(parseVar('TOKEN_KEYS:k1:c2VjcmV0')).toEqual(['TOKEN_KEYS', 'k1:c2VjcmV0'])
    expect(parseVar('NODES:')).toEqual(['NODES', ''])
  })

  it('refuses a --var without a name or a colon, quoting it', () => {
    expect(() => parseVar('ZONE')).toThrow('--var must be NAME:VALUE, got "ZONE"')
    expect(() => parseVar(':x')).toThrow('--var must be NAME:VALUE')
  })

  it('reads .dev.vars lines, with quoted values, comments and blank lines', () => {
    const text =
      '# local secrets\nTOKEN_KEYS="k1:abc=="\n\nAUTH = tokens\r\nZONE=\'sh003\'\nnot a line\n'
    expect(parseDevVars(text)).toEqual({ TOKEN_KEYS: 'k1:abc==', AUTH: 'tokens', ZONE: 'sh003' })
  })

  it('serves the worker directly unless auth is on and clients may come from other machines', () => {
    expect(bypassesEntryWorker('127.0.0.1', 'off')).toBe(true)
    expect(bypassesEntryWorker('0.0.0.0', 'off')).toBe(true)
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1', 'localhost'])
      expect(bypassesEntryWorker(ip, 'tokens')).toBe(true)
    // per-address limits need each client's address, which only Miniflare's entry worker gives
    expect(bypassesEntryWorker('0.0.0.0', 'tokens')).toBe(false)
    expect(bypassesEntryWorker('192.168.1.20', undefined)).toBe(false)
  })

  it("listens where wrangler dev would: wrangler.toml's [dev] address and port", () => {
    expect(readWranglerToml().dev).toEqual({ ip: '127.0.0.1', port: '7171' })
  })
})
