/**
 * The `edge-discovery-client` package as a user gets it: `npm pack` ships only the built JS and
 * .d.ts, README and LICENSE; installed from the tarball into a fresh project (with grpc-js and
 * proto-loader at the versions of our lock file, from the npm cache when it has them), the
 * README's examples, copied there, register, watch, and call a gRPC server through the resolver
 * in child processes, with a single grpc-js; and the `edge-discovery` bin runs under npx.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { waitFor } from '../../scripts/shared/wait.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PACKAGE_DIR = join(ROOT, 'packages', 'client')
const run = promisify(execFile)
/** npm pack and npm install in one hook: seconds with a warm npm cache, longer from the network. */
const INSTALL_TIMEOUT_MS = 180_000

/** What the tarball may hold: its manifest, README, LICENSE and the compiled output. */
const SHIPPED = /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|js\.map))$/

/**
 * The environment of the npm children: this one without the variables by which `npm test` says
 * which project it runs in (npm_config_local_prefix would make a child npm install into the
 * repository); the rest (registry, proxy, cache) stays.
 */
const THIS_PROJECT = /^npm_(config_local_prefix$|package_|lifecycle_)/i
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !THIS_PROJECT.test(name))
)

/** The version of `name` that the repository's lock file pins. */
async function lockedVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>
  }
  const version = lock.packages[`node_modules/${name}`]?.version
  if (!version) throw new Error(`${name} is not in package-lock.json`)
  return version
}

/** Every directory below `dir` named `node_modules/<name>` (a scoped name included), relative. */
async function copiesOf(dir: string, name: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
}

interface Started {
  child: ChildProcess
  output: () => string
}

describe('the edge-discovery-client tarball', () => {
  let registry: LocalRegistry
  let temp: string
  let project: string
  let packed: string[]
  const started: Started[] = []

  /** `node <script>` in the project against the test's registry; output accumulates. */
  function node(script: string): Started {
    const child = spawn(process.execPath, [script], {
      cwd: project,
      env: { PATH: process.env.PATH ?? '', DISCOVERY_NODES: registry.host },
    })
    let output = ''
    child.stdout?.on('data', (d) => (output += d))
    child.stderr?.on('data', (d) => (output += d))
    const one = { child, output: () => output }
    started.push(one)
    return one
  }

  /**
   * `npx edge-discovery …` in the project. --no: never download a package of that name; `--`:
   * after --no, npx would take a later --version for its own.
   */
  const cli = (...args: string[]) =>
    run('npx', ['--no', '--', 'edge-discovery', ...args], {
      cwd: project,
      env: { ...npmEnv, DISCOVERY_NODES: registry.host },
    })

  beforeAll(async () => {
    registry = await startRegistry()
    temp = await mkdtemp(join(tmpdir(), 'sdk-package-'))
    // the global setup has just built dist/: no prepack rebuild under the other test files
    const pack = ['pack', '--pack-destination', temp, '--ignore-scripts', '--silent']
    const { stdout: tarballName } = await run('npm', pack, { cwd: PACKAGE_DIR, env: npmEnv })
    const tarball = join(temp, tarballName.trim())
    const { stdout: listing } = await run('tar', ['-tzf', tarball])
    packed = listing
      .split('\n')
      .filter(Boolean)
      .map((entry) => entry.replace(/^package\//, ''))

    project = join(temp, 'project')
    await mkdir(project)
    await writeFile(join(project, 'package.json'), '{ "private": true, "type": "module" }\n')
    const grpc = await lockedVersion('@grpc/grpc-js')
    const loader = await lockedVersion('@grpc/proto-loader')
    const install = [tarball, `@grpc/grpc-js@${grpc}`, `@grpc/proto-loader@${loader}`]
    const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock']
    await run('npm', ['install', ...install, ...flags], { cwd: project, env: npmEnv })
    for (const file of ['register.mjs', 'watch.mjs', 'echo-server.mjs', 'grpc-resolve.mjs']) {
      await copyFile(join(ROOT, 'examples', file), join(project, file))
    }
    await copyFile(join(ROOT, 'examples', 'echo.proto'), join(project, 'echo.proto'))
  }, INSTALL_TIMEOUT_MS)

  afterAll(async () => {
    for (const { child } of started) if (child.exitCode === null) child.kill('SIGKILL')
    await registry?.stop()
    if (temp) await rm(temp, { recursive: true, force: true })
  })

  it('ships only package.json, README.md, LICENSE and dist/ JS and declarations', () => {
    expect(packed.filter((path) => !SHIPPED.test(path))).toEqual([])
    expect(packed).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/client/index.js',
        'dist/client/index.d.ts',
        'dist/client/grpc-resolver.js',
        'dist/client/grpc-resolver.d.ts',
        'dist/client/cli.js',
        'dist/protocol/int64-json.js',
        'dist/registry/model.js',
      ])
    )
  })

  it('installs with one @grpc/grpc-js and an executable bin', async () => {
    expect(await copiesOf(project, '@grpc/grpc-js')).toEqual(['node_modules/@grpc/grpc-js'])
    const cliFile = join(project, 'node_modules/edge-discovery-client/dist/client/cli.js')
    expect((await stat(cliFile)).mode & 0o111).not.toBe(0)
    expect((await readFile(cliFile, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('registers, watches and calls through grpc-js with the README examples', async () => {
    const watcher = node('watch.mjs')
    const registered = node('register.mjs')
    await waitFor('the registered line', () => registered.output().includes('registered as'))
    await waitFor('the watch to print the instance', () =>
      watcher.output().includes("demo.service [ 'grpc://10.0.0.5:9000 http://10.0.0.5:8000' ]")
    )

    const server = node('echo-server.mjs')
    const port = await waitFor('the echo server', () =>
      /serving demo\.echo on 127\.0\.0\.1:(\d+)/.exec(server.output())?.at(1)
    )
    const caller = node('grpc-resolve.mjs')
    await waitFor(`an answer from port ${port} through discovery`, () =>
      caller.output().includes(`hi, from port ${port}`)
    )

    const fetched = await cli('fetch', 'demo.service') // the bin, against the same registry
    expect(fetched.stdout).toContain(hostname())
    expect(fetched.stdout).toContain('grpc://10.0.0.5:9000')
  })

  it("prints the package's version for edge-discovery --version", async () => {
    const manifest = await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')
    const { version } = JSON.parse(manifest) as { version: string }
    expect(version).toBe('0.1.0')
    expect((await cli('--version')).stdout).toBe(`${version}\n`)
  })
})
