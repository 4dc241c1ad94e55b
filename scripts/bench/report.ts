/**
 * The results: a plain-text table (figure, value, target, measured ratio or value, verdict;
 * `-` and `n/a` where a figure is null), the comparisons with the floors and with etcd, and
 * the JSON object of `--json` (every figure, null where not measured, plus `targets`: each
 * target's text, measured ratio or value, and pass; and `notes`: why figures are null).
 */
import { writeFileSync } from 'node:fs'
import {
  FIGURE_KEYS,
  FIGURES,
  type FigureKey,
  type Figures,
  judge,
  round,
  type Unit,
} from './figures.ts'

const DIGITS: Record<Unit, number> = {
  'req/s': 0,
  ms: 1,
  MiB: 0,
  KiB: 1,
  'wakes/min': 1,
  'USD/month': 3,
}
const digitsOf = (unit: Unit): number => DIGITS[unit]

/** Above this many cores used by other processes during a step, the run counts as disturbed. */
const NOISY_CORES = 0.25

/**
 * Figures rounded for display and JSON: rates and MiB to units, milliseconds and KiB to 0.1, USD
 * to 0.001.
 */
export function rounded(figures: Figures): Figures {
  const out = { ...figures }
  for (const key of FIGURE_KEYS) {
    const value = figures[key]
    out[key] = value === null ? null : round(value, digitsOf(FIGURES[key].unit))
  }
  return out
}

export function table(figures: Figures): string {
  const verdicts = judge(figures)
  const rows = [['figure', 'value', 'target', 'measured', 'result']]
  for (const key of FIGURE_KEYS) {
    const { unit } = FIGURES[key]
    const v = verdicts[key]
    const value = figures[key]
    rows.push([
      key,
      value === null ? '-' : `${value.toFixed(digitsOf(unit))} ${unit}`,
      v?.target ?? '',
      v ? String(v.measured ?? '-') : '',
      v ? (v.pass === null ? 'n/a' : v.pass ? 'pass' : 'FAIL') : '',
    ])
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  const cell = (text: string, i: number) =>
    i === 1 ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)
  const line = (r: string[]) => r.map(cell).join('  ').trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n')
}

/** a / b to `digits`, or `-` when either is missing. */
const ratio = (a: number | null, b: number | null, digits: number): string =>
  a === null || b === null ? '-' : (a / b).toFixed(digits)

/** How renew, wake and held-poll memory compare with the runtime's floors measured in the same run. */
export function floorNote(figures: Figures): string {
  const renew = ratio(figures.renew_rps, figures.renew_floor_rps, 2)
  const floorRatio = ratio(figures.renew_floor_rps, figures.baseline_rps, 3)
  const wake = ratio(figures.wake_p99_ms_1000, figures.wake_floor_p99_ms_1000, 2)
  const held = ratio(figures.rss_kb_per_held_poll, figures.rss_floor_kb_per_held_poll, 2)
  return [
    `renew_rps is ${renew} x renew_floor_rps, itself ${floorRatio} x baseline_rps: ` +
      'what the runtime allows a renew before the registry does anything',
    `wake_p99_ms_1000 is ${wake} x wake_floor_p99_ms_1000: ` +
      'what the runtime takes to wake 1,000 held requests through its Worker-to-object bridge',
    `rss_kb_per_held_poll is ${held} x rss_floor_kb_per_held_poll: ` +
      'what the runtime keeps for a held request and its socket to an object',
  ].join('\n')
}

/**
 * The registry next to etcd measured in the same run: heartbeats and renews against lease
 * keepalives, pushed and polled wake-ups against watch events; only pairs with both figures.
 */
export function etcdNote(figures: Figures): string {
  const pairs = (keys: FigureKey[], of: FigureKey) => {
    const base = figures[of]
    const parts = keys.flatMap((key) => {
      const value = figures[key]
      return value === null || base === null ? [] : [`${key} ${(value / base).toFixed(2)} x`]
    })
    return parts.length === 0 ? [] : [`${parts.join(', ')} ${of}`]
  }
  const lines = [
    ...pairs(['session_ping_rps', 'renew_rps'], 'etcd_keepalive_rps'),
    ...pairs(['session_wake_p99_ms_1000', 'wake_p99_ms_1000'], 'etcd_wake_p99_ms_1000'),
  ]
  return lines
    .map((line, i) => `${i === 0 ? 'against etcd: ' : '              '}${line}`)
    .join('\n')
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

/** Write the figures, the verdicts and the notes (why figures are null) as one JSON object. */
export function writeJson(file: string, figures: Figures, notes: string[] = []): void {
  const json = { ...figures, targets: judge(figures), notes }
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
}
