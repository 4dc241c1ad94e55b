/**
 * Command line: `--quick` (about 5 minutes), `--json FILE` (write the figures as one JSON
 * object), `--help`. The profile says how long and how often each figure is measured.
 */

export interface Profile {
  name: 'full' | 'quick'
  /** Rate runs alternate with baseline runs this many times (a noisy machine shifts both alike). */
  rounds: number
  /** Seconds of each baseline, renew and fetch-rate run. */
  sliceSeconds: number
  /** Sequential fetches of the 10,000-instance app. */
  fetchLatencyRequests: number
  /** Rounds of each wake measurement (latencies pooled). */
  wakeRounds: number
  /** Restarts for reload_ms_10k (median). */
  reloads: number
  /** Fresh servers (and as many floors) for rss_kb_per_held_poll (median). */
  memoryRounds: number
  /** Seconds of the idle window of idle_object_wakes_per_min (heartbeats every 30 s). */
  idleSeconds: number
  /** Rounds of session_wake_p99_ms_10000 (10,000 sessions each). */
  wakeRounds10k: number
  /** Kills for session_death_ms (median). */
  deaths: number
}

export interface Options {
  profile: Profile
  json: string | undefined
}

const FULL: Profile = {
  name: 'full',
  rounds: 5,
  sliceSeconds: 5,
  fetchLatencyRequests: 50,
  wakeRounds: 5,
  reloads: 3,
  memoryRounds: 3,
  idleSeconds: 120,
  wakeRounds10k: 2,
  deaths: 3,
}
const QUICK: Profile = {
  name: 'quick',
  rounds: 3,
  sliceSeconds: 3,
  fetchLatencyRequests: 15,
  wakeRounds: 3,
  reloads: 1,
  memoryRounds: 1,
  idleSeconds: 60,
  wakeRounds10k: 1,
  deaths: 1,
}

export const USAGE = `npm run bench [-- --quick] [-- --json FILE]

Builds the worker, serves it with Miniflare in a child process and measures the registry from
this process; then etcd side by side (when etcd is on PATH) and sessions on a second server.
--quick: shorter runs (about 5 minutes); the full run takes about 8 minutes.
--json FILE: also write the figures (null where not measured), targets, verdicts and notes
as one JSON object.`

export function parseOptions(argv: string[]): Options | 'help' {
  let quick = false
  let json: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') quick = true
    else if (arg === '--json') {
      json = argv[++i]
      if (!json) throw new Error('--json needs a file name')
    } else if (arg?.startsWith('--json=')) json = arg.slice('--json='.length)
    else if (arg === '--help' || arg === '-h') return 'help'
    else throw new Error(`unknown argument ${arg}\n\n${USAGE}`)
  }
  return { profile: quick ? QUICK : FULL, json }
}
