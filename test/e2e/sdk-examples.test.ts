/**
 * The SDK examples (examples/*.mjs, shown in docs/sdk.md; on the built SDK) as a user runs them
 * against a registry with ordinary leases: the register example, stopped with Ctrl-C (SIGINT),
 * cancels its instance (gone from fetch at once, not after a lease or a session's grace time) and
 * exits 0; the watch, pick and gRPC examples follow the registry and exit 0 on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { hostname } from 'node:os'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'
import { Discovery, hostnamesOf } from '../support/discovery-client.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface Example {
  child: ChildProcess
  output: () => string
  /** Exit code, and how long after `stop` it came. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; afterMs: number }>
}

const running: Example[] = []

describe('examples/', () => {
  let registry: LocalRegistry
  let discovery: Discovery

  /** `node examples/<name>` against the test's registry; output accumulates as it arrives. */
  function example(name: string): Example {
    const child = spawn(process.execPath, [`examples/${name}`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DISCOVERY_NODES: registry.host },
    })
    let output = ''
    child.stdout?.on('data', (d) => (output += d))
    child.stderr?.on('data', (d) => (output += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const started: Example = {
      child,
      output: () => output,
      async stop(signal) {
        const at = performance.now()
        child.kill(signal)
        const code = await exited
        return { code, afterMs: performance.now() - at }
      },
    }
    running.push(started)
    return started
  }

  /** The hostnames registered under `appid` now (none once the app is empty: -404). */
  const listed = async (appid: string) => {
    const answer = await discovery.get('/discovery/fetch', { appid, env: 'dev', status: 3 })
    return hostnamesOf(answer.body.data)
  }

  beforeAll(async () => {
    registry = await startRegistry() // wrangler.toml's leases: 90 s, sessions' grace 10 s
    discovery = new Discovery(registry.url)
  })
  afterAll(async () => {
    for (const e of running) if (e.child.exitCode === null) e.child.kill('SIGKILL')
    await registry.stop()
  })

  it('register.mjs cancels its instance on Ctrl-C and exits 0; watch.mjs sees both', async () => {
    const watcher = example('watch.mjs')
    const registered = example('register.mjs')
    await waitFor('the registered line', () => registered.output().includes('registered as'))
    expect(await listed('demo.service')).toEqual([hostname()])
    await waitFor('the watch to print the instance', () =>
      watcher.output().includes("demo.service [ 'grpc://10.0.0.5:9000 http://10.0.0.5:8000' ]")
    )

    const stopped = await registered.stop('SIGINT')
    expect(stopped.code).toBe(0)
    expect(stopped.afterMs).toBeLessThan(3000)
    expect(await listed('demo.service')).toEqual([]) // cancelled, not left to expire
    await waitFor('the watch to print the empty app', () =>
      watcher.output().includes('demo.service []')
    )
    expect((await watcher.stop('SIGTERM')).code).toBe(0)
  })

  it('register.mjs stopped by SIGTERM cancels too', async () => {
    const registered = example('register.mjs')
    await waitFor('the registered line', () => registered.output().includes('registered as'))
    expect(await listed('demo.service')).toEqual([hostname()])
    expect((await registered.stop('SIGTERM')).code).toBe(0)
    expect(await listed('demo.service')).toEqual([])
  })

  it('pick.mjs and grpc-resolve.mjs call what is registered, and exit 0 on SIGTERM', async () => {
    const server = example('echo-server.mjs')
    await waitFor('the echo server', () => server.output().includes('serving demo.echo'))
    expect(await listed('demo.echo')).toHaveLength(1)
    const caller = example('grpc-resolve.mjs')
    await waitFor('an answer through discovery', () => caller.output().includes('hi, from port'))
    const picker = example('pick.mjs')
    await waitFor('a pick', () => picker.output().includes('no UP instance'))
    for (const e of [caller, picker]) {
      const stopped = await e.stop('SIGTERM')
      expect([stopped.code, stopped.afterMs < 3000], e.output()).toEqual([0, true])
    }
    expect((await server.stop('SIGINT')).code).toBe(0)
    expect(await listed('demo.echo')).toEqual([])
  })
})
