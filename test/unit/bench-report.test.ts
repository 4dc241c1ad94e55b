/** The benchmark's verdicts, table and options (scripts/bench): pure functions of the figures. */
import { describe, expect, it } from 'vitest'
import { FIGURE_KEYS, type Figures, judge } from '../../scripts/bench/figures.ts'
import { parseOptions } from '../../scripts/bench/options.ts'
import { floorNote, table } from '../../scripts/bench/report.ts'
import { median, percentile } from '../../scripts/bench/stats.ts'

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

  it('states renew and wake as multiples of the floors measured in the same run', () => {
    const [renew, wake] = floorNote(FIGURES).split('\n')
    expect(renew).toMatch(/^renew_rps is 0\.80 x renew_floor_rps, itself 0\.750 x baseline_rps/)
    expect(wake).toMatch(/^wake_p99_ms_1000 is 1\.25 x wake_floor_p99_ms_1000/)
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
