/**
 * The console's pages as Hono JSX, rendered on the server: readable without JavaScript. A page
 * is a shell (header, filters, the confirmation dialog) around one view (the overview, an app,
 * sign-in, a problem); the script (assets.ts) fetches a view again with the caller's token to
 * keep it live, and swaps it in. Every value is escaped by JSX; nothing here decides access
 * (ops-access.ts does) or reads storage (console-data.ts does).
 */
import type { Child } from 'hono/jsx'
import type { AppReport, InstanceRow } from '../app-report.ts'
import type { ReportOutcome } from '../app-reports.ts'
import type { ConsoleRights } from '../ops-access.ts'
import type { HistoryEntry } from '../registry-store.ts'
import { ASSETS } from './assets.ts'
import {
  type AppData,
  type AppQuery,
  CONSOLE_APPS_MAX,
  filtersInstances,
  type OverviewData,
  type OverviewQuery,
  type QueryProblem,
} from './console-data.ts'
import { ago, duration, isoTime, plural, utc } from './format.ts'

/** What every page knows of the registry it runs in. */
export interface PageContext {
  auth: 'off' | 'tokens'
  /** The registry's zone and region, shown to callers who may read. */
  zone?: string
  region?: string
  /** Lease length: an instance silent this long is evicted. */
  evictAfterMs: number
  version: string
  nowMs: number
}

/** Which filter form the shell shows, with the values of the query. */
export type FilterForm =
  | { kind: 'overview'; appid: string; env: string; hostname: string; meta: string }
  | { kind: 'app'; appid: string; env: string; hostname: string; meta: string }

/** The whole document: the shell around `children` (one view). */
export function Page(props: {
  context: PageContext
  title: string
  filters: FilterForm | undefined
  children: Child
}) {
  const { context } = props
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${props.title} · edge-discovery`}</title>
        <link rel="icon" href={ASSETS.icon.url} type="image/svg+xml" />
        <link rel="stylesheet" href={ASSETS.css.url} />
        {/* not deferred: it marks the page before the first paint (has a token, has JS) */}
        <script src={ASSETS.js.url} />
      </head>
      <body data-auth={context.auth}>
        <header class="top">
          <a class="brand" href="/">
            <img src={ASSETS.icon.url} alt="" width="22" height="22" />
            <span>edge-discovery</span>
          </a>
          {context.zone ? (
            <span class="registry" title="this registry's zone and region">
              {context.zone} · {context.region}
            </span>
          ) : null}
          {context.auth === 'off' ? (
            <span
              class="chip warn"
              title="AUTH=off: anyone who reaches this registry may read and change it"
            >
              auth off
            </span>
          ) : null}
          <span class="spacer" />
          <span id="conn" class="conn js-only" data-state="connecting" role="status">
            <span class="dot" />
            <span class="conn-text">Connecting…</span>
          </span>
        </header>
        <main>
          {props.filters ? <Filters form={props.filters} /> : null}
          <p id="offline" class="offline js-only" role="alert" hidden>
            Lost the connection to the registry: what this page shows may be out of date. It keeps
            trying, and updates as soon as the registry answers.
          </p>
          <div id="view">{props.children}</div>
          <noscript>
            <p class="muted small">
              Without JavaScript this page does not update by itself, and actions are off: reload to
              see changes.
            </p>
          </noscript>
        </main>
        <footer class="foot muted small">
          edge-discovery {context.version} · <a href="/health">health</a> ·{' '}
          <a href="/metrics">metrics</a>
        </footer>
        <ConfirmDialog />
        <div id="toast" class="toast" role="status" aria-live="polite" />
      </body>
    </html>
  )
}

function Filters(props: { form: FilterForm }) {
  const { form } = props
  return (
    <search>
      <form class="filters" method="get" action={form.kind === 'app' ? '/app' : '/'}>
        {form.kind === 'app' ? (
          <>
            <input type="hidden" name="appid" value={form.appid} />
            <input type="hidden" name="env" value={form.env} />
          </>
        ) : (
          <>
            <label>
              <span>App</span>
              <input
                name="appid"
                value={form.appid}
                placeholder="appid contains…"
                autocomplete="off"
              />
            </label>
            <label class="narrow">
              <span>Env</span>
              <input name="env" value={form.env} placeholder="any" autocomplete="off" />
            </label>
          </>
        )}
        <label>
          <span>Hostname</span>
          <input
            name="hostname"
            value={form.hostname}
            placeholder="hostname contains…"
            autocomplete="off"
          />
        </label>
        <label>
          <span>Metadata</span>
          <input name="meta" value={form.meta} placeholder="key or key=value" autocomplete="off" />
        </label>
        <div class="filter-buttons">
          <button type="submit" class="primary">
            Filter
          </button>
          {form.hostname || form.meta || (form.kind === 'overview' && (form.appid || form.env)) ? (
            <a
              class="button"
              href={
                form.kind === 'app'
                  ? `/app?${new URLSearchParams({ appid: form.appid, env: form.env })}`
                  : '/'
              }
            >
              Clear
            </a>
          ) : null}
        </div>
      </form>
    </search>
  )
}

function ConfirmDialog() {
  return (
    <dialog id="confirm" aria-labelledby="confirm-title">
      <form method="dialog" id="confirm-form" novalidate>
        <h2 id="confirm-title">Confirm</h2>
        <p id="confirm-text" />
        <label id="confirm-weight-row" class="weight-row" hidden>
          <span>New weight</span>
          <input id="confirm-weight" type="number" min="1" max="10000" step="1" required />
        </label>
        <p id="confirm-error" class="error" role="alert" />
        <div class="dialog-buttons">
          <button type="button" id="confirm-no">
            Keep as is
          </button>
          <button type="submit" id="confirm-yes" class="primary">
            Confirm
          </button>
        </div>
      </form>
    </dialog>
  )
}

/** Whose view this is, and the way out; nothing for AUTH=off. */
function WhoAmI(props: { rights: ConsoleRights; nowMs: number }) {
  const { rights } = props
  if (rights.kind === 'open') return null
  if (rights.kind === 'public') {
    return (
      <div class="who">
        <span>
          Reading without a token (<code>PUBLIC_READS</code>): no actions, no history.
        </span>
        <button type="button" class="js-only link" data-signin>
          Use a token
        </button>
      </div>
    )
  }
  const token = rights.token
  if (!token) return null
  return (
    <div class="who">
      <span class="who-items">
        <span>
          Token <b class="tid">{token.tid}</b>
        </span>
        <span>{token.scopes.join(', ')}</span>
        <span>
          apps <code>{token.apps.join(' ')}</code>
        </span>
        <span>
          envs <code>{token.envs.join(' ')}</code>
        </span>
        <span title={utc(token.expMs)}>expires {ago(token.expMs, props.nowMs)}</span>
      </span>
      <button type="button" class="js-only link" data-signout>
        Sign out
      </button>
    </div>
  )
}

/** Asks for a token: posted as a form without JavaScript, kept in sessionStorage with it. */
export function SignIn(props: { problem?: string | undefined }) {
  return (
    <div class="view" data-view="signin">
      <section class="card signin" id="signin">
        <h1>Sign in with a token</h1>
        <p>
          This registry needs a token (<code>AUTH=tokens</code>). Scope <b>read</b> shows the apps
          it covers; <b>write</b> adds drain, weight and cancel; <b>admin</b> adds each app's
          history.
        </p>
        <form method="post" id="signin-form" autocomplete="off">
          <label>
            <span>Token</span>
            <input
              type="password"
              name="token"
              id="signin-token"
              required
              spellcheck={false}
              autocomplete="off"
              placeholder="dsc1.…"
            />
          </label>
          <button type="submit" class="primary">
            Open the console
          </button>
        </form>
        <p id="signin-error" class="error" role="alert">
          {props.problem ?? ''}
        </p>
        <p class="muted small">
          The token stays in this browser tab (sessionStorage) and goes to the registry as an{' '}
          <code>Authorization</code> header: never in an address or a log. Mint one with:
        </p>
        <pre class="small">
          <code>
            npm run -s token -- --kid k1 --scopes read,write --apps '*' --envs '*' --ttl 3600
          </code>
        </pre>
      </section>
      <p id="loading" class="loading muted">
        Loading…
      </p>
    </div>
  )
}

/** A page that cannot be shown as asked: what went wrong, in the reader's terms. */
export function Problem(props: { title: string; message: string; back?: boolean }) {
  return (
    <div class="view" data-view="problem">
      <section class="card problem">
        <h1>{props.title}</h1>
        <p class="error">{props.message}</p>
        {props.back === false ? null : (
          <p>
            <a href="/">Back to all apps</a>
          </p>
        )}
      </section>
    </div>
  )
}

/** A query parameter the console refused. */
export const QueryRefused = (props: { problem: QueryProblem }) => (
  <Problem title="That filter cannot be used" message={props.problem.message} />
)

/** Every app the caller may read, per env. */
export function Overview(props: {
  rights: ConsoleRights
  query: OverviewQuery
  data: OverviewData
  context: PageContext
}) {
  const { data, context, query } = props
  const nowMs = context.nowMs
  if (!data.ok) {
    return (
      <div class="view" data-view="problem" data-now={nowMs} data-watch="[]">
        <WhoAmI rights={props.rights} nowMs={nowMs} />
        <section class="card problem">
          <h1>The registry's catalog did not answer</h1>
          <p class="error">{data.problem}</p>
          <p class="muted">The page keeps trying.</p>
        </section>
      </div>
    )
  }
  const reports = data.outcomes.flatMap((o) => (o.ok ? [o.report] : []))
  const byEnv = new Map<string, ReportOutcome[]>()
  for (const outcome of data.outcomes) {
    const list = byEnv.get(outcome.app.env) ?? []
    list.push(outcome)
    byEnv.set(outcome.app.env, list)
  }
  const envs = [...byEnv.keys()].sort()
  const instanceFiltered = filtersInstances(query.filter)
  const filtered = instanceFiltered || query.appid !== '' || query.env !== ''
  const watch = data.outcomes.map((o) => [o.app.appid, o.app.env])
  const sum = (f: (r: AppReport) => number) => reports.reduce((n, r) => n + f(r), 0)
  const paused = reports.filter((r) => r.guard.protecting).length
  return (
    <div
      class="view"
      data-view="overview"
      data-now={nowMs}
      data-watch={JSON.stringify(watch)}
      data-catalog={data.catalog}
    >
      <WhoAmI rights={props.rights} nowMs={nowMs} />
      <div class="title-row">
        <h1>Applications</h1>
        <span class="muted">
          {filtered ? `${plural(data.outcomes.length, 'app')} match` : plural(data.total, 'app')}
        </span>
      </div>
      <section class="stats" aria-label="totals">
        <Stat label="Apps" value={data.total} />
        <Stat label="UP" value={sum((r) => r.up)} tone="up" />
        <Stat label="WAITING" value={sum((r) => r.waiting)} tone="waiting" />
        <Stat
          label="Sessions"
          value={sum((r) => r.sessions)}
          hint="sessions connected now, this page's own included (one per app it shows)"
        />
        <Stat label="Held polls" value={sum((r) => r.heldPolls)} />
        <Stat
          label="Self-preservation"
          value={paused === 0 ? 'normal' : `${paused} paused`}
          tone={paused === 0 ? undefined : 'alert'}
        />
      </section>
      {data.total > CONSOLE_APPS_MAX ? (
        <p class="notice">
          Showing the first {CONSOLE_APPS_MAX} of {data.total} apps: filter by app or env to see the
          others.
        </p>
      ) : null}
      {data.outcomes.length === 0 ? (
        <section class="card empty">
          {filtered ? (
            <p>Nothing matches this filter.</p>
          ) : (
            <>
              <p>
                <b>No application is registered yet.</b> Register one and it appears here at once:
              </p>
              <pre>
                <code>
                  curl -XPOST {'<registry>'}/discovery/register -d
                  'zone=sh001&env=dev&appid=demo.service&hostname=host-1&status=1&addrs=http://10.0.0.5:8000'
                </code>
              </pre>
            </>
          )}
        </section>
      ) : null}
      {envs.map((env) => (
        <EnvSection
          env={env}
          outcomes={byEnv.get(env) ?? []}
          nowMs={nowMs}
          query={query}
          instanceFiltered={instanceFiltered}
        />
      ))}
    </div>
  )
}

function Stat(props: {
  label: string
  value: string | number
  tone?: string | undefined
  hint?: string
}) {
  return (
    <div class={`stat${props.tone ? ` ${props.tone}` : ''}`} title={props.hint}>
      <span class="stat-value">{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </div>
  )
}

function appHref(appid: string, env: string, query?: { hostname: string; meta: string }): string {
  const params = new URLSearchParams({ appid, env })
  if (query?.hostname) params.set('hostname', query.hostname)
  if (query?.meta) params.set('meta', query.meta)
  return `/app?${params}`
}

/** The query's metadata filter as the user wrote it. */
const metaText = (query: OverviewQuery | AppQuery): string =>
  query.filter.metaKey === ''
    ? ''
    : query.filter.metaValue === undefined
      ? query.filter.metaKey
      : `${query.filter.metaKey}=${query.filter.metaValue}`

function EnvSection(props: {
  env: string
  outcomes: ReportOutcome[]
  nowMs: number
  query: OverviewQuery
  instanceFiltered: boolean
}) {
  const filter = { hostname: props.query.filter.hostname, meta: metaText(props.query) }
  return (
    <section class="env" data-env={props.env}>
      <h2>
        <span class="env-label">env</span> {props.env}
        <span class="count">{plural(props.outcomes.length, 'app')}</span>
      </h2>
      <div class="table-wrap">
        <table class="apps">
          <thead>
            <tr>
              <th>Application</th>
              <th>Instances</th>
              <th>Zones</th>
              <th>Last change</th>
              <th>Renews</th>
              <th>Self-preservation</th>
            </tr>
          </thead>
          <tbody>
            {props.outcomes.map((outcome) =>
              outcome.ok ? (
                <AppRow
                  report={outcome.report}
                  nowMs={props.nowMs}
                  href={appHref(
                    outcome.app.appid,
                    outcome.app.env,
                    props.instanceFiltered ? filter : undefined
                  )}
                  instanceFiltered={props.instanceFiltered}
                />
              ) : (
                <tr class="unreachable" data-appid={outcome.app.appid}>
                  <td data-label="Application">
                    <a class="app-link" href={appHref(outcome.app.appid, outcome.app.env)}>
                      {outcome.app.appid}
                    </a>
                  </td>
                  <td colspan={5} class="error" data-label="Problem">
                    unreachable: {outcome.problem}
                  </td>
                </tr>
              )
            )}
          </tbody>
        </table>
      </div>
    </section>
  )
}

function AppRow(props: {
  report: AppReport
  nowMs: number
  href: string
  instanceFiltered: boolean
}) {
  const r = props.report
  return (
    <>
      <tr data-appid={r.appid} data-env={r.env}>
        <td data-label="Application">
          <a class="app-link" href={props.href}>
            {r.appid}
          </a>
        </td>
        <td data-label="Instances">
          <StatusCounts up={r.up} waiting={r.waiting} />
        </td>
        <td data-label="Zones">
          {r.zones.length === 0 ? (
            <span class="muted">—</span>
          ) : (
            <span class="zones">
              {r.zones.map((z) => (
                <span class="zone-chip">{z}</span>
              ))}
            </span>
          )}
        </td>
        <td data-label="Last change">
          <When ms={r.lastChangeMs} nowMs={props.nowMs} empty={r.up + r.waiting === 0} />
        </td>
        <td data-label="Renews">
          <Renews report={r} />
        </td>
        <td data-label="Self-preservation">
          <SelfPreservation report={r} />
        </td>
      </tr>
      {props.instanceFiltered ? (
        <tr class="matches">
          <td colspan={6}>
            <ul class="match-list">
              {r.instances.map((i) => (
                <li>
                  <StatusBadge status={i.status} /> <b>{i.hostname}</b>{' '}
                  <span class="muted">{i.zone}</span> <Addrs addrs={i.addrs} inline />
                  <Metadata metadata={i.metadata} />
                </li>
              ))}
              {r.matched > r.instances.length ? (
                <li class="muted">
                  and {r.matched - r.instances.length} more: <a href={props.href}>open the app</a>
                </li>
              ) : null}
            </ul>
          </td>
        </tr>
      ) : null}
    </>
  )
}

function StatusCounts(props: { up: number; waiting: number }) {
  if (props.up + props.waiting === 0) return <span class="muted">none</span>
  return (
    <span class="counts">
      <span class="pill up" title="UP: receives traffic">
        {props.up} UP
      </span>
      {props.waiting > 0 ? (
        <span class="pill waiting" title="WAITING: registered, no traffic">
          {props.waiting} WAITING
        </span>
      ) : null}
    </span>
  )
}

/** A time as "12 s ago" (kept current by the script) with the absolute time on hover. */
function When(props: { ms: number; nowMs: number; empty?: boolean; prefix?: string }) {
  if (props.empty || props.ms <= 0) return <span class="muted">—</span>
  return (
    <time datetime={isoTime(props.ms)} title={utc(props.ms)} class="ago" data-at={props.ms}>
      {props.prefix ?? ''}
      {ago(props.ms, props.nowMs)}
    </time>
  )
}

/** Renews in the last window against the number expected, as Eureka shows them. */
function Renews(props: { report: AppReport }) {
  const g = props.report.guard
  const window = duration(g.windowMs)
  if (g.expected === 0) return <span class="muted">none expected</span>
  if (g.renews === null) {
    return (
      <span class="renews" title={`no full ${window} window yet since the app's object started`}>
        <span class="muted">— of {g.expected}</span>
        <span class="small muted">measuring (first {window})</span>
      </span>
    )
  }
  const threshold = Math.floor(g.expected * 0.85)
  return (
    <span
      class="renews"
      title={`renews in the last ${window} (an instance held by a live session counts as renewing); threshold ${threshold}`}
    >
      <b>{g.renews}</b> <span class="muted">of {g.expected}</span>
      <meter
        min={0}
        max={Math.max(g.expected, g.renews)}
        low={threshold}
        optimum={g.expected}
        value={g.renews}
      />
      <span class="small muted">last {window}</span>
    </span>
  )
}

function SelfPreservation(props: { report: AppReport }) {
  const g = props.report.guard
  if (!g.enabled) {
    return (
      <span class="sp off" title="SELF_PRESERVATION=false: evicts strictly on the lease">
        disabled
      </span>
    )
  }
  if (g.protecting) {
    return (
      <span
        class="sp on"
        title={
          g.renews === null
            ? 'no renew rate known yet: eviction waits for the first full window'
            : 'renews fell below 85 % of the expected number: silent instances are kept (up to an hour)'
        }
      >
        {g.renews === null ? 'paused (starting)' : 'eviction paused'}
      </span>
    )
  }
  return (
    <span class="sp normal" title="instances that stop renewing are evicted after their lease">
      normal
    </span>
  )
}

function StatusBadge(props: { status: number }) {
  return props.status === 1 ? (
    <span class="badge up">UP</span>
  ) : (
    <span class="badge waiting">WAITING</span>
  )
}

function Addrs(props: { addrs: string[]; inline?: boolean }) {
  if (props.addrs.length === 0) return <span class="muted">none</span>
  return (
    <span class={props.inline ? 'addrs inline' : 'addrs'}>
      {props.addrs.map((a) => (
        <code class="addr">{a}</code>
      ))}
    </span>
  )
}

function Metadata(props: { metadata: Record<string, string> }) {
  const keys = Object.keys(props.metadata).sort()
  if (keys.length === 0) return <span class="muted">none</span>
  return (
    <span class="meta">
      {keys.map((k) => (
        <span class="kv" title={`${k}=${props.metadata[k]}`}>
          <span class="k">{k}</span>
          <span class="v">{props.metadata[k]}</span>
        </span>
      ))}
    </span>
  )
}

/** One app: its figures, its instances by zone, its history. */
export function AppPage(props: {
  rights: ConsoleRights
  query: AppQuery
  data: AppData
  context: PageContext
}) {
  const { query, data, context, rights } = props
  const nowMs = context.nowMs
  const writes = rights.writes(query.appid, query.env)
  const head = (
    <>
      <WhoAmI rights={rights} nowMs={nowMs} />
      <nav class="crumbs" aria-label="breadcrumb">
        <a href="/">Applications</a> <span class="sep">/</span>{' '}
        <a href={`/?${new URLSearchParams({ env: query.env })}`}>{query.env}</a>{' '}
        <span class="sep">/</span> <span>{query.appid}</span>
      </nav>
      <div class="title-row">
        <h1 class="appid">{query.appid}</h1>
        <span class="env-badge">env {query.env}</span>
      </div>
    </>
  )
  const r = data.report
  if (!r) {
    return (
      <div class="view" data-view="problem" data-now={nowMs} data-watch="[]">
        {head}
        <section class="card problem">
          <p class="error">This app's object did not answer: {data.problem ?? 'unknown'}</p>
          <p class="muted">The page keeps trying.</p>
        </section>
      </div>
    )
  }
  const total = r.up + r.waiting
  const zones = new Map<string, InstanceRow[]>()
  for (const i of r.instances) {
    const list = zones.get(i.zone) ?? []
    list.push(i)
    zones.set(i.zone, list)
  }
  const filtered = filtersInstances(query.filter)
  return (
    <div
      class="view"
      data-view="app"
      data-now={nowMs}
      data-appid={query.appid}
      data-env={query.env}
      data-watch={JSON.stringify([[query.appid, query.env]])}
      data-writes={writes ? '1' : '0'}
    >
      {head}
      <section class="stats" aria-label="figures">
        <Stat label="UP" value={r.up} tone="up" />
        <Stat label="WAITING" value={r.waiting} tone="waiting" />
        <Stat label="Zones" value={r.zones.length} />

        <div class="stat">
          <span class="stat-value">
            <SelfPreservation report={r} />
          </span>
          <span class="stat-label">Self-preservation</span>
        </div>
        <Stat
          label="Sessions · held polls"
          value={`${r.sessions} · ${r.heldPolls}`}
          hint="connected now; the sessions include this page's own"
        />
        <div class="stat">
          <span class="stat-value">
            <When ms={r.lastChangeMs} nowMs={nowMs} empty={total === 0} />
          </span>
          <span class="stat-label">Last change</span>
        </div>
        <div class="stat wide">
          <span class="stat-value">
            <Renews report={r} />
          </span>
          <span class="stat-label">Renews, against expected</span>
        </div>
      </section>
      <p class="muted small counters">
        Since this app's object started <When ms={r.startedMs} nowMs={nowMs} />:{' '}
        {plural(r.counts.registers, 'register')}, {plural(r.counts.sets, 'set')},{' '}
        {plural(r.counts.cancels, 'cancel')},{' '}
        {plural(r.counts.evictions.lease + r.counts.evictions.session, 'eviction')}.
      </p>
      {total === 0 ? (
        <section class="card empty">
          <p>This app has no instance now (never registered, or every one cancelled or evicted).</p>
        </section>
      ) : r.matched === 0 ? (
        <section class="card empty">
          <p>No instance of this app matches the filter.</p>
        </section>
      ) : null}
      {r.matched > r.instances.length ? (
        <p class="notice">
          Showing {r.instances.length} of {r.matched} instances: filter by hostname or metadata to
          see the others.
        </p>
      ) : null}
      {filtered && r.matched > 0 ? (
        <p class="muted small">
          {plural(r.matched, 'instance')} of {total} match the filter.
        </p>
      ) : null}
      {[...zones.keys()].sort().map((zone) => (
        <ZoneSection
          zone={zone}
          instances={zones.get(zone) ?? []}
          nowMs={nowMs}
          leaseMs={context.evictAfterMs}
          writes={writes}
        />
      ))}
      <HistorySection data={data} mayRead={rights.history(query.appid, query.env)} nowMs={nowMs} />
    </div>
  )
}

function ZoneSection(props: {
  zone: string
  instances: InstanceRow[]
  nowMs: number
  leaseMs: number
  writes: boolean
}) {
  return (
    <section class="zone" data-zone={props.zone}>
      <h2>
        <span class="env-label">zone</span> {props.zone}
        <span class="count">{plural(props.instances.length, 'instance')}</span>
      </h2>
      <div class="table-wrap">
        <table class="instances">
          <thead>
            <tr>
              <th>Instance</th>
              <th>Status</th>
              <th>Addresses</th>
              <th>Metadata</th>
              <th>Lease</th>
              <th>Registered</th>
              {props.writes ? <th class="actions-head">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {props.instances.map((i) => (
              <InstanceRowView
                instance={i}
                nowMs={props.nowMs}
                leaseMs={props.leaseMs}
                writes={props.writes}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

function InstanceRowView(props: {
  instance: InstanceRow
  nowMs: number
  leaseMs: number
  writes: boolean
}) {
  const i = props.instance
  const age = Math.max(0, props.nowMs - i.renewMs)
  const weight = i.metadata.weight
  return (
    <tr data-hostname={i.hostname} data-status={i.status === 1 ? 'up' : 'waiting'}>
      <td data-label="Instance">
        <b class="hostname">{i.hostname}</b>
        <div class="muted small">
          {i.version ? <span>{i.version}</span> : <span>no version</span>}
          {i.region ? <span> · region {i.region}</span> : null}
        </div>
      </td>
      <td data-label="Status">
        <StatusBadge status={i.status} />
      </td>
      <td data-label="Addresses">
        <Addrs addrs={i.addrs} />
      </td>
      <td data-label="Metadata">
        <Metadata metadata={i.metadata} />
      </td>
      <td data-label="Lease">
        <span
          class="lease"
          title={`last renewed ${utc(i.renewMs)}; lease ${duration(props.leaseMs)}`}
        >
          <span>
            renewed{' '}
            <span class="ago" data-at={i.renewMs}>
              {ago(i.renewMs, props.nowMs)}
            </span>
          </span>
          <meter
            min={0}
            max={props.leaseMs}
            high={props.leaseMs * 0.67}
            optimum={0}
            value={Math.min(age, props.leaseMs)}
            class="lease-meter"
          />
        </span>
      </td>
      <td data-label="Registered">
        <When ms={i.regMs} nowMs={props.nowMs} />
      </td>
      {props.writes ? (
        <td data-label="Actions" class="actions">
          <span class="js-only action-buttons">
            {i.status === 1 ? (
              <button
                type="button"
                data-action="drain"
                data-zone={i.zone}
                data-hostname={i.hostname}
              >
                Drain
              </button>
            ) : (
              <button
                type="button"
                data-action="undrain"
                data-zone={i.zone}
                data-hostname={i.hostname}
              >
                Undrain
              </button>
            )}
            <button
              type="button"
              data-action="weight"
              data-zone={i.zone}
              data-hostname={i.hostname}
              data-weight={weight ?? ''}
              title={weight ? `weight ${weight}` : 'no weight set: pickers use 10'}
            >
              Weight {weight ?? '10'}
            </button>
            <button
              type="button"
              class="danger"
              data-action="cancel"
              data-zone={i.zone}
              data-hostname={i.hostname}
            >
              Cancel
            </button>
          </span>
          <noscript>
            <span class="muted small">needs JavaScript</span>
          </noscript>
        </td>
      ) : null}
    </tr>
  )
}

function HistorySection(props: { data: AppData; mayRead: boolean; nowMs: number }) {
  const { data } = props
  return (
    <section class="history">
      <h2>History</h2>
      {!props.mayRead ? (
        <p class="muted">The history (who changed what) needs a token with scope admin.</p>
      ) : data.historyProblem ? (
        <p class="error">{data.historyProblem}</p>
      ) : !data.history || data.history.length === 0 ? (
        <p class="muted">No change recorded.</p>
      ) : (
        <div class="table-wrap">
          <table class="history-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Change</th>
                <th>Instance</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {data.history.map((e) => (
                <HistoryRow entry={e} nowMs={props.nowMs} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function HistoryRow(props: { entry: HistoryEntry; nowMs: number }) {
  const e = props.entry
  return (
    <tr data-op={e.op}>
      <td data-label="When">
        <When ms={e.atMs} nowMs={props.nowMs} />
      </td>
      <td data-label="Change">
        <span class={`op ${e.op}`}>{e.op}</span>
      </td>
      <td data-label="Instance">
        {e.hostname} <span class="muted">{e.zone}</span>
      </td>
      <td data-label="By">
        <code class="actor">{e.actor}</code>
      </td>
    </tr>
  )
}
