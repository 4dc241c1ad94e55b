/**
 * Access tokens: stateless, HMAC-SHA256-signed, `dsc1.<kid>.<claims>.<signature>` with
 * base64url parts. The key id names which secret signed it, so two keys can be live at once
 * (rotation). Verification uses crypto.subtle.verify, which compares in constant time.
 * Runs unchanged in Workers and on Node ≥ 20 (Web Crypto only).
 */

export const SCOPES = ['read', 'write', 'admin', 'metrics'] as const
export type Scope = (typeof SCOPES)[number]

/** What a token allows, and until when. */
export interface TokenClaims {
  /** Token id: recorded with every write it makes, and the handle to revoke it. */
  tid: string
  scopes: Scope[]
  /** appids: exact names, prefix patterns such as `payments.*`, or `*`. */
  apps: string[]
  /** envs: exact names or `*`. */
  envs: string[]
  /** Expiry, seconds since the epoch. */
  exp: number
}

/** A signing secret and the id that tokens carry to name it. */
export interface TokenKey {
  kid: string
  secret: string
}

/**
 * Shortest signing secret, in UTF-8 bytes: an HMAC-SHA256 key shorter than the hash's 32-byte
 * output weakens it, and a short text secret is one that can be guessed offline from one token.
 */
export const MIN_SECRET_BYTES = 32

const PREFIX = 'dsc1'
const KID = /^[A-Za-z0-9_-]{1,32}$/
const TID = /^[A-Za-z0-9_-]{1,64}$/
const PATTERN = /^(\*|[^*\s,]{1,128}(\.\*)?)$/
/** Tokens longer than this are refused before any decoding. */
const MAX_TOKEN_CHARS = 4096

const encoder = new TextEncoder()

/** Why a token was refused. */
type TokenProblem = 'malformed' | 'unknown key' | 'bad signature' | 'expired' | 'revoked'

/**
 * Why `secret` may not sign as key `kid`, if it may not: the one check that both TOKEN_KEYS
 * (the server) and minting (`npm run token`) make. Never echoes the secret.
 */
export function secretProblem(kid: string, secret: string): string | undefined {
  if (encoder.encode(secret).byteLength >= MIN_SECRET_BYTES) return undefined
  return `the secret of key ${kid} is shorter than ${MIN_SECRET_BYTES} bytes (generate one with: openssl rand -base64 32)`
}

/** Sign claims with `key`. */
export async function mintToken(claims: TokenClaims, key: TokenKey): Promise<string> {
  const problem = claimsProblem(claims)
  if (problem) throw new TypeError(`token claims: ${problem}`)
  if (!KID.test(key.kid)) throw new TypeError('token key: kid must be 1-32 of [A-Za-z0-9_-]')
  const weak = secretProblem(key.kid, key.secret)
  if (weak) throw new TypeError(`token key: ${weak}`)
  const body = `${PREFIX}.${key.kid}.${base64url(encoder.encode(JSON.stringify(claims)))}`
  const signature = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(key.secret),
    encoder.encode(body)
  )
  return `${body}.${base64url(new Uint8Array(signature))}`
}

/**
 * Check a token against the live keys at `nowMs`: its key exists, its signature holds (in
 * constant time), its claims are well formed, it has not expired and is not revoked.
 */
export async function verifyToken(
  token: string,
  keys: readonly TokenKey[],
  nowMs: number,
  revoked: ReadonlySet<string> = new Set()
): Promise<{ ok: true; claims: TokenClaims } | { ok: false; problem: TokenProblem }> {
  const parts = token.length <= MAX_TOKEN_CHARS ? token.split('.') : []
  const [prefix, kid, payload, signature] = parts
  if (parts.length !== 4 || prefix !== PREFIX || !kid || !payload || !signature)
    return { ok: false, problem: 'malformed' }
  const key = keys.find((k) => k.kid === kid)
  if (!key) return { ok: false, problem: 'unknown key' }
  // The signature is checked before anything of the claims is decoded.
  const sig = fromBase64url(signature)
  if (!sig) return { ok: false, problem: 'malformed' }
  const body = encoder.encode(`${prefix}.${kid}.${payload}`)
  if (!(await crypto.subtle.verify('HMAC', await hmacKey(key.secret), sig, body))) {
    return { ok: false, problem: 'bad signature' }
  }
  const bytes = fromBase64url(payload)
  const claims = bytes && parseClaims(bytes)
  if (!claims) return { ok: false, problem: 'malformed' }
  if (claims.exp * 1000 <= nowMs) return { ok: false, problem: 'expired' }
  if (revoked.has(claims.tid)) return { ok: false, problem: 'revoked' }
  return { ok: true, claims }
}

/** Whether `pattern` (exact, `prefix.*` or `*`) covers `name`. */
export function matches(pattern: string, name: string): boolean {
  if (pattern === '*') return true
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1))
  return pattern === name
}

/** Parse `kid:secret,kid:secret` (TOKEN_KEYS); throws a message naming the problem. */
export function parseTokenKeys(value: string): TokenKey[] {
  const keys = value
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const colon = pair.indexOf(':')
      const kid = pair.slice(0, colon)
      const secret = pair.slice(colon + 1)
      if (colon < 0 || !KID.test(kid))
        throw new TypeError(
          'TOKEN_KEYS must be kid:secret pairs separated by commas (kid: 1-32 of A-Z a-z 0-9 _ -)'
        )
      const weak = secretProblem(kid, secret)
      if (weak) throw new TypeError(`TOKEN_KEYS: ${weak}`)
      return { kid, secret }
    })
  if (new Set(keys.map((k) => k.kid)).size !== keys.length)
    throw new TypeError('TOKEN_KEYS: a key id appears twice')
  return keys
}

function claimsProblem(c: TokenClaims): string | undefined {
  if (!TID.test(c.tid)) return 'tid must be 1-64 of [A-Za-z0-9_-]'
  if (c.scopes.length === 0 || !c.scopes.every((s) => SCOPES.includes(s)))
    return `scopes must be some of ${SCOPES.join(', ')}`
  if (c.apps.length === 0 || !c.apps.every((a) => PATTERN.test(a)))
    return 'apps must be appids, prefix patterns like payments.*, or *'
  if (c.envs.length === 0 || !c.envs.every((e) => PATTERN.test(e) && !e.endsWith('.*')))
    return 'envs must be env names or *'
  if (!Number.isSafeInteger(c.exp) || c.exp <= 0)
    return 'exp must be a time in seconds since the epoch'
  return undefined
}

/** Strict UTF-8 (a bad byte throws); one instance serves every call, as nothing is streamed. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** Standard base64 → UTF-8 text (HTTP Basic credentials); undefined when either step fails. */
export function base64Text(value: string): string | undefined {
  try {
    return strictUtf8.decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}

function parseClaims(bytes: Uint8Array): TokenClaims | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(strictUtf8.decode(bytes))
  } catch {
    return undefined
  }
  if (typeof raw !== 'object' || raw === null) return undefined
  const r = raw as Record<string, unknown>
  const strings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === 'string')
  if (
    typeof r.tid !== 'string' ||
    !strings(r.scopes) ||
    !strings(r.apps) ||
    !strings(r.envs) ||
    typeof r.exp !== 'number'
  ) {
    return undefined
  }
  const claims: TokenClaims = {
    tid: r.tid,
    scopes: r.scopes as Scope[],
    apps: r.apps,
    envs: r.envs,
    exp: r.exp,
  }
  return claimsProblem(claims) ? undefined : claims
}

const keyCache = new Map<string, Promise<CryptoKey>>()

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret)
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify']
    )
    keyCache.set(secret, key)
  }
  return key
}

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/**
 * The bytes of `text`, only in its one canonical spelling: atob ignores the unused low bits of
 * the last character, so without the round trip four spellings would pass for one signature.
 */
function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return base64url(bytes) === text ? bytes : undefined
  } catch {
    return undefined
  }
}
