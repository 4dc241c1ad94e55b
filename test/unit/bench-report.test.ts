/**
 * The benchmark's verdicts, table, JSON, options and cost model (scripts/bench): pure
 * functions of the figures and of what a run counted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ASSUMED,
  type Counted,
  costModel,
  costNote,
  costs,
  smallestAppWithin,
  usd,
} from '../../scripts/bench/cost.ts'
import { findEtcd, NO_ETCD } from '../../scripts/bench/etcd.ts'
import { FIGURE_KEYS, type Figures, judge } from '../../scripts/bench/figures.ts'
import { countLeaseWork } from '../../scripts/bench/http-leases.ts'
import { parseOptions } from '../../scripts/bench/options.ts'
import { etcdNote, floorNote, rounded, table, writeJson } from '../../scripts/bench/report.ts'
import type { Server } from '../../scripts/bench/server.ts'
import { alarmsPerMinute } from '../../scripts/bench/sessions.ts'
import { median, percentile } from '../../scripts/bench/stats.ts'
import { countWakes } from '../../scripts/bench/wake-log.ts'

/** A run without etcd and without sessions: those figures are null. */
const NOT_MEASURED = {
  etcd_keepalive_rps: null,
  etcd_wake_p99_ms_1000: null,
  session_ping_rps: null,
  session_wake_p99_ms_1000: null,
  session_wake_p99_ms_10000: null,
  session_death_ms: null,
  idle_object_wakes_per_min: null,
  cost_http_usd_per_1k_instances_month: 88.543,
  cost_http_usd_per_1k_watchers_month: 40.262,
  cost_session_usd_per_1k_instances_month: null,
  cost_session_usd_per_1k_watchers_month: null,
  cost_session_pings_billed_usd_per_1k_instances_month: null,
  cost_session_pings_billed_usd_per_1k_watchers_month: null,
}

const FIGURES: Figures = {
  baseline_rps: 4000,
  register_rps: 1199,
  renew_rps: 2400,
  renew_floor_rps: 3000,
  fetch_rps_1k: 600,
  fetch_p50_ms_10k: 8,
  wake_p50_ms_1000: 110,
  wake_p99_ms_1000: 150.1,
  wake_floor_p99_ms_1000: 120,
  wake_p99_ms_polls_20: 150,
  reload_ms_10k: 160,
  rss_mb_10k: 450,
  rss_kb_per_held_poll: 250,
  rss_floor_kb_per_held_poll: 200,
  ...NOT_MEASURED,
}

/** The same run with etcd and sessions measured. */
const ALL: Figures = {
  ...FIGURES,
  etcd_keepalive_rps: 6000,
  etcd_wake_p99_ms_1000: 50,
  session_ping_rps: 5999.9,
  session_wake_p99_ms_1000: 50,
  session_wake_p99_ms_10000: 1000.04,
  session_death_ms: 3100,
  idle_object_wakes_per_min: 1,
  cost_session_usd_per_1k_instances_month: 5.0518,
  cost_session_usd_per_1k_watchers_month: 0.0147,
  cost_session_pings_billed_usd_per_1k_instances_month: 5.6998,
  cost_session_pings_billed_usd_per_1k_watchers_month: 0.6627,
}

/** What a run counts: the simulated HTTP lease work, and sessions idling on one app. */
const COUNTED: Counted = {
  httpAlarmsPerAppPerHour: 60,
  httpRowsWrittenPerInstancePerHour: 60,
  session: {
    alarmsPerAppPerMinute: 1,
    messageWakesPerSessionPerMinute: 0,
    objectRequestsPerUpgrade: 1,
    messagesPerConnection: 1,
    sqliteWrittenWhileIdle: false,
  },
}

describe('bench verdicts', () => {
  it('divides rates by baseline_rps and holds latencies to their ceilings, bounds included', () => {
    const v = judge(FIGURES)
    expect(v.renew_rps).toEqual({ target: '>= 0.6 x baseline_rps', measured: 0.6, pass: true })
    expect(v.register_rps).toEqual({ target: '>= 0.3 x baseline_rps', measured: 0.3, pass: false })
    expect(v.wake_p99_ms_1000).toEqual({ target: '<= 150 ms', measured: 150.1, pass: false })
    expect(v.wake_p99_ms_polls_20?.pass).toBe(true)
    expect(v.wake_floor_p99_ms_1000).toBeUndefined()
  })

  it('prints one row per figure, FAIL where a target is missed', () => {
    const lines = table(FIGURES).split('\n')
    expect(lines).toHaveLength(2 + FIGURE_KEYS.length)
    expect(lines.find((l) => l.startsWith('wake_p99_ms_1000 '))).toMatch(
      /150\.1 ms\s+<= 150 ms\s+150\.1\s+FAIL$/
    )
    expect(lines.find((l) => l.startsWith('renew_rps '))).toMatch(/pass$/)
  })

  it('states renew, wake and held-poll memory as multiples of the floors measured in the same run', () => {
    const [renew, wake, held] = floorNote(FIGURES).split('\n')
    expect(renew).toMatch(/^renew_rps is 0\.80 x renew_floor_rps, itself 0\.750 x baseline_rps/)
    expect(wake).toMatch(/^wake_p99_ms_1000 is 1\.25 x wake_floor_p99_ms_1000/)
    expect(held).toMatch(/^rss_kb_per_held_poll is 1\.25 x rss_floor_kb_per_held_poll/)
    const noFloor = floorNote({ ...FIGURES, rss_floor_kb_per_held_poll: null })
    expect(noFloor.split('\n')[2]).toMatch(/^rss_kb_per_held_poll is - x/)
  })
})

describe('bench figures that were not measured', () => {
  it('judges a target null when its figure or the figure it is a ratio of is null', () => {
    const v = judge(FIGURES)
    expect(v.session_ping_rps).toEqual({
      target: '>= 1 x etcd_keepalive_rps',
      measured: null,
      pass: null,
    })
    expect(v.session_wake_p99_ms_10000).toEqual({
      target: '<= 1000 ms',
      measured: null,
      pass: null,
    })
    expect(judge({ ...ALL, etcd_keepalive_rps: null }).session_ping_rps?.pass).toBeNull()
  })

  it('compares sessions with etcd measured in the same run, bounds included', () => {
    const v = judge(ALL)
    expect(v.session_ping_rps).toEqual({
      target: '>= 1 x etcd_keepalive_rps',
      measured: 1,
      pass: false,
    })
    expect(v.session_wake_p99_ms_1000).toEqual({
      target: '<= 1 x etcd_wake_p99_ms_1000',
      measured: 1,
      pass: true,
    })
    expect(v.session_wake_p99_ms_10000?.pass).toBe(false)
    expect(v.cost_session_usd_per_1k_instances_month).toEqual({
      target: '<= 1 USD/month',
      measured: 5.0518,
      pass: false,
    })
    expect(v.cost_session_usd_per_1k_watchers_month?.pass).toBe(true)
    expect(v.cost_http_usd_per_1k_instances_month).toBeUndefined()
  })

  it('prints a dash and n/a for null figures, and keeps them null when rounding', () => {
    const lines = table(FIGURES).split('\n')
    expect(lines).toHaveLength(2 + FIGURE_KEYS.length)
    expect(lines.find((l) => l.startsWith('session_ping_rps '))).toMatch(
      /\s-\s+>= 1 x etcd_keepalive_rps\s+-\s+n\/a$/
    )
    expect(lines.find((l) => l.startsWith('cost_http_usd_per_1k_instances_month '))).toMatch(
      /88\.543 USD\/month$/
    )
    expect(rounded(FIGURES).etcd_keepalive_rps).toBeNull()
    expect(rounded(ALL).session_wake_p99_ms_10000).toBe(1000)
  })

  it('states the etcd ratios only when etcd was measured', () => {
    expect(etcdNote(FIGURES)).toBe('')
    const [rates, wakes] = etcdNote(ALL).split('\n')
    expect(rates).toBe('against etcd: session_ping_rps 1.00 x, renew_rps 0.40 x etcd_keepalive_rps')
    expect(wakes).toMatch(/session_wake_p99_ms_1000 1\.00 x, wake_p99_ms_1000 3\.00 x/)
    expect(etcdNote({ ...ALL, session_ping_rps: null, session_wake_p99_ms_1000: null })).toBe(
      'against etcd: renew_rps 0.40 x etcd_keepalive_rps\n' +
        '              wake_p99_ms_1000 3.00 x etcd_wake_p99_ms_1000'
    )
  })

  it('finds no etcd on a PATH without it, and says how to get it', () => {
    expect(findEtcd('/nonexistent-bin')).toBeUndefined()
    expect(NO_ETCD).toMatch(/etcd_keepalive_rps and etcd_wake_p99_ms_1000 are null/)
    expect(NO_ETCD).toMatch(/etcd-server \(etcd 3\.4\).*does not install it/)
  })

  it('writes null figures, the verdicts and the notes as JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'))
    try {
      const file = join(dir, 'bench.json')
      writeJson(file, FIGURES, ['etcd is not on PATH'])
      const json = JSON.parse(readFileSync(file, 'utf8'))
      expect(json.etcd_keepalive_rps).toBeNull()
      expect(json.renew_rps).toBe(2400)
      expect(json.targets.session_ping_rps).toEqual({
        target: '>= 1 x etcd_keepalive_rps',
        measured: null,
        pass: null,
      })
      expect(json.notes).toEqual(['etcd is not on PATH'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('bench cost model', () => {
  it('counts one lease alarm a minute per app and one renew row a minute per instance', () => {
    const counts = countLeaseWork({
      instances: 10,
      renewIntervalMs: 30_000,
      evictAfterMs: 90_000,
      hours: 1,
    })
    expect(counts).toEqual({ alarmsPerAppPerHour: 60, rowsWrittenPerInstancePerHour: 60 })
  })

  it('prices a month of HTTP renews and polls from its operations', () => {
    const model = costModel(COUNTED)
    // 86,400 renews; a tenth of the app's 43,200 alarms; a renew row a minute
    expect(model.http.instance).toMatchObject({
      workerRequests: 86_400,
      objectRequests: 86_400,
      alarms: 4_320,
      rowsWritten: 43_200,
    })
    expect(model.http.watcher).toMatchObject({ workerRequests: 86_400, objectRequests: 86_400 })
    // requests 0.02592 + 0.013608; rows 0.0432 written, 0.0000432 read; 90,720 events x 10 ms
    // x 0.128 GB; each alarm's setAlarm one more row
    const withoutAlarmRows = 0.02592 + 0.013608 + 0.0432 + 0.0014515 + 0.0000432
    expect(usd(model.http.instance, 0)).toBeCloseTo(withoutAlarmRows, 6)
    expect(usd(model.http.instance)).toBeCloseTo(withoutAlarmRows + 0.00432, 6)
  })

  it('bills sessions for upgrades, alarms and woken messages, never for auto-answered heartbeats', () => {
    const model = costModel(COUNTED)
    expect(model.session?.instance).toMatchObject({
      workerRequests: 30,
      objectRequests: 30,
      alarms: 4_320,
      objectMessages: 30,
      rowsWritten: 0,
    })
    expect(model.session?.watcher).toMatchObject({ objectRequests: 30, alarms: 0 })
    const c = costs(model)
    // 4,320 setAlarm rows: $4.32 per 1,000 instances of the $5.05
    expect(c.cost_session_usd_per_1k_instances_month).toBeCloseTo(5.0518, 4)
    const instance = model.session?.instance
    expect(instance && 1000 * usd(instance, 0)).toBeCloseTo(0.7318, 4)
    // 86,400 heartbeats at 20:1, $0.15 per million requests: $0.648 per 1,000 sessions more
    expect(
      (c.cost_session_pings_billed_usd_per_1k_watchers_month ?? 0) -
        (c.cost_session_usd_per_1k_watchers_month ?? 0)
    ).toBeCloseTo(0.648, 6)
    const woken = costModel({
      ...COUNTED,
      session: { ...(COUNTED.session ?? ({} as never)), messageWakesPerSessionPerMinute: 2 },
    })
    expect(woken.session?.watcher.objectMessages).toBe(30 + 86_400)
  })

  it('leaves the session costs null without session counts, and names the app size that fits', () => {
    const c = costs(costModel({ ...COUNTED, session: undefined }))
    expect(c.cost_session_usd_per_1k_instances_month).toBeNull()
    expect(c.cost_session_pings_billed_usd_per_1k_watchers_month).toBeNull()
    expect(c.cost_http_usd_per_1k_watchers_month).toBeGreaterThan(40)
    expect(smallestAppWithin(COUNTED, 1)).toBe(52)
    expect(costModel(COUNTED, 1).session?.instance.alarms).toBe(43_200)
    expect(costNote(costModel(COUNTED), 1)).toMatch(/from 52 instances per app on/)
    expect(ASSUMED.instancesPerApp).toBe(10)
  })
})

describe('bench session counts', () => {
  it('counts the wake lines workerd logs, by event, leaving out other apps', () => {
    let emit: (line: string) => void = () => {}
    const server = {
      onLine: (listener: (line: string) => void) => {
        emit = listener
        return () => {
          emit = () => {}
        }
      },
    } as unknown as Server
    const seen: string[] = []
    const counter = countWakes(server, 'a', (wake) => seen.push(wake.event))
    emit('{"op":"wake","event":"fetch"}')
    emit('workerd/io: {"op":"wake","event":"message"}')
    emit('{"op":"wake","event":"alarm","appid":"b"}')
    emit('{"op":"evict","appid":"a"}')
    emit('{"op":"wake","event":"alarm"')
    const tally = counter.stop()
    emit('{"op":"wake","event":"close"}')
    expect(tally.byEvent).toEqual({ fetch: 1, message: 1 })
    expect(tally.total).toBe(2)
    expect(seen).toEqual(['fetch', 'message'])
  })

  it('takes the alarm rate from the interval between alarms, else one per window', () => {
    expect(alarmsPerMinute([1000, 61_000, 121_000], 150_000)).toBe(1)
    expect(alarmsPerMinute([1000, 31_000], 60_000)).toBe(2)
    expect(alarmsPerMinute([1000], 60_000)).toBe(1)
    expect(alarmsPerMinute([1000], 120_000)).toBe(0.5)
  })
})

describe('bench options and statistics', () => {
  it('reads --quick and --json, refuses anything else', () => {
    expect(parseOptions(['--quick', '--json', 'out.json'])).toMatchObject({
      profile: { name: 'quick' },
      json: 'out.json',
    })
    expect(parseOptions(['--json=x.json'])).toMatchObject({
      profile: { name: 'full' },
      json: 'x.json',
    })
    expect(parseOptions(['--help'])).toBe('help')
    expect(() => parseOptions(['--json'])).toThrow(/--json needs a file name/)
    expect(() => parseOptions(['--fast'])).toThrow(/unknown argument --fast/)
  })

  it('takes percentiles by nearest rank', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i)
    expect(percentile(samples, 99)).toBe(990)
    expect(median([3, 1, 2])).toBe(2)
    expect(percentile([], 50)).toBeNaN()
  })
})
