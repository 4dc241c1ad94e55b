/**
 * `npm run bench [-- --quick] [-- --json FILE]`: build the worker, serve it with Miniflare in
 * a child process (serve.ts), measure it from this process (run.ts), print the table, the
 * comparisons, the cost model and why any figure is null, and optionally write the JSON
 * object. What each figure means: docs/performance.md.
 */
import { costNote } from './cost.ts'
import { SESSION_COST_CEILING_USD } from './figures.ts'
import { parseOptions, USAGE } from './options.ts'
import { etcdNote, floorNote, rounded, summary, table, writeJson } from './report.ts'
import { run } from './run.ts'

const options = parseOptions(process.argv.slice(2))
if (options === 'help') {
  console.log(USAGE)
} else {
  const started = performance.now()
  const { figures, others, notes, cost } = await run(options.profile)
  const seconds = ((performance.now() - started) / 1000).toFixed(0)
  console.log(`\nedge-discovery benchmark (${options.profile.name}, ${seconds} s)\n`)
  console.log(table(rounded(figures)))
  console.log(`\n${floorNote(figures)}`)
  const etcd = etcdNote(figures)
  if (etcd) console.log(etcd)
  console.log(`\n${costNote(cost, SESSION_COST_CEILING_USD)}\n`)
  for (const note of notes) console.log(`note: ${note}`)
  console.log(summary(others))
  if (options.json) {
    writeJson(options.json, rounded(figures), notes)
    console.log(`wrote ${options.json}`)
  }
}
