/**
 * The CLI's help text, and the token scope each command needs (docs/sdk.md "CLI"): the help
 * lists it, and a refusal (HTTP 403) names it. Pure strings.
 */
import type { COMMANDS } from './cli-args.ts'

/** What a token must allow for a command: `any` = any valid token. */
export type CommandScope = 'read' | 'write' | 'admin' | 'any'

type Command = (typeof COMMANDS)[number]

/** Each command: how it is written, the scope it needs, what it does (lines of the help). */
const COMMAND_HELP: Record<Command, { usage: string; scope: CommandScope; what: string[] }> = {
  apps: {
    usage: 'apps',
    scope: 'admin',
    what: ['every app and env, with instance counts (fetch/all)'],
  },
  fetch: {
    usage: 'fetch <appid>',
    scope: 'read',
    what: ["one app's instances [--status up|waiting|all] [--zone Z]"],
  },
  watch: { usage: 'watch <appid>...', scope: 'read', what: ['print each change until Ctrl-C'] },
  nodes: { usage: 'nodes', scope: 'any', what: ["the registry's nodes"] },
  register: {
    usage: 'register <appid> --addr URL',
    scope: 'write',
    what: [
      'register an instance; keep it alive until Ctrl-C or',
      'SIGTERM, then cancel it [--addr URL]... [--waiting]',
      '[--metadata k=v]... [--instance-version V]',
      '[--renew-interval SECONDS]',
    ],
  },
  cancel: {
    usage: 'cancel <appid> --hostname H',
    scope: 'write',
    what: ['deregister an instance at once [--zone Z]'],
  },
  set: {
    usage: 'set <appid> --hostname H',
    scope: 'write',
    what: [
      'change an instance [--zone Z]: --drain (WAITING:',
      'listed, no traffic) or --undrain (UP); --weight N;',
      '--metadata k=v...',
    ],
  },
  history: {
    usage: 'history <appid>',
    scope: 'admin',
    what: ["the app's newest changes, newest first", '[--limit N, default 100]'],
  },
}

/** The scope `command` needs. */
export const scopeOf = (command: Command): CommandScope => COMMAND_HELP[command].scope

const commandLines = Object.values(COMMAND_HELP).flatMap(({ usage, scope, what }) =>
  what.map((line, i) =>
    `  ${(i === 0 ? usage : '').padEnd(29)}${(i === 0 ? scope : '').padEnd(7)}${line}`.trimEnd()
  )
)

/** `edge-discovery --help`. */
export const USAGE = `usage: edge-discovery <command> [options]

commands, with the token scope each needs when the registry checks tokens:
${commandLines.join('\n')}

options (defaults from the environment):
  --nodes A,B        registry addresses, host:port or URLs (DISCOVERY_NODES; else 127.0.0.1:7171)
  --env ENV          environment (DEPLOY_ENV; else dev)
  --zone ZONE        zone to register in, or of the instance to cancel or set (ZONE); for fetch,
                     the only zone to show
  --region REGION    region to register in (REGION)
  --hostname NAME    register: the instance's hostname (os.hostname()); cancel, set: which one
  --instance-version V
                     register: the instance's version (was --version, which now prints the
                     tool's version)
  --token TOKEN      bearer token (DISCOVERY_TOKEN)
  --timeout SECONDS  per-request deadline, and how long register may try (default 10)
  --transport T      auto (default): a session per app where the registry offers them, else
                     renews and long polls; session: sessions only; http: no sessions
  --json             JSON output (watch: one object per line)
  --version          this tool's version
  -h, --help         this text

exit codes: 0 done, 1 registry error, refusal or unreachable, 2 usage, 3 not found`
