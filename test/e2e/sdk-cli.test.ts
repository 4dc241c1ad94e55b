/**
 * The `edge-discovery` CLI as an operator runs it: the built bin (`npm run build:client`) spawned
 * against a running registry with auth on. Lists, fetches (table and JSON), watches, registers
 * until SIGINT (cancelling on exit), shows nodes; cancels, drains, reweights any instance and
 * reads an app's history; says which scope a refused command needs; clear errors and exit codes.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'
import { mintToken, type Scope } from '../../src/auth/token.ts'
import { parse } from '../../src/protocol/int64-json.ts'
import { appids, Discovery } from '../support/discovery-client.ts'
import { freePort, SHORT_LEASE_VARS } from '../support/sdk-helpers.ts'
import { K1 } from '../support/token-keys.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = `${ROOT}packages/client/dist/client/cli.js`

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

interface Started {
  child: ChildProcess
  out: Run
  exited: Promise<Run>
}

/** Every CLI process started, so that afterAll can stop those a failed test left running. */
const started: Started[] = []

/** A running CLI process whose output accumulates as it arrives. */
function start(args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out: Run = { code: null, stdout: '', stderr: '' }
  child.stdout?.on('data', (chunk) => (out.stdout += String(chunk)))
  child.stderr?.on('data', (chunk) => (out.stderr += String(chunk)))
  const exited = new Promise<Run>((resolve) =>
    child.on('close', (code) => resolve({ ...out, code }))
  )
  const cli = { child, out, exited }
  started.push(cli)
  return cli
}

const run = (args: string[], env?: Record<string, string>) => start(args, env).exited

/** A token of K1 with `scopes` on every app and env, valid for an hour. */
const tokenWith = (scopes: Scope[]) =>
  mintToken(
    {
      tid: `cli-${scopes.join('-')}`,
      scopes,
      apps: ['*'],
      envs: ['*'],
      exp: Math.floor(Date.now() / 1000) + 3600,
    },
    K1
  )

describe('edge-discovery (CLI)', () => {
  let registry: LocalRegistry
  let env: Record<string, string>

  let admin: string

  beforeAll(async () => {
    // A lease long enough for the instances the cancel/set test registers by hand.
    const vars = { ...SHORT_LEASE_VARS, EVICT_AFTER_SECONDS: '60' }
    registry = await startRegistry({
      vars: { ...vars, AUTH: 'tokens', TOKEN_KEYS: `${K1.kid}:${K1.secret}` },
    })
    admin = await tokenWith(['read', 'write', 'admin'])
    env = {
      DISCOVERY_NODES: registry.host,
      DEPLOY_ENV: 'dev',
      ZONE: 'sh001',
      DISCOVERY_TOKEN: admin,
    }
  })
  afterAll(async () => {
    // a failed test leaves its CLI processes running: stop them before the registry
    const running = started.filter((s) => s.child.exitCode === null)
    for (const s of running) s.child.kill('SIGINT')
    await Promise.race([
      Promise.all(running.map((s) => s.exited)),
      new Promise((r) => setTimeout(r, 5000).unref()),
    ])
    await registry.stop()
  })

  it('shows the registry nodes as a table and as JSON', async () => {
    const table = await run(['nodes'], env)
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(
      new RegExp(`^ADDR +STATUS +ZONE\\n${registry.host.replace('.', '\\.')} +UP +sh001\\n$`)
    )
    const json = await run(['nodes', '--json'], env)
    expect(JSON.parse(json.stdout)).toEqual([{ addr: registry.host, status: 0, zone: 'sh001' }])
  })

  it('registers until SIGINT, and lists, fetches and watches the instance meanwhile', async () => {
    const app = appids('demo.cli')()
    const registered = start(
      [
        'register',
        app,
        '--addr',
        'grpc://10.0.0.9:9000',
        '--addr',
        'http://10.0.0.9:8000',
        '--metadata',
        'weight=20',
        '--instance-version',
        'v3',
        '--hostname',
        'cli-1',
        '--renew-interval',
        '0.5',
      ],
      env
    )
    await waitFor('the registered line', () => registered.out.stdout.includes('registered'))
    const line = `registered ${app} as cli-1 (zone sh001, env dev); `
    expect(registered.out.stdout).toContain(line)
    // kept alive by a session where the registry offers them, by renews where it does not
    expect(registered.out.stdout).toMatch(/; (renewing every 0\.5 s|kept alive by a session),/)

    const table = await run(['fetch', app], env)
    expect(table.code).toBe(0)
    const [header, row] = table.stdout.trim().split('\n')
    expect(header?.split(/ +/)).toEqual([
      'ZONE',
      'HOSTNAME',
      'STATUS',
      'ADDRS',
      'VERSION',
      'METADATA',
    ])
    expect(row?.split(/ +/)).toEqual([
      'sh001',
      'cli-1',
      'UP',
      'grpc://10.0.0.9:9000,http://10.0.0.9:8000',
      'v3',
      'weight=20',
    ])

    const json = await run(['fetch', app, '--json'], env)
    const snapshot = parse(json.stdout) as {
      appid: string
      latestTimestamp: bigint
      instances: Record<string, { hostname: string }[]>
    }
    expect(snapshot.appid).toBe(app)
    expect(typeof snapshot.latestTimestamp).toBe('bigint') // all 19 digits, not a rounded float
    expect(snapshot.instances.sh001?.map((i) => i.hostname)).toEqual(['cli-1'])

    const apps = await run(['apps'], env)
    expect(apps.stdout).toMatch(new RegExp(`\\n${app.replaceAll('.', '\\.')} +dev +1 +0 +sh001\\n`))

    const watcher = start(['watch', app, '--json'], env)
    await waitFor('the first watch line', () => watcher.out.stdout.includes('\n'))
    expect((parse(watcher.out.stdout.split('\n')[0] ?? '') as { appid: string }).appid).toBe(app)
    const second = start(
      [
        'register',
        app,
        '--addr',
        'grpc://10.0.0.10:9000',
        '--hostname',
        'cli-2',
        '--renew-interval',
        '0.5',
      ],
      env
    )
    await waitFor('the watcher to print the second instance', () =>
      watcher.out.stdout.includes('cli-2')
    )
    watcher.child.kill('SIGINT')
    expect((await watcher.exited).code).toBe(0)

    second.child.kill('SIGINT')
    registered.child.kill('SIGINT')
    const [done, doneToo] = await Promise.all([registered.exited, second.exited])
    expect(done.code).toBe(0)
    expect(doneToo.code).toBe(0)
    expect(done.stdout).toContain(`cancelled ${app} as cli-1`)
    // cancelled, not left to expire: the app is gone at once
    const gone = await run(['fetch', app], env)
    expect(gone.code).toBe(3)
    expect(gone.stderr).toContain(`fetch ${app}: not found`)
  })

  it('cancels, drains, reweights and undrains any instance, and reads the history of it', async () => {
    const app = appids('demo.cli-ops')()
    const registrar = new Discovery(registry.url)
    const headers = { authorization: `Bearer ${admin}` }
    const registered = await registrar.post(
      '/discovery/register',
      {
        appid: app,
        env: 'dev',
        zone: 'sh001',
        hostname: 'ops-1',
        status: 1,
        addrs: 'grpc://10.0.0.7:9000',
      },
      { headers }
    )
    expect(registered.body.code).toBe(0)
    const instance = async () => {
      const shown = await run(['fetch', app, '--status', 'all', '--json'], env)
      const snapshot = parse(shown.stdout) as {
        instances: Record<string, { status: number; metadata: unknown }[]>
      }
      return snapshot.instances.sh001?.[0]
    }

    const drained = await run(['set', app, '--hostname', 'ops-1', '--drain', '--weight', '5'], env)
    expect([drained.code, drained.stdout]).toEqual([
      0,
      `set ${app} ops-1 (zone sh001, env dev): drained (WAITING), metadata weight=5\n`,
    ])
    expect(await instance()).toMatchObject({ status: 2, metadata: { weight: '5' } })
    const undrained = await run(['set', app, '--hostname', 'ops-1', '--undrain'], env)
    expect(undrained.code).toBe(0)
    expect(await instance()).toMatchObject({ status: 1, metadata: { weight: '5' } })

    const cancelled = await run(['cancel', app, '--hostname', 'ops-1'], env)
    expect([cancelled.code, cancelled.stdout]).toEqual([
      0,
      `cancelled ${app} ops-1 (zone sh001, env dev)\n`,
    ])
    expect((await run(['fetch', app], env)).code).toBe(3) // gone at once, not after the lease
    const again = await run(['cancel', app, '--hostname', 'ops-1'], env)
    expect(again.code).toBe(3)
    expect(again.stderr).toContain(`cancel ${app} ops-1 (zone sh001, env dev): not found`)

    const history = await run(['history', app, '--limit', '3', '--json'], env)
    expect(history.code).toBe(0)
    const entries = JSON.parse(history.stdout) as { op: string; hostname: string; actor: string }[]
    expect(entries.map((e) => e.op)).toEqual(['cancel', 'set', 'set'])
    expect(entries[0]).toMatchObject({ hostname: 'ops-1', actor: 'token:cli-read-write-admin' })
    const table = await run(['history', app], env)
    expect(table.stdout.split('\n')[0]?.split(/ +/)).toEqual([
      'TIME',
      'OP',
      'ZONE',
      'HOSTNAME',
      'ACTOR',
    ])
    expect(table.stdout.trim().split('\n')).toHaveLength(1 + 4) // register, set, set, cancel
  })

  it('says which scope a refused command needs, and that a token is needed', async () => {
    const reader = { ...env, DISCOVERY_TOKEN: await tokenWith(['read']) }
    const apps = await run(['apps'], reader)
    expect(apps.code).toBe(1)
    expect(apps.stderr).toContain('403')
    expect(apps.stderr).toContain(
      'apps needs a token with the admin scope in env dev (listing every app is for admins)'
    )
    const history = await run(['history', 'demo.x'], reader)
    expect(history.stderr).toContain(
      'history needs a token with the admin scope on demo.x in env dev'
    )
    const cancel = await run(['cancel', 'demo.x', '--hostname', 'h'], reader)
    expect(cancel.stderr).toContain(
      'cancel needs a token with the write scope on demo.x in env dev'
    )
    const { DISCOVERY_TOKEN: _, ...anonymous } = env
    const nobody = await run(['fetch', 'demo.x'], anonymous)
    expect(nobody.code).toBe(1)
    expect(nobody.stderr).toContain(
      'the registry checks tokens: pass --token or set DISCOVERY_TOKEN'
    )
  })

  it("prints the SDK package's version for --version", async () => {
    const pkg = `${ROOT}packages/client/package.json`
    const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as {
      version: string
    }
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` })
  })

  it('explains failures with exit codes: 1 unreachable, 2 usage, 3 not found', async () => {
    const dead = `127.0.0.1:${await freePort()}`
    const unreachable = await run(['fetch', 'demo.x', '--nodes', dead], env)
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain(`${dead}/discovery/fetch`)
    expect(unreachable.stderr).toContain('ECONNREFUSED')

    const register = await run(
      ['register', 'demo.x', '--addr', 'grpc://1.2.3.4:5', '--nodes', dead, '--timeout', '1'],
      env
    )
    expect(register.code).toBe(1)
    expect(register.stderr).toContain('could not register demo.x within 1 s')

    for (const args of [
      [],
      ['bogus'],
      ['fetch'],
      ['fetch', 'a', '--bogus'],
      ['register', 'a'],
      ['fetch', 'a', '--status', 'odd'],
      ['fetch', 'a', '--transport', 'pigeon'],
      ['register', 'a', '--addr', 'grpc://1.2.3.4:5', '--version', 'v3'],
      ['set', 'a', '--hostname', 'h'],
      ['cancel', 'a'],
      ['fetch', 'a', '--nodes', '7171'],
    ]) {
      const usage = await run(args, env)
      expect(usage.code, args.join(' ')).toBe(2)
      expect(usage.stderr + usage.stdout, args.join(' ')).toMatch(/usage/)
    }
    const noZone = await run(['register', 'demo.x', '--addr', 'grpc://1.2.3.4:5'], {
      DISCOVERY_NODES: registry.host,
    })
    expect(noZone.code).toBe(2)
    expect(noZone.stderr).toContain('no zone')

    const missing = await run(['fetch', 'demo.never-registered'], env)
    expect(missing.code).toBe(3)
    expect((await run(['--help'])).code).toBe(0)
  })
})
