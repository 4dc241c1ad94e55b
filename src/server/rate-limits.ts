/**
 * Rate limits chosen by variables. The Workers rate-limiting binding fixes its limit in
 * wrangler.toml, so wrangler.toml declares a ladder of limiters named `RATE_LIMIT_<n>` (n requests
 * per 60 s) and RATE_LIMIT_PER_TOKEN / RATE_LIMIT_PER_ADDRESS pick one by its n. A value with no
 * limiter stops the worker at start-up with a message that lists the ones declared.
 */
import { type AuthConfig, ConfigError } from './config.ts'

export interface Limiters {
  token?: RateLimit
  address?: RateLimit
}

type Bindings = Record<string, unknown>

const PREFIX = 'RATE_LIMIT_'
const limiterName = (perMinute: number) => `${PREFIX}${perMinute}`

/** The limiters the configuration asks for; throws ConfigError when one is not declared. */
export function limitersFor(config: AuthConfig, bindings: Bindings): Limiters {
  return {
    token: pick('RATE_LIMIT_PER_TOKEN', config.perTokenPerMinute, bindings),
    address: pick('RATE_LIMIT_PER_ADDRESS', config.perAddressPerMinute, bindings),
  }
}

function pick(
  variable: string,
  perMinute: number | undefined,
  bindings: Bindings
): RateLimit | undefined {
  if (perMinute === undefined) return undefined
  const limiter = bindings[limiterName(perMinute)]
  if (isRateLimit(limiter)) return limiter
  const declared = Object.keys(bindings)
    .filter((name) => name.startsWith(PREFIX) && isRateLimit(bindings[name]))
    .map((name) => name.slice(PREFIX.length))
    .sort((a, b) => Number(a) - Number(b))
  throw new ConfigError(
    `${variable}=${perMinute} has no limiter: wrangler.toml declares ${declared.length ? declared.join(', ') : 'none'} ` +
      `(requests per 60 s); pick one of those, "off", or add [[ratelimits]] name = "${limiterName(perMinute)}" with simple = { limit = ${perMinute}, period = 60 }`
  )
}

const isRateLimit = (value: unknown): value is RateLimit =>
  typeof value === 'object' && value !== null && typeof (value as RateLimit).limit === 'function'
