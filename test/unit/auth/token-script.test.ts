/**
 * `npm run token` (scripts/token.ts) as a process: it refuses a signing secret under 32 bytes
 * with the server's own words, whether the secret comes from --secret or from TOKEN_KEYS; run
 * as docs/security.md shows it (`npm run -s token`), its output is the token alone.
 */
import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { K1 } from '../../support/token-keys.ts'

const TSX = 'node_modules/.bin/tsx'
const CLAIMS = ['--scopes', 'read', '--apps', 'demo.*', '--envs', 'dev', '--ttl', '60']
const REFUSAL =
  'the secret of key k1 is shorter than 32 bytes (generate one with: openssl rand -base64 32)'

/** Run the script with `args` and TOKEN_KEYS; its exit code and output. */
function mint(args: string[], tokenKeys = '') {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env = { ...process.env, TOKEN_KEYS: tokenKeys }
    execFile(TSX, ['scripts/token.ts', ...args, ...CLAIMS], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
    })
  })
}

describe('npm run token', () => {
  it('refuses a --secret under 32 bytes, exit code 2, nothing minted', async () => {
    const r = await mint(['--kid', 'k1', '--secret', 'first-secret-for-tests-0001'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(REFUSAL)
  })

  it('refuses a short secret in TOKEN_KEYS as the server does', async () => {
    const r = await mint(['--kid', 'k1'], 'k1:first-secret-for-tests-0001')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`TOKEN_KEYS: ${REFUSAL}`)
  })

  it('mints with a secret of 32 bytes or more', async () => {
    const r = await mint(['--kid', K1.kid, '--secret', K1.secret])
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(r.stdout).toMatch(/^dsc1\.k1\.[\w-]+\.[\w-]+\n$/)
  })

  it('prints the token alone through `npm run -s token`, as TOKEN=$(…) captures it', async () => {
    const r = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const args = ['run', '-s', 'token', '--', '--kid', K1.kid, ...CLAIMS]
      const env = { ...process.env, TOKEN_KEYS: `${K1.kid}:${K1.secret}` }
      execFile('npm', args, { env }, (error, stdout, stderr) =>
        error ? reject(error) : resolve({ stdout, stderr })
      )
    })
    expect(r).toEqual({ stdout: expect.stringMatching(/^dsc1\.k1\.[\w-]+\.[\w-]+\n$/), stderr: '' })
  })
})
