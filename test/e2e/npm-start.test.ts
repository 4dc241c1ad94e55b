/**
 * `npm start` as an operator runs it (scripts/start.ts: the bundled worker served by Miniflare):
 * it takes `--port`, `--var` and `--persist-to`, state survives a stop and start, and a bad
 * variable stops it with a message that names the variable.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from '../../scripts/shared/wait.ts'
import { Discovery, hostnamesOf } from '../support/discovery-client.ts'
import { freePort } from '../support/sdk-helpers.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = `${ROOT}packages/client/dist/client/cli.js`

interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

function npmStart(args: string[]): Started {
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, CI: 'true' },
  })
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { child, output: () => output, exited }
}

/**
 * Stop `npm start` and, given its `port`, wait until nothing listens there: npm exits before
 * its workerd lets go of the port (by up to ~0.1 s on a loaded machine), and a registry started
 * meanwhile would fail to bind, while `ready()` took the dying one's answer for its own.
 */
async function stop(started: Started, port?: number): Promise<void> {
  if (started.child.exitCode === null && started.child.pid)
    process.kill(-started.child.pid, 'SIGTERM')
  await started.exited
  if (port !== undefined)
    await waitFor(`port ${port} to be free`, async () => !(await listening(port)))
}

/** Whether something accepts connections on `port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

/** The built CLI registering `hostname` of demo.kill at 127.0.0.1:`port` (over a session). */
function cli(port: number, hostname: string): Started {
  const child = spawn(
    process.execPath,
    [CLI, 'register', 'demo.kill', '--addr', 'grpc://10.0.0.9:9000', '--hostname', hostname],
    {
      env: {
        PATH: process.env.PATH ?? '',
        DISCOVERY_NODES: `127.0.0.1:${port}`,
        DEPLOY_ENV: 'dev',
        ZONE: 'sh001',
      },
    }
  )
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { child, output: () => output, exited }
}

/** Wait until the registry answers on `port` (or give up after 40 s). */
async function ready(port: number): Promise<void> {
  await waitFor(
    `npm start to answer on port ${port}`,
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/discovery/nodes`)).ok
      } catch {
        return false // not listening yet
      }
    },
    40_000
  )
}

describe('npm start', () => {
  const stateDirs: string[] = []
  afterAll(() => Promise.all(stateDirs.map((dir) => rm(dir, { recursive: true, force: true }))))

  it('takes --port and --var, and keeps registrations across a restart', async () => {
    const port = await freePort()
    const state = mkdtempSync(join(tmpdir(), 'npm-start-'))
    stateDirs.push(state)
    const args = ['--port', String(port), '--var', 'ZONE:sh077', '--persist-to', state]
    const d = new Discovery(`http://127.0.0.1:${port}`)
    const first = npmStart(args)
    try {
      await ready(port)
      const nodes = (await d.request('GET', '/discovery/nodes')).text
      expect(nodes).toBe(
        `{"code":0,"message":"0","ttl":1,"data":[{"addr":"127.0.0.1:${port}","status":0,"zone":"sh077"}]}`
      )
      const body =
        'addrs=grpc%3A%2F%2F10.0.0.1%3A9000&appid=demo.start&env=dev&hostname=h1&status=1&zone=sh077'
      const register = await d.postForm('/discovery/register', body)
      expect(register.text).toBe('{"code":0,"message":"0","ttl":1}')
    } finally {
      await stop(first, port)
    }
    const second = npmStart(args)
    try {
      await ready(port)
      const fetched = await d.fetch('demo.start', { status: 1 })
      expect(fetched.text).toContain('"hostname":"h1"')
    } finally {
      await stop(second)
    }
  })

  it('evicts the session instance of a CLI killed with SIGKILL after the grace time, and only that one', async () => {
    const port = await freePort()
    const state = mkdtempSync(join(tmpdir(), 'npm-start-'))
    stateDirs.push(state)
    const args = ['--port', String(port), '--var', 'SESSION_GRACE_SECONDS:2', '--persist-to', state]
    const d = new Discovery(`http://127.0.0.1:${port}`)
    const listed = async (hostname: string) =>
      (await d.fetch('demo.kill', { status: 3 })).text.includes(`"hostname":"${hostname}"`)
    const server = npmStart(args)
    const clients: Started[] = []
    try {
      await ready(port)
      const victim = cli(port, 'victim')
      const survivor = cli(port, 'survivor')
      clients.push(victim, survivor)
      await waitFor('both CLIs to register over sessions', () =>
        [victim, survivor].every((c) => c.output().includes('kept alive by a session'))
      )
      expect(await listed('survivor')).toBe(true)
      victim.child.kill('SIGKILL') // no cancel, no close frame: the socket just breaks
      const killedAt = Date.now()
      await waitFor('the killed CLI to leave', async () => !(await listed('victim')), 20_000)
      const after = Date.now() - killedAt
      expect(after).toBeGreaterThanOrEqual(1500) // the grace time (2 s) passed first
      expect(after).toBeLessThan(10_000)
      expect(await listed('survivor')).toBe(true)
    } finally {
      for (const c of clients) c.child.kill('SIGKILL')
      await stop(server)
    }
  }, 60_000)

  it('keeps session instances across a restart: the reconnected CLIs claim them back', async () => {
    const port = await freePort()
    const state = mkdtempSync(join(tmpdir(), 'npm-start-'))
    stateDirs.push(state)
    // A local stop may hand the object the close (1006) of a session socket before workerd
    // exits (seen when npm start was wrangler dev, whose proxy, another workerd, went first).
    // The registry then gives that session its grace time, as it would a crashed client, and
    // evicts the instance when the restart and the reconnect outlast it: with a 2 s grace, 4 of
    // 40 restarts under load did, and the CLI's register after its reconnect then logged "ok",
    // not "claimed". A grace longer than this test's wait keeps that out of it. (Deployed, a
    // restart sends no close at all.)
    const args = [
      '--port',
      String(port),
      '--var',
      'SESSION_GRACE_SECONDS:120',
      '--persist-to',
      state,
    ]
    let server = npmStart(args)
    const clients: Started[] = []
    try {
      await ready(port)
      clients.push(cli(port, 'first'), cli(port, 'second'))
      await waitFor('both CLIs to register over sessions', () =>
        clients.every((c) => c.output().includes('kept alive by a session'))
      )
      // a restart of the registry drops every socket: the CLIs reconnect and keep their instances
      await stop(server, port)
      server = npmStart(args)
      await ready(port)
      // each CLI, reconnected, registers again; unchanged, that only claims its instance back
      const claimed = (hostname: string) =>
        server.output().includes(`"hostname":"${hostname}","actor":"auth-off","outcome":"claimed"`)
      // Once the registry answers, a CLI sleeping at its backoff ceiling wakes within 30 s, and an
      // attempt takes at most 20 s (the open deadline then hello's, or a failed open then the
      // probe's, 10 s each). Allow one more failed attempt on a loaded machine: 2 × (30 + 20) s.
      await waitFor(
        'both CLIs to claim their instances',
        () => claimed('first') && claimed('second'),
        100_000
      ).catch((error: Error) => {
        const said = clients.map((c) => c.output()).join('')
        const lines = server
          .output()
          .split('\n')
          .filter((l) => /demo\.kill|\/discovery\//.test(l))
        throw new Error(`${error.message}\nCLIs:\n${said}\nregistry:\n${lines.join('\n')}`)
      })
      const d = new Discovery(`http://127.0.0.1:${port}`)
      expect(hostnamesOf((await d.fetch('demo.kill', { status: 3 })).body.data)).toEqual([
        'first',
        'second',
      ])
    } finally {
      for (const c of clients) c.child.kill('SIGKILL')
      await stop(server)
    }
  }, 180_000)

  it('refuses to start with a bad variable and names it', async () => {
    const port = await freePort()
    const started = npmStart(['--port', String(port), '--var', 'EVICT_AFTER_SECONDS:soon'])
    const code = await Promise.race([
      started.exited,
      new Promise((r) => setTimeout(r, 40_000, 'timeout')),
    ])
    await stop(started)
    expect(code).not.toBe(0)
    expect(started.output()).toContain('EVICT_AFTER_SECONDS must be a number of seconds')
  })
})
