/**
 * The benchmark's figures (the keys of its JSON object), what each one means, and the
 * targets: a ratio to baseline_rps measured in the same run, or a ceiling in milliseconds.
 */

export const FIGURE_KEYS = [
  'baseline_rps',
  'register_rps',
  'renew_rps',
  'renew_floor_rps',
  'fetch_rps_1k',
  'fetch_p50_ms_10k',
  'wake_p50_ms_1000',
  'wake_p99_ms_1000',
  'wake_floor_p99_ms_1000',
  'wake_p99_ms_polls_20',
  'reload_ms_10k',
  'rss_mb_10k',
] as const

export type FigureKey = (typeof FIGURE_KEYS)[number]
export type Figures = Record<FigureKey, number>

export const FIGURES: Record<FigureKey, { unit: string; meaning: string }> = {
  baseline_rps: { unit: 'req/s', meaning: 'GET /discovery/nodes: the Worker alone, no object' },
  register_rps: { unit: 'req/s', meaning: 'registers of new instances into one app (10,000)' },
  renew_rps: { unit: 'req/s', meaning: 'renews of the 10,000 instances of one app, in turn' },
  renew_floor_rps: {
    unit: 'req/s',
    meaning: 'the same on an object that does nothing: the runtime alone',
  },
  fetch_rps_1k: { unit: 'req/s', meaning: 'fetches of a whole 1,000-instance app' },
  fetch_p50_ms_10k: { unit: 'ms', meaning: 'one fetch of a whole 10,000-instance app, median' },
  wake_p50_ms_1000: { unit: 'ms', meaning: '1,000 held polls on one app: register to answer, p50' },
  wake_p99_ms_1000: { unit: 'ms', meaning: 'the same, 99th percentile' },
  wake_floor_p99_ms_1000: {
    unit: 'ms',
    meaning: 'the same on a bare Worker-to-object bridge: the runtime alone',
  },
  wake_p99_ms_polls_20: { unit: 'ms', meaning: '500 held polls on 20 apps, one app changes: p99' },
  reload_ms_10k: { unit: 'ms', meaning: 'first fetch of a 10,000-instance app after a restart' },
  rss_mb_10k: { unit: 'MiB', meaning: 'workerd RSS with a 10,000-instance app + 100 apps of 100' },
}

export type Target =
  | { key: FigureKey; kind: 'ratio'; min: number }
  | { key: FigureKey; kind: 'ceiling'; max: number }

export const TARGETS: Target[] = [
  { key: 'renew_rps', kind: 'ratio', min: 0.6 },
  { key: 'register_rps', kind: 'ratio', min: 0.3 },
  { key: 'wake_p99_ms_1000', kind: 'ceiling', max: 150 },
  { key: 'wake_p99_ms_polls_20', kind: 'ceiling', max: 150 },
  { key: 'fetch_p50_ms_10k', kind: 'ceiling', max: 80 },
  { key: 'reload_ms_10k', kind: 'ceiling', max: 500 },
]

export interface Verdict {
  /** e.g. ">= 0.6 x baseline_rps" or "<= 150 ms" */
  target: string
  /** The ratio to baseline_rps for ratio targets, else the figure itself. */
  measured: number
  pass: boolean
}

export function judge(figures: Figures): Partial<Record<FigureKey, Verdict>> {
  const verdicts: Partial<Record<FigureKey, Verdict>> = {}
  for (const t of TARGETS) {
    if (t.kind === 'ratio') {
      // judged unrounded: 0.29975 shows as 0.3 but misses a 0.3 target
      const ratio = figures[t.key] / figures.baseline_rps
      const target = `>= ${t.min} x baseline_rps`
      verdicts[t.key] = { target, measured: round(ratio, 3), pass: ratio >= t.min }
    } else {
      const value = figures[t.key]
      const target = `<= ${t.max} ${FIGURES[t.key].unit}`
      verdicts[t.key] = { target, measured: value, pass: value <= t.max }
    }
  }
  return verdicts
}

export const round = (value: number, digits: number): number => Number(value.toFixed(digits))
