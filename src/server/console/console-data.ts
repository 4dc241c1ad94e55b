/**
 * What the console's pages show, gathered for one caller: the query (validated, every problem
 * naming its field), the apps the caller may read from the catalog, each app's report from its
 * object (app-reports.ts), and an app's history when the caller may read it. A failed object
 * call becomes a message on the page, never an exception.
 */
import { utf8Length } from '../../registry/utf8.ts'
import type { AppReport, InstanceFilter } from '../app-report.ts'
import { bounded, catalogApps, type ReportOutcome, reportsOf } from '../app-reports.ts'
import type { AppRef } from '../catalog-object.ts'
import type { ConsoleRights } from '../ops-access.ts'
import type { HistoryEntry } from '../registry-store.ts'
import { registryFor } from '../registry-stub.ts'
import { textHash } from './assets.ts'

/** Most apps one overview shows (each is one object call); a filter narrows the rest. */
export const CONSOLE_APPS_MAX = 200
/** Most instances one app page lists; a filter narrows the rest. */
export const APP_INSTANCES_MAX = 500
/** Matching instances listed per app on a filtered overview. */
const OVERVIEW_MATCHES_MAX = 20
/** History entries an app page shows. */
export const HISTORY_SHOWN = 25

/** The overview's query: which apps (`appid` part, `env` exactly) and instances to show. */
export interface OverviewQuery {
  appid: string
  env: string
  filter: InstanceFilter
}

/** An app page's query: the app, and which of its instances to list. */
export interface AppQuery {
  appid: string
  env: string
  filter: InstanceFilter
}

/** A query parameter the console cannot use, and why (the message names it). */
export interface QueryProblem {
  field: string
  message: string
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: QueryProblem }

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/
const ID_BYTES = 128
const HOSTNAME_CHARS = 255
const META_CHARS = 512

class Problem extends Error {
  constructor(
    readonly field: string,
    problem: string
  ) {
    super(`${field}: ${problem}`)
  }
}

function parsing<T>(body: () => T): Parsed<T> {
  try {
    return { ok: true, value: body() }
  } catch (error) {
    if (error instanceof Problem)
      return { ok: false, problem: { field: error.field, message: error.message } }
    throw error
  }
}

/** One value of `name` (a repeated parameter is refused: the page never sends one). */
function param(query: URLSearchParams, name: string): string {
  const values = query.getAll(name)
  if (values.length > 1) throw new Problem(name, 'given more than once')
  const value = (values[0] ?? '').trim()
  if (CONTROL.test(value)) throw new Problem(name, 'contains a control character')
  return value
}

function id(query: URLSearchParams, name: string, required: boolean): string {
  const value = param(query, name)
  if (required && value === '') throw new Problem(name, 'required')
  if (utf8Length(value) > ID_BYTES) throw new Problem(name, `longer than ${ID_BYTES} bytes`)
  return value
}

/** `hostname` (part of it) and `meta` (`key` or `key=value`). */
function instanceFilter(query: URLSearchParams): InstanceFilter {
  const hostname = param(query, 'hostname')
  if (hostname.length > HOSTNAME_CHARS)
    throw new Problem('hostname', `longer than ${HOSTNAME_CHARS} characters`)
  const meta = param(query, 'meta')
  if (meta.length > META_CHARS) throw new Problem('meta', `longer than ${META_CHARS} characters`)
  if (meta === '') return { hostname, metaKey: '', metaValue: undefined }
  const equals = meta.indexOf('=')
  const metaKey = (equals < 0 ? meta : meta.slice(0, equals)).trim()
  if (metaKey === '')
    throw new Problem('meta', 'write a metadata key, or key=value (for example weight=20)')
  return { hostname, metaKey, metaValue: equals < 0 ? undefined : meta.slice(equals + 1).trim() }
}

/** The overview's query string. */
export const parseOverviewQuery = (query: URLSearchParams): Parsed<OverviewQuery> =>
  parsing(() => ({
    appid: id(query, 'appid', false),
    env: id(query, 'env', false),
    filter: instanceFilter(query),
  }))

/** An app page's query string. */
export const parseAppQuery = (query: URLSearchParams): Parsed<AppQuery> =>
  parsing(() => ({
    appid: id(query, 'appid', true),
    env: id(query, 'env', true),
    filter: instanceFilter(query),
  }))

/** Whether the filter narrows instances (not only apps). */
export const filtersInstances = (filter: InstanceFilter): boolean =>
  filter.hostname !== '' || filter.metaKey !== ''

/** The apps of the catalog this caller may read and the query selects, or why there are none. */
export async function visibleApps(
  bindings: Env,
  rights: ConsoleRights,
  query: Pick<OverviewQuery, 'appid' | 'env'>
): Promise<{ ok: true; apps: AppRef[] } | { ok: false; problem: string }> {
  let apps: AppRef[]
  try {
    apps = await catalogApps(bindings)
  } catch (error) {
    return { ok: false, problem: (error as Error).message }
  }
  const part = query.appid.toLowerCase()
  return {
    ok: true,
    apps: apps.filter(
      (a) =>
        rights.reads(a.appid, a.env) &&
        (query.env === '' || a.env === query.env) &&
        (part === '' || a.appid.toLowerCase().includes(part))
    ),
  }
}

/** A short signature of a list of apps: changes when an app appears or goes. */
export const catalogSignature = (apps: readonly AppRef[]): string =>
  `${apps.length}.${textHash(apps.map((a) => `${a.env}\n${a.appid}`).join('\n'))}`

/** What the overview shows. */
export type OverviewData =
  | { ok: false; problem: string }
  | {
      ok: true
      /** Apps the caller may see that the query selects. */
      total: number
      /** A signature of those apps (catalogSignature): the page asks whether it changed. */
      catalog: string
      /** Reports of the apps shown (at most CONSOLE_APPS_MAX; with an instance filter, those with matches). */
      outcomes: ReportOutcome[]
    }

/** The overview's data: the apps this caller may read that `query` selects, and their reports. */
export async function loadOverview(
  bindings: Env,
  rights: ConsoleRights,
  query: OverviewQuery
): Promise<OverviewData> {
  const visible = await visibleApps(bindings, rights, query)
  if (!visible.ok) return visible
  const instanceFiltered = filtersInstances(query.filter)
  const outcomes = await reportsOf(
    bindings,
    visible.apps.slice(0, CONSOLE_APPS_MAX),
    query.filter,
    instanceFiltered ? OVERVIEW_MATCHES_MAX : 0
  )
  return {
    ok: true,
    total: visible.apps.length,
    catalog: catalogSignature(visible.apps),
    outcomes: instanceFiltered ? outcomes.filter((o) => !o.ok || o.report.matched > 0) : outcomes,
  }
}

/** What an app page shows. */
export interface AppData {
  report: AppReport | undefined
  problem: string | undefined
  /** Newest first; undefined when the caller may not read it or it could not be read. */
  history: HistoryEntry[] | undefined
  historyProblem: string | undefined
}

/** The app's report and, if `withHistory`, its newest changes. */
export async function loadApp(
  bindings: Env,
  query: AppQuery,
  withHistory: boolean
): Promise<AppData> {
  const app = { appid: query.appid, env: query.env }
  const [report] = await reportsOf(bindings, [app], query.filter, APP_INSTANCES_MAX)
  const data: AppData = {
    report: report?.ok ? report.report : undefined,
    problem: report && !report.ok ? report.problem : undefined,
    history: undefined,
    historyProblem: undefined,
  }
  if (withHistory && data.report) {
    try {
      data.history = await bounded(`history of ${query.appid} (env ${query.env})`, () =>
        registryFor(bindings, app).history(HISTORY_SHOWN)
      )
    } catch (error) {
      data.historyProblem = (error as Error).message
    }
  }
  return data
}
