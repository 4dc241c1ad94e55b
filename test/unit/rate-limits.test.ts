import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../src/server/config.ts'
import { limitersFor } from '../../src/server/rate-limits.ts'

/** A stand-in for a rate-limiting binding: only its identity matters here. */
const limiter = (): RateLimit => ({ limit: async () => ({ success: true }) })

const LADDER = {
  RATE_LIMIT_60: limiter(),
  RATE_LIMIT_6000: limiter(),
  RATE_LIMIT_600: limiter(),
  OTHER: 'x',
}

function captured(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}

describe('limitersFor', () => {
  it('picks the limiter named after each variable', () => {
    const auth = parseConfig({ RATE_LIMIT_PER_TOKEN: '60', RATE_LIMIT_PER_ADDRESS: '6000' }).auth
    const limiters = limitersFor(auth, LADDER)
    expect(limiters.token).toBe(LADDER.RATE_LIMIT_60)
    expect(limiters.address).toBe(LADDER.RATE_LIMIT_6000)
  })

  it('gives no limiter for off', () => {
    const auth = parseConfig({ RATE_LIMIT_PER_TOKEN: 'off', RATE_LIMIT_PER_ADDRESS: 'off' }).auth
    expect(limitersFor(auth, {})).toEqual({ token: undefined, address: undefined })
  })

  it('refuses a value with no limiter, naming the variable, the ladder and the fix', () => {
    const auth = parseConfig({ RATE_LIMIT_PER_ADDRESS: '5000' }).auth
    const error = captured(() => limitersFor(auth, LADDER))
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toBe(
      'RATE_LIMIT_PER_ADDRESS=5000 has no limiter: wrangler.toml declares 60, 600, 6000 (requests per 60 s); ' +
        'pick one of those, "off", or add [[ratelimits]] name = "RATE_LIMIT_5000" with simple = { limit = 5000, period = 60 }'
    )
  })
})
