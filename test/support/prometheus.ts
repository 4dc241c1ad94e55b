/**
 * Checking /metrics output with real parsers: Debian's `promtool check metrics` when it is
 * installed (`apt-get install prometheus`; .ci/run installs it), and always the npm package
 * parse-prometheus-text-format, so the test never depends on the machine alone.
 */
import { spawnSync } from 'node:child_process'
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format'

/** Where promtool is, or undefined (PROMTOOL_PATH overrides the default). */
export const PROMTOOL = (() => {
  const path = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool'
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8' })
  return probe.status === 0 ? path : undefined
})()

/** promtool's verdict on `text`: its exit code and what it printed (lint problems included). */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  if (!PROMTOOL) throw new Error('promtool is not installed')
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() }
}

/** The families of `text`, parsed by parse-prometheus-text-format (throws when malformed). */
export const parseMetrics = (text: string): Family[] => parsePrometheusTextFormat(text)

/** The value of `name` with exactly `labels`, or undefined. */
export function sampleValue(
  families: Family[],
  name: string,
  labels: Record<string, string> = {}
): number | undefined {
  const family = families.find((f) => f.name === name)
  const sample = family?.metrics.find(
    (m) => JSON.stringify(sortKeys(m.labels ?? {})) === JSON.stringify(sortKeys(labels))
  )
  return sample?.value === undefined ? undefined : Number(sample.value)
}

const sortKeys = (o: Record<string, string>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)))
