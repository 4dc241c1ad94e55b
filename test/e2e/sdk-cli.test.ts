/**
 * The `edge-discovery` CLI as an operator runs it: the built bin (`npm run build:client`) spawned
 * against a running registry. Lists, fetches (table and JSON), watches, registers until SIGINT
 * (cancelling on exit), shows nodes; clear errors and exit codes.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'
import { parse } from '../../src/protocol/int64-json.ts'
import { appids } from '../support/discovery-client.ts'
import { freePort, SHORT_LEASE_VARS } from '../support/sdk-helpers.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = `${ROOT}dist/client/client/cli.js`

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

describe('edge-discovery (CLI)', () => {
  let registry: LocalRegistry
  let env: Record<string, string>

  beforeAll(async () => {
    registry = await startRegistry({ vars: SHORT_LEASE_VARS })
    env = { DISCOVERY_NODES: registry.host, DEPLOY_ENV: 'dev', ZONE: 'sh001' }
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
        '--version',
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
