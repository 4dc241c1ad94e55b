/**
 * The results: a plain-text table (figure, value, target, measured ratio or value, verdict)
 * and the JSON object of `--json` (the ten figures, plus `targets`: each target's text,
 * measured ratio or value, and pass).
 */
import { writeFileSync } from 'node:fs'
import { FIGURE_KEYS, FIGURES, type Figures, judge, round } from './figures.ts'

const digitsOf = (unit: string): number => (unit === 'ms' ? 1 : 0)

/** Above this many cores used by other processes during a step, the run counts as disturbed. */
const NOISY_CORES = 0.25

/** Figures rounded for display and JSON: rates and MiB to units, milliseconds to 0.1. */
export function rounded(figures: Figures): Figures {
  const out = { ...figures }
  for (const key of FIGURE_KEYS) out[key] = round(figures[key], digitsOf(FIGURES[key].unit))
  return out
}

export function table(figures: Figures): string {
  const verdicts = judge(figures)
  const rows = [['figure', 'value', 'target', 'measured', 'result']]
  for (const key of FIGURE_KEYS) {
    const { unit } = FIGURES[key]
    const v = verdicts[key]
    rows.push([
      key,
      `${figures[key].toFixed(digitsOf(unit))} ${unit}`,
      v?.target ?? '',
      v ? String(v.measured) : '',
      v ? (v.pass ? 'pass' : 'FAIL') : '',
    ])
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  const cell = (text: string, i: number) =>
    i === 1 ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)
  const line = (r: string[]) => r.map(cell).join('  ').trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n')
}

/** How renew and wake compare with the runtime's floors measured in the same run. */
export function floorNote(figures: Figures): string {
  const renew = figures.renew_rps / figures.renew_floor_rps
  const floorRatio = figures.renew_floor_rps / figures.baseline_rps
  const wake = figures.wake_p99_ms_1000 / figures.wake_floor_p99_ms_1000
  return [
    `renew_rps is ${renew.toFixed(2)} x renew_floor_rps, itself ${floorRatio.toFixed(3)} x baseline_rps: ` +
      'what the runtime allows a renew before the registry does anything',
    `wake_p99_ms_1000 is ${wake.toFixed(2)} x wake_floor_p99_ms_1000: ` +
      'what the runtime takes to wake 1,000 held requests through its Worker-to-object bridge',
  ].join('\n')
}

/** How busy the rest of the machine was while measuring, and whether to trust the run. */
export function summary(others: number[]): string {
  const mean = others.reduce((a, b) => a + b, 0) / Math.max(1, others.length)
  const worst = Math.max(0, ...others)
  const verdict = worst > NOISY_CORES ? 'disturbed: rerun when the machine is quieter' : 'quiet'
  return (
    `other processes used ${mean.toFixed(2)} cores on average, ` +
    `${worst.toFixed(2)} at most during a step (${verdict})`
  )
}

export function writeJson(file: string, figures: Figures): void {
  writeFileSync(file, `${JSON.stringify({ ...figures, targets: judge(figures) }, null, 2)}\n`)
}
