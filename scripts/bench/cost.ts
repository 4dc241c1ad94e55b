/**
 * The cost figures: what 1,000 instances or 1,000 watchers cost a month on Cloudflare, over
 * HTTP and over sessions, from the billable operations their traffic makes. Pure: the run
 * passes in what it counted (`Counted`), the prices come from prices.ts, and every other
 * input is a constant below with the reason for its value. Nothing here reads a clock or the
 * network.
 */
import { PRICES, PRICES_READ } from './prices.ts'
import { BENCH_CHECK_SECONDS, CONFIGURED_CHECK_SECONDS } from './sessions.ts'

/** Seconds in a billing month (30 days, as Cloudflare's pricing examples count). */
export const MONTH_SECONDS = 30 * 86_400

/** The model's assumed inputs. Each one is an assumption the run cannot count. */
export const ASSUMED = {
  /** The SDKs renew every 30 s (RENEW_INTERVAL_SECONDS, the reference Go SDK's interval). */
  renewIntervalSeconds: 30,
  /** An instance lives one lease after its last renew (EVICT_AFTER_SECONDS). */
  evictAfterSeconds: 90,
  /**
   * A watcher's long poll is held POLL_HOLD_SECONDS (30) when nothing changes, then asked
   * again at once. Clients ask 30–40 s; 30 counts the most rounds.
   */
  pollHoldSeconds: 30,
  /** One HTTP request through the Worker per renew and per poll round. */
  workerRequestsPerRenew: 1,
  workerRequestsPerPoll: 1,
  /** routes/write.ts makes one RPC call to the app's object per renew. */
  objectRequestsPerRenew: 1,
  /**
   * routes/poll.ts opens one WebSocket to each watched app's object (one request); the Go SDK
   * also watches infra.discovery, which the Worker answers from its configuration and a
   * cached epoch (no object request). The object pushes (free) and closes; it defines no
   * webSocketClose handler, so the Worker's close is no event.
   */
  objectRequestsPerPoll: 1,
  /**
   * Instances per app. The lease alarm is one per app, so its cost per instance falls with
   * the size of the app; 10 is a service with a few replicas in each of a few zones.
   */
  instancesPerApp: 10,
  /** Sessions reconnect once a day (a deploy, a network change); each is one upgrade. */
  sessionReconnectsPerDay: 1,
  /** One Worker request per session upgrade (GET /discovery/session). */
  workerRequestsPerUpgrade: 1,
  /** Heartbeat interval (docs/sessions.md: `ping_interval_ms`, 30 s). */
  heartbeatIntervalSeconds: 30,
  /**
   * Wall-clock time an object is billed per event it handles (a request, an alarm, a woken
   * message): 10 ms, as in Cloudflare's own pricing examples. Between events the objects are
   * idle and eligible to hibernate (no timers, only hibernatable sockets), which bills nothing.
   * Workerd's CPU per renew on the benchmark machine is about 0.1 ms, so this is generous.
   */
  activeMsPerObjectEvent: 10,
} as const

/** What the run counted; undefined where it could not count (the model then says so). */
export interface Counted {
  /** Lease alarms per app per hour over HTTP (http-leases.ts, the registry core simulated). */
  httpAlarmsPerAppPerHour: number
  /** Renew rows flushed to SQLite per instance per hour over HTTP (the same). */
  httpRowsWrittenPerInstancePerHour: number
  /** Session mode, from the objects' wake log while idle sessions heartbeat. */
  session?: SessionCounts
}

export interface SessionCounts {
  /**
   * Lease alarms of the app's object per minute while its sessions only heartbeat, at the
   * configured SESSION_CHECK_SECONDS.
   */
  alarmsPerAppPerMinute: number
  /** The same as measured, at the bench server's shorter check interval. */
  measuredAlarmsPerMinute?: number
  /** Object wake-ups by `message` per session per minute while idle (heartbeats that woke it). */
  messageWakesPerSessionPerMinute: number
  /** Object events (`fetch`) per session opened: the object's part of one upgrade. */
  objectRequestsPerUpgrade: number
  /** Messages (register, watch) one session sent after opening, before it only heartbeats. */
  messagesPerConnection: number
  /** Whether the object's SQLite files were written while the sessions only heartbeat. */
  sqliteWrittenWhileIdle: boolean
}

/** Billable operations of one instance or watcher in one month. */
export interface Operations {
  workerRequests: number
  /** Requests to the object (RPC calls, fetches), alarms aside. */
  objectRequests: number
  /**
   * Lease alarms (its share of its app's): each is a request, an event billed as wall-clock
   * time, and a setAlarm that re-arms the next one (a row written, PRICES.rowsPerSetAlarm).
   */
  alarms: number
  /** Incoming WebSocket messages that reach the object (billed 20:1 as requests). */
  objectMessages: number
  /** Object events billed as wall-clock time (requests, woken messages), alarms aside. */
  objectEvents: number
  /** Rows the object's own SQL writes (alarms' setAlarm rows aside). */
  rowsWritten: number
  rowsRead: number
}

export interface CostModel {
  counted: Counted
  http: { instance: Operations; watcher: Operations }
  /** Undefined when the run had no session counts. */
  session?: { instance: Operations; watcher: Operations; heartbeatsPerMonth: number }
}

const perMonth = (everySeconds: number) => MONTH_SECONDS / everySeconds
const HOURS = MONTH_SECONDS / 3600

/** The month's operations; `instancesPerApp` defaults to ASSUMED.instancesPerApp. */
export function costModel(
  counted: Counted,
  instancesPerApp: number = ASSUMED.instancesPerApp
): CostModel {
  const a = ASSUMED
  const renews = perMonth(a.renewIntervalSeconds)
  const httpAlarmsPerInstance = (counted.httpAlarmsPerAppPerHour * HOURS) / instancesPerApp
  const httpRows = counted.httpRowsWrittenPerInstancePerHour * HOURS
  const httpInstance: Operations = {
    workerRequests: renews * a.workerRequestsPerRenew,
    objectRequests: renews * a.objectRequestsPerRenew,
    alarms: httpAlarmsPerInstance,
    objectMessages: 0,
    objectEvents: renews * a.objectRequestsPerRenew,
    rowsWritten: httpRows,
    // an UPDATE by primary key reads the row it writes
    rowsRead: httpRows,
  }
  const rounds = perMonth(a.pollHoldSeconds)
  const httpWatcher: Operations = {
    workerRequests: rounds * a.workerRequestsPerPoll,
    objectRequests: rounds * a.objectRequestsPerPoll,
    alarms: 0,
    objectMessages: 0,
    objectEvents: rounds * a.objectRequestsPerPoll,
    rowsWritten: 0,
    rowsRead: 0,
  }
  const model: CostModel = { counted, http: { instance: httpInstance, watcher: httpWatcher } }
  const s = counted.session
  if (!s) return model
  const upgrades = 30 * a.sessionReconnectsPerDay
  const minutes = MONTH_SECONDS / 60
  const wokenBeats = s.messageWakesPerSessionPerMinute * minutes
  const messages = upgrades * s.messagesPerConnection + wokenBeats
  const session = (alarms: number): Operations => ({
    workerRequests: upgrades * a.workerRequestsPerUpgrade,
    objectRequests: upgrades * s.objectRequestsPerUpgrade,
    alarms,
    objectMessages: messages,
    objectEvents: upgrades * s.objectRequestsPerUpgrade + messages,
    // the registry's SQL writes nothing in steady state (leases are held in memory); the
    // alarms' setAlarm rows are counted by usd()
    rowsWritten: 0,
    rowsRead: 0,
  })
  // The lease alarm serves the app's session-owned instances; a watcher owns no lease.
  const alarmsPerInstance = (s.alarmsPerAppPerMinute * minutes) / instancesPerApp
  model.session = {
    instance: session(alarmsPerInstance),
    watcher: session(0),
    heartbeatsPerMonth: perMonth(a.heartbeatIntervalSeconds),
  }
  return model
}

/**
 * USD a month for one instance or watcher doing `ops`; `rowsPerSetAlarm` 0 leaves the alarms'
 * setAlarm rows out (to show what they add).
 */
export function usd(ops: Operations, rowsPerSetAlarm: number = PRICES.rowsPerSetAlarm): number {
  const p = PRICES
  const requests =
    ops.objectRequests + ops.alarms + ops.objectMessages / p.webSocketMessagesPerRequest
  const events = ops.objectEvents + ops.alarms
  const gbSeconds = (events * ASSUMED.activeMsPerObjectEvent * p.objectGb) / 1000
  const rows = ops.rowsWritten + ops.alarms * rowsPerSetAlarm
  return (
    (ops.workerRequests * p.workerRequestPerMillion) / 1e6 +
    (requests * p.objectRequestPerMillion) / 1e6 +
    (gbSeconds * p.durationPerMillionGbSeconds) / 1e6 +
    (rows * p.rowsWrittenPerMillion) / 1e6 +
    (ops.rowsRead * p.rowsReadPerMillion) / 1e6
  )
}

/** The same ops with every heartbeat billed as an incoming message (20:1), duration aside. */
export function withBilledHeartbeats(ops: Operations, heartbeatsPerMonth: number): Operations {
  return { ...ops, objectMessages: ops.objectMessages + heartbeatsPerMonth }
}

export interface Costs {
  cost_http_usd_per_1k_instances_month: number
  cost_http_usd_per_1k_watchers_month: number
  cost_session_usd_per_1k_instances_month: number | null
  cost_session_usd_per_1k_watchers_month: number | null
  cost_session_pings_billed_usd_per_1k_instances_month: number | null
  cost_session_pings_billed_usd_per_1k_watchers_month: number | null
}

/** The cost figures, per 1,000 instances or watchers a month. */
export function costs(model: CostModel): Costs {
  const k = (ops: Operations) => 1000 * usd(ops)
  const s = model.session
  const billed = (ops: Operations) =>
    s ? k(withBilledHeartbeats(ops, s.heartbeatsPerMonth)) : null
  return {
    cost_http_usd_per_1k_instances_month: k(model.http.instance),
    cost_http_usd_per_1k_watchers_month: k(model.http.watcher),
    cost_session_usd_per_1k_instances_month: s ? k(s.instance) : null,
    cost_session_usd_per_1k_watchers_month: s ? k(s.watcher) : null,
    cost_session_pings_billed_usd_per_1k_instances_month: s ? billed(s.instance) : null,
    cost_session_pings_billed_usd_per_1k_watchers_month: s ? billed(s.watcher) : null,
  }
}

/**
 * The smallest app (instances per app) at which the session cost per 1,000 instances stays
 * within `ceilingUsd` (the lease alarm is per app), or undefined when none up to 1,000 does.
 */
export function smallestAppWithin(counted: Counted, ceilingUsd: number): number | undefined {
  for (let n = 1; n <= 1000; n++) {
    const s = costModel(counted, n).session
    if (!s) return undefined
    if (1000 * usd(s.instance) <= ceilingUsd) return n
  }
  return undefined
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const dollars = (value: number) => `$${value.toFixed(3)}`

function opsLine(label: string, ops: Operations): string {
  const alarms = ops.alarms > 0 ? ` + ${n(ops.alarms)} alarms` : ''
  const messages = ops.objectMessages > 0 ? ` + ${n(ops.objectMessages)} messages` : ''
  const rows = ops.rowsWritten > 0 ? `, ${n(ops.rowsWritten)} rows written` : ''
  const without =
    ops.alarms > 0 ? ` (${dollars(1000 * usd(ops, 0))} without the setAlarm rows)` : ''
  return (
    `${label}: ${n(ops.workerRequests)} Worker requests, ${n(ops.objectRequests)} object ` +
    `requests${alarms}${messages}${rows} -> ${dollars(1000 * usd(ops))} per 1,000${without}`
  )
}

/** The model in words: prices, counted and assumed inputs, operations, the heartbeat margin. */
export function costNote(model: CostModel, ceilingUsd: number): string {
  const p = PRICES
  const a = ASSUMED
  const c = model.counted
  const lines = [
    `cost model, prices read ${PRICES_READ} (scripts/bench/prices.ts): Workers $${p.workerRequestPerMillion.toFixed(2)}/M requests; ` +
      `objects $${p.objectRequestPerMillion.toFixed(2)}/M requests (incoming WebSocket messages ${p.webSocketMessagesPerRequest}:1), ` +
      `$${p.durationPerMillionGbSeconds.toFixed(2)}/M GB-s at ${p.objectGb * 1000} MB; SQLite $${p.rowsWrittenPerMillion.toFixed(2)}/M rows written, $${p.rowsReadPerMillion}/M read; ` +
      `each setAlarm ${p.rowsPerSetAlarm} row written (quoted, not read: see prices.ts)`,
    `  counted, HTTP: ${n(c.httpAlarmsPerAppPerHour, 1)} lease alarms per app and ${n(c.httpRowsWrittenPerInstancePerHour, 1)} ` +
      'renew rows written per instance per hour (the registry core on a simulated clock, scripts/bench/http-leases.ts)',
  ]
  const s = c.session
  lines.push(
    s
      ? `  counted, sessions: ${n(s.alarmsPerAppPerMinute, 2)} alarms per app per minute at SESSION_CHECK_SECONDS=${CONFIGURED_CHECK_SECONDS} ` +
          `(measured ${n(s.measuredAlarmsPerMinute ?? Number.NaN, 2)} at the bench's ${BENCH_CHECK_SECONDS} s, scaled), ` +
          `${n(s.messageWakesPerSessionPerMinute, 3)} heartbeat wakes per session per minute, ` +
          `${n(s.objectRequestsPerUpgrade, 2)} object requests per upgrade, ${n(s.messagesPerConnection, 2)} messages per connection; ` +
          `the object's SQLite files ${s.sqliteWrittenWhileIdle ? 'changed' : 'did not change'} while the sessions only heartbeat ` +
          '(the alarm re-arming itself is the one write the model counts)'
      : '  counted, sessions: nothing (no session was measured), so the session costs are null'
  )
  lines.push(
    `  assumed (scripts/bench/cost.ts): renew every ${a.renewIntervalSeconds} s, polls held ${a.pollHoldSeconds} s, ` +
      `${a.instancesPerApp} instances per app, ${a.sessionReconnectsPerDay} reconnect a day, ` +
      `heartbeat every ${a.heartbeatIntervalSeconds} s, ${a.activeMsPerObjectEvent} ms billed per object event`,
    opsLine('  HTTP, per instance a month', model.http.instance),
    opsLine('  HTTP, per watcher a month', model.http.watcher)
  )
  const m = model.session
  if (m) {
    lines.push(
      opsLine('  session, per instance a month', m.instance),
      opsLine('  session, per watcher a month', m.watcher)
    )
    const beats = m.heartbeatsPerMonth
    const asRequests =
      (1000 * beats * p.objectRequestPerMillion) / p.webSocketMessagesPerRequest / 1e6
    const asDuration =
      (1000 * beats * a.activeMsPerObjectEvent * p.objectGb * p.durationPerMillionGbSeconds) /
      1000 /
      1e6
    lines.push(
      `  heartbeats: ${n(beats)} per session a month, answered by the runtime: $0. Billed at ` +
        `${p.webSocketMessagesPerRequest}:1 they would add ${dollars(asRequests)} per 1,000 sessions, ` +
        `and ${dollars(asDuration)} more if each woke the object`
    )
    const smallest = smallestAppWithin(c, ceilingUsd)
    lines.push(
      smallest === undefined
        ? `  no app size keeps a session instance within $${ceilingUsd} per 1,000 a month`
        : `  the lease alarm is per app: sessions stay within $${ceilingUsd} per 1,000 instances ` +
            `a month from ${smallest} instance${smallest === 1 ? '' : 's'} per app on`
    )
  }
  return lines.join('\n')
}
