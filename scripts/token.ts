/**
 * Mint an access token: `npm run -s token -- --kid K --secret S --scopes read,write
 * --apps 'demo.*' --envs dev --ttl 3600` (`-s`: without it npm prints its banner, which echoes
 * the command line, secret included). Prints the token alone on standard output; errors go
 * to standard error with exit code 2. The secret may also come from TOKEN_KEYS (kid:secret,…).
 * A secret under 32 bytes is refused, by the same check as the server's (auth/token.ts).
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { mintToken, parseTokenKeys, SCOPES, type Scope } from '../src/auth/token.ts'

const USAGE = `usage: npm run -s token -- --kid KID --secret SECRET --scopes read,write,admin,metrics
         --apps 'demo.*,payments.api' --envs dev,prod --ttl SECONDS [--tid ID]
  --secret: at least 32 bytes (openssl rand -base64 32); it may be left out when
  TOKEN_KEYS (kid:secret,...) holds the key of --kid.`

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n${USAGE}\n`)
  process.exit(2)
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')

/** The secret of `kid` in TOKEN_KEYS, checked as the server checks it (too short: refused). */
function secretFromEnv(kid: string): string | undefined {
  try {
    return parseTokenKeys(process.env.TOKEN_KEYS ?? '').find((k) => k.kid === kid)?.secret
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
}

async function main(): Promise<void> {
  let values: Record<string, string | undefined>
  try {
    ;({ values } = parseArgs({
      options: {
        kid: { type: 'string' },
        secret: { type: 'string' },
        scopes: { type: 'string' },
        apps: { type: 'string' },
        envs: { type: 'string' },
        ttl: { type: 'string' },
        tid: { type: 'string' },
      },
      strict: true,
    }))
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
  const kid = values.kid ?? fail('--kid is required')
  const secret = values.secret ?? secretFromEnv(kid)
  if (!secret) fail('--secret is required (or TOKEN_KEYS holding that kid)')
  const scopes = list(values.scopes)
  const unknown = scopes.find((s) => !SCOPES.includes(s as Scope))
  if (scopes.length === 0 || unknown) fail(`--scopes must be some of ${SCOPES.join(',')}`)
  const ttl = Number(values.ttl ?? fail('--ttl (seconds) is required'))
  if (!Number.isSafeInteger(ttl) || ttl <= 0) fail('--ttl must be a positive number of seconds')
  try {
    const token = await mintToken(
      {
        tid: values.tid ?? randomBytes(9).toString('base64url'),
        scopes: scopes as Scope[],
        apps: list(values.apps ?? fail('--apps is required')),
        envs: list(values.envs ?? fail('--envs is required')),
        exp: Math.floor(Date.now() / 1000) + ttl,
      },
      { kid, secret }
    )
    process.stdout.write(`${token}\n`)
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
}

await main()
