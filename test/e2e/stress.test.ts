/**
 * The stress scripts (scripts/stress/) against the built worker served as `npm start` serves
 * it (Miniflare, no entry worker in front), at a count that fits a test run: the malformed
 * stream with its transport faults must draw no 5xx, no -500 and no lost answer; held polls
 * re-polled at once must each end within the hold plus 2 s. `npm run stress` and
 * `npm run stress:polls` run the full counts by hand (docs/development.md, "Behaviour under
 * faults").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { pollsReport, runHeldPolls } from '../../scripts/stress/held-polls.ts'
import { report, runStream } from '../../scripts/stress/malformed-stream.ts'

let registry: LocalRegistry

beforeAll(async () => {
  // the default 30 s hold, as npm start runs: held polls in the stream set a short one themselves
  registry = await startRegistry({ vars: { AUTH: 'off' }, bypassEntryWorker: true })
})

afterAll(() => registry?.stop())

describe('the malformed stream', () => {
  it('draws no server error and leaves no request unanswered (5,000 requests)', async () => {
    const result = await runStream({
      url: registry.url,
      count: 5000,
      concurrency: 32,
      seconds: 150,
      seed: 14,
    })
    console.log(report(result))
    expect(result.sent).toBe(5000)
    expect(result.serverErrors).toBe(0)
    expect(result.lost).toBe(0)
  }, 180_000)
})

describe('held polls re-polled at once', () => {
  it('each end within the hold plus 2 s (1,000 polls over 20 apps, 5 s hold)', async () => {
    const holdMs = 5000
    const result = await runHeldPolls({
      url: registry.url,
      polls: 1000,
      apps: 20,
      holdMs,
      seconds: 16,
      rampSeconds: 5,
    })
    console.log(pollsReport(result, holdMs))
    expect(result.failures).toEqual(new Map())
    expect(result.durations.length).toBeGreaterThan(2000)
    expect(Math.max(...result.durations)).toBeLessThan(holdMs + 2000)
  }, 60_000)
})
