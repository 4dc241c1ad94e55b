/**
 * A registry restart as a session client sees it, played by a proxy in front of a real registry
 * (the built worker): every connection drops, then the first reconnect's upgrade fails while
 * plain requests are answered. The built CLI (transport 'auto') must reconnect its session and
 * take its instance back, not decide the registry has no sessions and move to HTTP renews for
 * the rest of its life (which is what made the npm-start restart case miss its "claimed").
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'
import { glitchProxy, type UpgradeGlitch } from '../support/glitch-proxy.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = `${ROOT}packages/client/dist/client/cli.js`

describe('a session client through a registry restart', () => {
  let registry: LocalRegistry
  const children: ChildProcess[] = []

  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL')
    await registry.stop()
  })

  const cases: [UpgradeGlitch, string][] = [
    ['503', 'the upgrade answered 503 (wrangler dev mid-restart)'],
    ['reset', 'the upgrade reset while a plain request is answered'],
  ]
  it.each(cases)(
    'reconnects its session after %s: %s',
    async (how) => {
      const proxy = await glitchProxy(registry.host)
      try {
        const child = spawn(
          process.execPath,
          [
            CLI,
            'register',
            `demo.restart-${how}`,
            '--addr',
            'grpc://10.0.0.9:9000',
            '--hostname',
            'h1',
          ],
          {
            env: {
              PATH: process.env.PATH ?? '',
              DISCOVERY_NODES: proxy.host,
              DEPLOY_ENV: 'dev',
              ZONE: 'sh001',
            },
          }
        )
        children.push(child)
        let output = ''
        child.stdout?.on('data', (d) => (output += d))
        child.stderr?.on('data', (d) => (output += d))
        await waitFor('the CLI to register over a session', () =>
          output.includes('kept alive by a session')
        )
        expect(proxy.upgraded).toBe(1)

        proxy.restart(how)
        // the CLI's first retry comes 0.5–1 s after the drop (backoff 1 s, equal jitter)
        await waitFor('the reconnect to fail', () => proxy.refused > 0, 5000)
        proxy.heal()
        // the second retry comes 1–2 s after the first
        await waitFor('the session to reconnect', () => proxy.upgraded === 2, 10_000).catch((e) => {
          throw new Error(`${e.message}; the CLI sent ${proxy.requests.join(', ')}`)
        })
        await waitFor('the CLI to say the reconnect failed', () =>
          output.includes('the session upgrade failed')
        )
        expect(proxy.requests).not.toContain('POST /discovery/register')
        expect(proxy.requests).not.toContain('POST /discovery/renew')
      } finally {
        await proxy.close()
      }
    },
    30_000
  )
})
