/**
 * The benchmark's figures (the keys of its JSON object), what each one means, and the
 * targets: a ratio to another figure measured in the same run (baseline_rps, or etcd's), or
 * a ceiling. A figure the run could not measure (no etcd on PATH, a server without sessions)
 * is null, and so is every verdict that needs it.
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
  'rss_kb_per_held_poll',
  'rss_floor_kb_per_held_poll',
  'etcd_keepalive_rps',
  'etcd_wake_p99_ms_1000',
  'session_ping_rps',
  'session_wake_p99_ms_1000',
  'session_wake_p99_ms_10000',
  'session_death_ms',
  'idle_object_wakes_per_min',
  'cost_http_usd_per_1k_instances_month',
  'cost_http_usd_per_1k_watchers_month',
  'cost_session_usd_per_1k_instances_month',
  'cost_session_usd_per_1k_watchers_month',
  'cost_session_pings_billed_usd_per_1k_instances_month',
  'cost_session_pings_billed_usd_per_1k_watchers_month',
] as const

export type FigureKey = (typeof FIGURE_KEYS)[number]
/** Every figure; null when the run could not measure it (its notes say why). */
export type Figures = Record<FigureKey, number | null>

export type Unit = 'req/s' | 'ms' | 'MiB' | 'KiB' | 'wakes/min' | 'USD/month'

export const FIGURES: Record<FigureKey, { unit: Unit; meaning: string }> = {
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
  rss_kb_per_held_poll: {
    unit: 'KiB',
    meaning: 'workerd RSS per held poll: 2,000 polls over 20 apps, each on its own connection',
  },
  rss_floor_kb_per_held_poll: {
    unit: 'KiB',
    meaning: 'the same on a bare Worker-to-object bridge: the runtime alone',
  },
  etcd_keepalive_rps: {
    unit: 'req/s',
    meaning: 'etcd 3.4 lease keepalives through its HTTP/JSON gateway, as renews are sent',
  },
  etcd_wake_p99_ms_1000: {
    unit: 'ms',
    meaning: '1,000 etcd gateway watches on one key: put to each event, p99',
  },
  session_ping_rps: {
    unit: 'req/s',
    meaning: 'session heartbeats answered (pongs) per second over 200 sessions, pipelined',
  },
  session_wake_p99_ms_1000: {
    unit: 'ms',
    meaning: '1,000 sessions watching one app: HTTP register to each delta, p99',
  },
  session_wake_p99_ms_10000: { unit: 'ms', meaning: 'the same with 10,000 sessions' },
  session_death_ms: {
    unit: 'ms',
    meaning: 'SIGKILL of a session owner to its instance gone from fetch (3 s grace)',
  },
  idle_object_wakes_per_min: {
    unit: 'wakes/min',
    meaning: "object wake-ups a minute while 1,000 sessions only heartbeat (the app's object)",
  },
  cost_http_usd_per_1k_instances_month: {
    unit: 'USD/month',
    meaning: '1,000 instances renewing over HTTP every 30 s, a month',
  },
  cost_http_usd_per_1k_watchers_month: {
    unit: 'USD/month',
    meaning: '1,000 watchers holding 30 s long polls, a month',
  },
  cost_session_usd_per_1k_instances_month: {
    unit: 'USD/month',
    meaning: '1,000 instances kept by sessions (heartbeats auto-answered), a month',
  },
  cost_session_usd_per_1k_watchers_month: {
    unit: 'USD/month',
    meaning: '1,000 watchers on sessions (deltas pushed), a month',
  },
  cost_session_pings_billed_usd_per_1k_instances_month: {
    unit: 'USD/month',
    meaning: 'the same as sessions for instances, were heartbeats billed at 20:1',
  },
  cost_session_pings_billed_usd_per_1k_watchers_month: {
    unit: 'USD/month',
    meaning: 'the same as sessions for watchers, were heartbeats billed at 20:1',
  },
}

/**
 * A target: `ratio` holds key / of within [min, max] (`of` defaults to baseline_rps), a
 * `ceiling` holds the figure itself at most `max` (in its unit).
 */
export type Target =
  | { key: FigureKey; kind: 'ratio'; min: number; of?: FigureKey }
  | { key: FigureKey; kind: 'ratio'; max: number; of: FigureKey }
  | { key: FigureKey; kind: 'ceiling'; max: number }

/** The ceiling of both session cost figures (USD per 1,000 a month). */
export const SESSION_COST_CEILING_USD = 1

export const TARGETS: Target[] = [
  { key: 'renew_rps', kind: 'ratio', min: 0.6 },
  { key: 'register_rps', kind: 'ratio', min: 0.3 },
  { key: 'wake_p99_ms_1000', kind: 'ceiling', max: 150 },
  { key: 'wake_p99_ms_polls_20', kind: 'ceiling', max: 150 },
  { key: 'fetch_p50_ms_10k', kind: 'ceiling', max: 80 },
  { key: 'reload_ms_10k', kind: 'ceiling', max: 500 },
  { key: 'session_ping_rps', kind: 'ratio', min: 1, of: 'etcd_keepalive_rps' },
  { key: 'session_wake_p99_ms_1000', kind: 'ratio', max: 1, of: 'etcd_wake_p99_ms_1000' },
  { key: 'session_wake_p99_ms_10000', kind: 'ceiling', max: 1000 },
  {
    key: 'cost_session_usd_per_1k_instances_month',
    kind: 'ceiling',
    max: SESSION_COST_CEILING_USD,
  },
  { key: 'cost_session_usd_per_1k_watchers_month', kind: 'ceiling', max: SESSION_COST_CEILING_USD },
]

export interface Verdict {
  /** e.g. ">= 0.6 x baseline_rps" or "<= 150 ms" */
  target: string
  /** The ratio for ratio targets, else the figure itself; null when a figure is missing. */
  measured: number | null
  /** null when a figure it needs is missing. */
  pass: boolean | null
}

export function judge(figures: Figures): Partial<Record<FigureKey, Verdict>> {
  const verdicts: Partial<Record<FigureKey, Verdict>> = {}
  for (const t of TARGETS) {
    const value = figures[t.key]
    if (t.kind === 'ratio') {
      const of = t.of ?? 'baseline_rps'
      const base = figures[of]
      const target = 'min' in t ? `>= ${t.min} x ${of}` : `<= ${t.max} x ${of}`
      if (value === null || base === null) {
        verdicts[t.key] = { target, measured: null, pass: null }
        continue
      }
      // judged unrounded: 0.29975 shows as 0.3 but misses a 0.3 target
      const ratio = value / base
      const pass = 'min' in t ? ratio >= t.min : ratio <= t.max
      verdicts[t.key] = { target, measured: round(ratio, 3), pass }
    } else {
      const target = `<= ${t.max} ${FIGURES[t.key].unit}`
      verdicts[t.key] =
        value === null
          ? { target, measured: null, pass: null }
          : { target, measured: value, pass: value <= t.max }
    }
  }
  return verdicts
}

export const round = (value: number, digits: number): number => Number(value.toFixed(digits))
