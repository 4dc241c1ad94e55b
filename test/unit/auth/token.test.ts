import { describe, expect, it } from 'vitest'
import {
  matches,
  mintToken,
  parseTokenKeys,
  type TokenClaims,
  verifyToken,
} from '../../../src/auth/token.ts'
import { K1, K2 } from '../../support/token-keys.ts'

const NOW = 1_800_000_000_000
/** Secrets of 32 bytes (the least accepted) and of 31. */
const A32 = 'a'.repeat(32)
const B31 = 'b'.repeat(31)
const claims = (over: Partial<TokenClaims> = {}): TokenClaims => ({
  tid: 't1',
  scopes: ['read'],
  apps: ['demo.*'],
  envs: ['dev'],
  exp: NOW / 1000 + 60,
  ...over,
})

describe('verifyToken', () => {
  it('accepts a token signed by a live key and returns its claims', async () => {
    const token = await mintToken(claims(), K1)
    expect(await verifyToken(token, [K1], NOW)).toEqual({ ok: true, claims: claims() })
  })

  it('accepts tokens of both keys during a rotation, and only the new one after it', async () => {
    const old = await mintToken(claims(), K1)
    const fresh = await mintToken(claims(), K2)
    expect((await verifyToken(old, [K1, K2], NOW)).ok).toBe(true)
    expect((await verifyToken(fresh, [K1, K2], NOW)).ok).toBe(true)
    expect(await verifyToken(old, [K2], NOW)).toEqual({ ok: false, problem: 'unknown key' })
  })

  it('refuses a token whose kid names a key with another secret', async () => {
    const forged = await mintToken(claims(), {
      kid: 'k1',
      secret: 'not-the-real-secret-0123456789-abcdef',
    })
    expect(await verifyToken(forged, [K1], NOW)).toEqual({ ok: false, problem: 'bad signature' })
  })

  it('refuses a token whose claims were changed after signing', async () => {
    const [prefix, kid, , sig] = (await mintToken(claims(), K1)).split('.')
    const widened = btoa(JSON.stringify(claims({ apps: ['*'] }))).replace(/=+$/, '')
    expect(await verifyToken(`${prefix}.${kid}.${widened}.${sig}`, [K1], NOW)).toEqual({
      ok: false,
      problem: 'bad signature',
    })
  })

  it('refuses an expired token and a revoked one', async () => {
    const token = await mintToken(claims(), K1)
    expect(await verifyToken(token, [K1], NOW + 60_000)).toEqual({ ok: false, problem: 'expired' })
    expect(await verifyToken(token, [K1], NOW, new Set(['t1']))).toEqual({
      ok: false,
      problem: 'revoked',
    })
  })

  it('takes a signature in its one spelling: padding bits set in its last character are refused', async () => {
    // 32 bytes take 43 characters, the last one carrying 4 bits and 2 unused ones: flipping an
    // unused bit spells the same bytes, which a lenient decoder would accept as the signature
    const token = await mintToken(claims(), K1)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(token.slice(-1))
    const respelled = token.slice(0, -1) + alphabet[last ^ 1]
    expect(await verifyToken(respelled, [K1], NOW)).toEqual({ ok: false, problem: 'malformed' })
  })

  it('calls garbage malformed', async () => {
    for (const junk of [
      '',
      'abc',
      'dsc1.k1',
      'dsc1.k1.%%%.x',
      'dsc2.k1.e30.AAAA',
      'x'.repeat(5000),
    ]) {
      expect(await verifyToken(junk, [K1], NOW)).toEqual({ ok: false, problem: 'malformed' })
    }
  })
})

describe('mintToken', () => {
  it('refuses a secret under 32 bytes with the same words as TOKEN_KEYS', async () => {
    await expect(mintToken(claims(), { kid: 'k7', secret: B31 })).rejects.toThrow(
      'token key: the secret of key k7 is shorter than 32 bytes (generate one with: openssl rand -base64 32)'
    )
  })

  it('refuses claims that could not be verified later', async () => {
    await expect(mintToken(claims({ scopes: [] }), K1)).rejects.toThrow(/scopes/)
    await expect(mintToken(claims({ apps: ['a b'] }), K1)).rejects.toThrow(/apps/)
    await expect(mintToken(claims({ envs: ['dev.*'] }), K1)).rejects.toThrow(/envs/)
  })
})

describe('matches', () => {
  it('matches exact names, prefix patterns and the wildcard', () => {
    expect(matches('demo.a', 'demo.a')).toBe(true)
    expect(matches('demo.a', 'demo.ab')).toBe(false)
    expect(matches('payments.*', 'payments.api')).toBe(true)
    expect(matches('payments.*', 'payments.api.v2')).toBe(true)
    expect(matches('payments.*', 'payments')).toBe(false)
    expect(matches('payments.*', 'paymentsx.api')).toBe(false)
    expect(matches('*', 'anything')).toBe(true)
  })
})

describe('parseTokenKeys', () => {
  it('reads kid:secret pairs, secrets may contain colons', () => {
    expect(parseTokenKeys(`k1:${A32}, k2:b:${B31}`)).toEqual([
      { kid: 'k1', secret: A32 },
      { kid: 'k2', secret: `b:${B31}` },
    ])
  })

  it('refuses a secret under 32 bytes, naming its key id and never the secret', () => {
    const refusal = () => parseTokenKeys(`k1:${A32},k2:${B31}`)
    expect(refusal).toThrow(
      'TOKEN_KEYS: the secret of key k2 is shorter than 32 bytes (generate one with: openssl rand -base64 32)'
    )
    expect(refusal).not.toThrow(B31)
    expect(() => parseTokenKeys('k1:first-secret-for-tests-0001')).toThrow(/key k1 .*32 bytes/)
  })

  it('counts the secret in UTF-8 bytes, as HMAC keys it', () => {
    expect(parseTokenKeys(`k1:${'é'.repeat(16)}`)).toHaveLength(1) // 16 characters, 32 bytes
    expect(() => parseTokenKeys(`k1:${'é'.repeat(15)}a`)).toThrow(/key k1/) // 31 bytes
  })

  it('refuses bad kids and duplicate kids without echoing secrets', () => {
    expect(() => parseTokenKeys(`bad kid:${A32}`)).toThrow(/kid:secret/)
    expect(() => parseTokenKeys(`k1:${A32},k1:${'c'.repeat(32)}`)).toThrow(/twice/)
  })
})
