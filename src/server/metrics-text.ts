/**
 * Reports (app-report.ts) → the Prometheus text exposition format, version 0.0.4: one HELP and
 * TYPE line per family, its samples together, label values escaped. Per app (labels `appid`,
 * `env`) and summed over the apps of the scrape (`discovery_registry_*`). Pure: the Worker
 * gathers the reports (routes/metrics.ts).
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
import type { AppReport } from './app-report.ts'
import type { ReportOutcome } from './app-reports.ts'

/** The media type of this format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** What one scrape covers. */
export interface MetricsInput {
  version: string
  /** Apps the catalog lists that the caller may see. */
  apps: number
  /** The reports asked for (at most the scrape's cap), in order. */
  outcomes: readonly ReportOutcome[]
}

type Labels = Record<string, string>
type Sample = [Labels, number]

interface Family {
  name: string
  type: 'gauge' | 'counter'
  help: string
  samples: Sample[]
}

/** The exposition text of one scrape. */
export function metricsText(input: MetricsInput): string {
  const reports = input.outcomes.flatMap((o) => (o.ok ? [o.report] : []))
  const unreachable = input.outcomes.length - reports.length
  /** One sample per app (none where `value` is null), labelled with the app and `labels`. */
  const perApp = (value: (r: AppReport) => number | null, labels: Labels = {}): Sample[] =>
    reports.flatMap((r): Sample[] => {
      const v = value(r)
      return v === null ? [] : [[{ appid: r.appid, env: r.env, ...labels }, v]]
    })
  const sum = (value: (r: AppReport) => number | null) =>
    reports.reduce((total, r) => total + (value(r) ?? 0), 0)
  const window = (r: AppReport) => `${r.guard.windowMs / 1000}`

  const families: Family[] = [
    {
      name: 'discovery_build_info',
      type: 'gauge',
      help: "The registry's version (always 1).",
      samples: [[{ version: input.version }, 1]],
    },
    // per app
    {
      name: 'discovery_app_instances',
      type: 'gauge',
      help: 'Instances of the app by status (up: receives traffic, waiting: registered, drained).',
      samples: [
        ...perApp((r) => r.up, { status: 'up' }),
        ...perApp((r) => r.waiting, { status: 'waiting' }),
      ],
    },
    {
      name: 'discovery_app_held_polls',
      type: 'gauge',
      help: 'Long polls holding a socket on the app now.',
      samples: perApp((r) => r.heldPolls),
    },
    {
      name: 'discovery_app_sessions',
      type: 'gauge',
      help: 'Sessions (WebSockets) connected to the app now.',
      samples: perApp((r) => r.sessions),
    },
    {
      name: 'discovery_app_renews_last_window',
      type: 'gauge',
      help: 'Renews counted in the last self-preservation window (label window_seconds: two renew intervals); an instance held by a live session counts as renewing. Absent before the first full window.',
      samples: reports.flatMap((r): Sample[] =>
        r.guard.renews === null
          ? []
          : [[{ appid: r.appid, env: r.env, window_seconds: window(r) }, r.guard.renews]]
      ),
    },
    {
      name: 'discovery_app_renews_expected',
      type: 'gauge',
      help: 'Renews expected per self-preservation window: two per instance.',
      samples: reports.map(
        (r): Sample => [{ appid: r.appid, env: r.env, window_seconds: window(r) }, r.guard.expected]
      ),
    },
    {
      name: 'discovery_app_self_preservation',
      type: 'gauge',
      help: '1 while self-preservation pauses eviction for the app, else 0.',
      samples: perApp((r) => (r.guard.protecting ? 1 : 0)),
    },
    {
      name: 'discovery_app_registers_total',
      type: 'counter',
      help: "Registers since the app's object started.",
      samples: perApp((r) => r.counts.registers),
    },
    {
      name: 'discovery_app_cancels_total',
      type: 'counter',
      help: "Cancels since the app's object started.",
      samples: perApp((r) => r.counts.cancels),
    },
    {
      name: 'discovery_app_sets_total',
      type: 'counter',
      help: "Sets (status or metadata changes, one per instance) since the app's object started.",
      samples: perApp((r) => r.counts.sets),
    },
    {
      name: 'discovery_app_evictions_total',
      type: 'counter',
      help: "Evictions since the app's object started, by cause (lease: silent past its lease; session: its session closed and did not come back).",
      samples: [
        ...perApp((r) => r.counts.evictions.lease, { cause: 'lease' }),
        ...perApp((r) => r.counts.evictions.session, { cause: 'session' }),
      ],
    },
    {
      name: 'discovery_app_object_start_time_seconds',
      type: 'gauge',
      help: "When the app's object started (the counters count from there), Unix time.",
      samples: perApp((r) => r.startedMs / 1000),
    },
    {
      name: 'discovery_app_last_change_time_seconds',
      type: 'gauge',
      help: 'When the app last changed (its latest_timestamp), Unix time; absent when it has no instance.',
      samples: perApp((r) => (r.up + r.waiting === 0 ? null : r.lastChangeMs / 1000)),
    },
    // over the apps of this scrape
    {
      name: 'discovery_registry_apps',
      type: 'gauge',
      help: 'Apps (appid + env) the catalog lists, of those the caller may see.',
      samples: [[{}, input.apps]],
    },
    {
      name: 'discovery_registry_apps_unreported',
      type: 'gauge',
      help: 'Apps left out of this scrape: their object did not answer in time, or past the per-scrape cap.',
      samples: [[{}, unreachable + (input.apps - input.outcomes.length)]],
    },
    {
      name: 'discovery_registry_apps_self_preserving',
      type: 'gauge',
      help: 'Apps whose eviction self-preservation pauses now.',
      samples: [[{}, reports.filter((r) => r.guard.protecting).length]],
    },
    {
      name: 'discovery_registry_instances',
      type: 'gauge',
      help: 'Instances of every reported app, by status.',
      samples: [
        [{ status: 'up' }, sum((r) => r.up)],
        [{ status: 'waiting' }, sum((r) => r.waiting)],
      ],
    },
    {
      name: 'discovery_registry_held_polls',
      type: 'gauge',
      help: 'Long polls holding a socket, over every reported app.',
      samples: [[{}, sum((r) => r.heldPolls)]],
    },
    {
      name: 'discovery_registry_sessions',
      type: 'gauge',
      help: 'Sessions connected, over every reported app.',
      samples: [[{}, sum((r) => r.sessions)]],
    },
    {
      name: 'discovery_registry_renews_last_window',
      type: 'gauge',
      help: 'Renews in the last self-preservation window, over every reported app that has a full window.',
      samples: [[{}, sum((r) => r.guard.renews)]],
    },
    {
      name: 'discovery_registry_renews_expected',
      type: 'gauge',
      help: 'Renews expected per self-preservation window, over every reported app.',
      samples: [[{}, sum((r) => r.guard.expected)]],
    },
    {
      name: 'discovery_registry_registers_total',
      type: 'counter',
      help: 'Registers over every reported app, each counted since its object started.',
      samples: [[{}, sum((r) => r.counts.registers)]],
    },
    {
      name: 'discovery_registry_cancels_total',
      type: 'counter',
      help: 'Cancels over every reported app, each counted since its object started.',
      samples: [[{}, sum((r) => r.counts.cancels)]],
    },
    {
      name: 'discovery_registry_evictions_total',
      type: 'counter',
      help: 'Evictions over every reported app, by cause, each counted since its object started.',
      samples: [
        [{ cause: 'lease' }, sum((r) => r.counts.evictions.lease)],
        [{ cause: 'session' }, sum((r) => r.counts.evictions.session)],
      ],
    },
  ]
  return families.map(familyText).join('')
}

function familyText(family: Family): string {
  const lines = [
    `# HELP ${family.name} ${escapeHelp(family.help)}`,
    `# TYPE ${family.name} ${family.type}`,
    ...family.samples.map(([labels, value]) => `${family.name}${labelText(labels)} ${value}`),
  ]
  return `${lines.join('\n')}\n`
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`)
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`
}

/** Label values: backslash, double quote and line feed are escaped. */
const escapeLabel = (value: string): string =>
  value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')

/** HELP text: backslash and line feed are escaped. */
const escapeHelp = (value: string): string => value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')
