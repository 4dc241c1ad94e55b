/**
 * `npm run stress -- URL [--count N] [--concurrency C] [--seconds S] [--seed X]`: the
 * malformed stream (malformed-stream.ts) against a running registry, e.g. `npm start`'s
 * http://127.0.0.1:7171. Registers the instances the stream aims at, sends the stream, prints
 * the histogram by status and envelope code and any server error with its request. Exits 1
 * when any answer was a 5xx or -500, or a request got no answer where one was due.
 */
import { parseArgs } from 'node:util'
import { report, runStream } from './malformed-stream.ts'

const USAGE = `npm run stress -- URL [--count 50000] [--concurrency 32] [--seconds 900] [--seed 1]

Sends a stream of malformed requests to every /discovery route of the registry at URL (the
end-to-end fuzz's requests plus bodies on GETs, truncated bodies, fields repeated thousands of
times, near-limit fields, wrong content types), each on a new connection, and prints how they
were answered. Auth must be off (as npm start runs). Stops at --count or after --seconds.`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '900' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
})
const url = positionals[0]
if (values.help || !url) {
  console.log(USAGE)
  process.exit(values.help ? 0 : 2)
}
const number = (name: string, text: string) => {
  const n = Number(text)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`)
  return n
}
const options = {
  url: url.replace(/\/$/, ''),
  count: number('count', values.count),
  concurrency: number('concurrency', values.concurrency),
  seconds: number('seconds', values.seconds),
  seed: number('seed', values.seed),
}
const started = performance.now()
const result = await runStream({
  ...options,
  onProgress: (done) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0)
    process.stderr.write(`${done}/${options.count} answered (${seconds} s)\n`)
  },
})
console.log(report(result))
process.exit(result.serverErrors > 0 || result.lost > 0 ? 1 : 0)
