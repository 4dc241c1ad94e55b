import { describe, expect, it } from 'vitest'
import {
  matches,
  mintToken,
  parseTokenKeys,
  type TokenClaims,
  verifyToken,
} from '../../../src/auth/token.ts'

const K1 = { kid: 'k1', secret: 'first-secret-0123456789' }
const K2 = { kid: 'k2', secret: 'second-secret-0123456789' }
const NOW = 1_800_000_000_000
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
    const forged = await mintToken(claims(), { kid: 'k1', secret: 'not-the-real-secret-000' })
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
    expect(parseTokenKeys('k1:aaaaaaaaaaaaaaaa, k2:b:bbbbbbbbbbbbbbbb')).toEqual([
      { kid: 'k1', secret: 'aaaaaaaaaaaaaaaa' },
      { kid: 'k2', secret: 'b:bbbbbbbbbbbbbbbb' },
    ])
  })

  it('refuses short secrets, bad kids and duplicate kids without echoing secrets', () => {
    expect(() => parseTokenKeys('k1:short')).toThrow(/at least 16/)
    expect(() => parseTokenKeys('bad kid:aaaaaaaaaaaaaaaa')).toThrow(/kid:secret/)
    expect(() => parseTokenKeys('k1:aaaaaaaaaaaaaaaa,k1:bbbbbbbbbbbbbbbb')).toThrow(/twice/)
    expect(() => parseTokenKeys('k1:short')).not.toThrow(/short/)
  })
})
