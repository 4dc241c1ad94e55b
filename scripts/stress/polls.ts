/**
 * `npm run stress:polls -- URL [--polls 5000] [--apps 50] [--hold-seconds 5] [--seconds 30]
 * [--ramp-seconds 5]`:
 * held polls under load (held-polls.ts) against a running registry whose own hold is at least
 * --hold-seconds (npm start holds 30 s), and how long each took. Exits 1 when any poll ended
 * past hold + 2 s or its connection failed.
 */
import { parseArgs } from 'node:util'
import { lateCount, pollsReport, runHeldPolls } from './held-polls.ts'

const USAGE = `npm run stress:polls -- URL [--polls 5000] [--apps 50] [--hold-seconds 5]
  [--seconds 30] [--ramp-seconds <hold>]

Holds --polls long polls over --apps fresh apps on the registry at URL, each on its own
keep-alive connection and polled again at once when answered, for --seconds; the hold is set
per request with x1-bmspy-timeout. The clients start evenly over --ramp-seconds (default: one
hold; 0: all at once). Prints the distribution of poll durations. Needs an open file limit
above --polls (ulimit -n).`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    polls: { type: 'string', default: '5000' },
    apps: { type: 'string', default: '50' },
    'hold-seconds': { type: 'string', default: '5' },
    seconds: { type: 'string', default: '30' },
    'ramp-seconds': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
const url = positionals[0]
if (values.help || !url) {
  console.log(USAGE)
  process.exit(values.help ? 0 : 2)
}
const number = (name: string, text: string, min = Number.MIN_VALUE) => {
  const n = Number(text)
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`)
  return n
}
const holdMs = number('hold-seconds', values['hold-seconds']) * 1000
const result = await runHeldPolls({
  url: url.replace(/\/$/, ''),
  polls: number('polls', values.polls),
  apps: number('apps', values.apps),
  holdMs,
  seconds: number('seconds', values.seconds),
  rampSeconds: number('ramp-seconds', values['ramp-seconds'] ?? String(holdMs / 1000), 0),
})
console.log(pollsReport(result, holdMs))
const late = lateCount(result.durations, holdMs)
process.exit(late > 0 || result.failures.size > 0 ? 1 : 0)
