/**
 * The CLI's command line (cli-args.ts) and help (cli-usage.ts): each command's arguments, the
 * defaults from the environment, and a UsageError naming the option for every mistake.
 */
import { describe, expect, it } from 'vitest'
import { COMMANDS, parseCommandLine, UsageError } from '../../../src/client/cli-args.ts'
import { scopeOf, USAGE } from '../../../src/client/cli-usage.ts'

const NO_ENV = () => undefined
const parse = (line: string, env: Record<string, string> = {}) =>
  parseCommandLine(line === '' ? [] : line.split(' '), (name) => env[name])
const command = (line: string) => parse(line).command

/** The UsageError message `line` gets. */
function refusal(line: string): string {
  try {
    parse(line)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error(`accepted: ${line}`)
}

describe('parseCommandLine', () => {
  it('reads the new commands: cancel, set (drain, undrain, weight, metadata) and history', () => {
    expect(command('cancel demo.a --hostname h1')).toEqual({
      name: 'cancel',
      appid: 'demo.a',
      hostname: 'h1',
    })
    expect(command('set demo.a --hostname h1 --drain')).toEqual({
      name: 'set',
      appid: 'demo.a',
      hostname: 'h1',
      status: 2,
      metadata: undefined,
    })
    expect(command('set demo.a --hostname h1 --undrain --weight 5 --metadata color=red')).toEqual({
      name: 'set',
      appid: 'demo.a',
      hostname: 'h1',
      status: 1,
      metadata: { color: 'red', weight: '5' },
    })
    expect(command('history demo.a --limit 20')).toEqual({
      name: 'history',
      appid: 'demo.a',
      limit: 20,
    })
    expect(command('history demo.a')).toMatchObject({ limit: undefined })
  })

  it('reads register with --instance-version, and --version alone as the tool version', () => {
    expect(command('register demo.a --addr grpc://x:1 --instance-version v3 --waiting')).toEqual({
      name: 'register',
      instance: { appid: 'demo.a', addrs: ['grpc://x:1'], version: 'v3', status: 2 },
    })
    expect(command('--version')).toEqual({ name: 'version' })
    expect(refusal('register demo.a --addr grpc://x:1 --version v3')).toBe(
      "--version prints this tool's version and takes no command " +
        '(the instance version is --instance-version V)'
    )
  })

  it('takes the client options from flags, else the environment, else its defaults', () => {
    expect(parse('nodes').client).toEqual({
      nodes: '127.0.0.1:7171',
      env: 'dev',
      zone: undefined, // the SDK reads ZONE, as for any client
      region: undefined,
      hostname: undefined,
      token: undefined,
      requestTimeoutMs: 10_000,
      renewIntervalMs: 30_000,
      transport: undefined,
    })
    const env = { DISCOVERY_NODES: 'a:1', DEPLOY_ENV: 'prod', DISCOVERY_TOKEN: 't' }
    expect(parse('nodes', env).client).toMatchObject({ nodes: 'a:1', env: 'prod', token: 't' })
    expect(parse('nodes --env qa --timeout 2.5 --transport http', env).client).toMatchObject({
      env: 'qa',
      requestTimeoutMs: 2500,
      transport: 'http',
    })
    expect(parse('register a --addr grpc://x:1 --timeout 3').timeoutMs).toBe(3000)
  })

  it('names what is wrong, and which command an option belongs to', () => {
    expect(refusal('')).toBe('no command given')
    expect(refusal('bogus')).toBe('unknown command "bogus"')
    expect(refusal('fetch')).toBe('fetch: expected exactly one appid, got 0')
    expect(refusal('apps extra')).toBe('apps takes no arguments, got extra')
    expect(refusal('fetch a --bogus')).toMatch(/--bogus/)
    expect(refusal('fetch a --status odd')).toBe('--status must be up, waiting or all, got "odd"')
    expect(refusal('fetch a --drain')).toBe('--drain applies to set only')
    expect(refusal('cancel a --limit 3')).toBe('--limit applies to history only')
    expect(refusal('fetch a --metadata k=v')).toBe('--metadata applies to register and set only')
    expect(refusal('register a')).toMatch(/^register: give at least one --addr/)
    expect(refusal('register a --addr grpc://x:1 --metadata novalue')).toMatch(/key=value/)
    expect(refusal('cancel a')).toBe('cancel: say which instance with --hostname H')
    expect(refusal('set a --hostname h')).toMatch(/^set: say what to change/)
    expect(refusal('set a --hostname h --drain --undrain')).toBe(
      'set: --drain or --undrain, not both'
    )
    expect(refusal('set a --hostname h --weight 0')).toMatch(/^--weight must be a positive integer/)
    expect(refusal('history a --limit 1001')).toBe(
      '--limit must be an integer from 1 to 1000, got "1001"'
    )
    expect(refusal('nodes --timeout 0')).toMatch(/^--timeout must be a positive number of seconds/)
    expect(refusal('nodes --timeout 9999999')).toMatch(/at most 24 days/)
    expect(refusal('nodes --transport pigeon')).toMatch(
      /^--transport must be auto, session or http/
    )
  })

  it('answers help before anything else', () => {
    expect(command('--help')).toEqual({ name: 'help' })
    expect(command('fetch -h')).toEqual({ name: 'help' })
    expect(command('help')).toEqual({ name: 'help' })
    expect(parseCommandLine(['help'], NO_ENV).command).toEqual({ name: 'help' })
  })
})

describe('the help text', () => {
  it('lists every command with the scope it needs, within 100 columns', () => {
    for (const name of COMMANDS) {
      expect(USAGE).toMatch(new RegExp(`\\n  ${name}\\b.* ${scopeOf(name)} `))
    }
    expect([scopeOf('apps'), scopeOf('history'), scopeOf('cancel'), scopeOf('fetch')]).toEqual([
      'admin',
      'admin',
      'write',
      'read',
    ])
    expect(Math.max(...USAGE.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100)
  })

  it('says the instance version option was renamed', () => {
    expect(USAGE).toContain('--instance-version V')
    expect(USAGE).toMatch(/was --version, which now prints the\s+tool's version/)
  })
})
