import { describe, expect, it } from 'vitest'
import { refusal } from '../../../src/auth/policy.ts'
import type { TokenClaims } from '../../../src/auth/token.ts'

const token = (over: Partial<TokenClaims>): TokenClaims => ({
  tid: 't1',
  scopes: ['read'],
  apps: ['payments.*'],
  envs: ['prod'],
  exp: 0,
  ...over,
})

describe('refusal', () => {
  it('allows a scope on covered apps and envs', () => {
    expect(
      refusal(token({}), { scope: 'read', env: 'prod', apps: ['payments.api', 'payments.db'] })
    ).toBeUndefined()
  })

  it('names the missing scope', () => {
    expect(refusal(token({}), { scope: 'write', env: 'prod', apps: ['payments.api'] })).toBe(
      'token t1 lacks scope write (it has read)'
    )
  })

  it('names the first appid outside the token, even when others are covered', () => {
    expect(
      refusal(token({}), { scope: 'read', env: 'prod', apps: ['payments.api', 'orders.api'] })
    ).toBe('token t1 lacks scope read on appid orders.api')
  })

  it('refuses another env', () => {
    expect(refusal(token({}), { scope: 'read', env: 'dev', apps: ['payments.api'] })).toBe(
      'token t1 lacks scope read on env dev'
    )
  })

  it('lets admin read and write, but only on its own apps', () => {
    const admin = token({ scopes: ['admin'] })
    expect(refusal(admin, { scope: 'write', env: 'prod', apps: ['payments.api'] })).toBeUndefined()
    expect(refusal(admin, { scope: 'write', env: 'prod', apps: ['orders.api'] })).toMatch(
      /orders.api/
    )
  })
})
