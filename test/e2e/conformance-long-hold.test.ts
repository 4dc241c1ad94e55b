/**
 * Checklist items (docs/protocol.md) that need the reference's 30 s hold: 8 (a poll at the current cursor
 * blocks for more than 5 s), 50 and 57 (-304 after 30 s) and 61 (x1-bmspy-timeout shortens the
 * hold). One registry with the default POLL_HOLD_SECONDS; the tests run concurrently, so the
 * file takes about one hold.
 */
import { describe, type ExpectStatic, it } from 'vitest'
import { conformanceRegistry, NOT_MODIFIED } from '../support/conformance.ts'
import type { HttpAnswer } from '../support/discovery-client.ts'

const HOLD_MS = 30_000
const TOLERANCE_MS = 1500

const { d, nextApp, registeredApps } = conformanceRegistry('demo.l')

/** The bare -304 after the whole default hold; `expect` is the test's own (the tests run concurrently). */
function expectNotModifiedAfterFullHold(expect: ExpectStatic, r: HttpAnswer): void {
  expect(r.status).toBe(200)
  expect(r.text).toBe(NOT_MODIFIED)
  expect(r.ms).toBeGreaterThanOrEqual(HOLD_MS - TOLERANCE_MS)
  expect(r.ms).toBeLessThanOrEqual(HOLD_MS + TOLERANCE_MS)
}

describe.concurrent('the default 30 s hold', () => {
  it('holds a poll at the exact cursor digits for more than 5 s (item 8)', async ({ expect }) => {
    const app = nextApp()
    await d.register(app, 'h1')
    const lt = await d.latest(app)
    expect(lt).toMatch(/^\d{19}$/)
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), 5000)
    const started = performance.now()
    const outcome = await d.poll([app], [lt], {}, { signal: abort.signal }).then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error })
    )
    clearTimeout(timer)
    expect('answer' in outcome ? outcome.answer.text : 'aborted').toBe('aborted')
    expect(performance.now() - started).toBeGreaterThanOrEqual(4900)
    // One less in the last digit is behind the counter: answered at once.
    const behind = await d.poll([app], [(BigInt(lt) - 1n).toString()])
    expect(behind.body.code).toBe(0)
    expect(behind.ms).toBeLessThan(1000)
  })

  it('answers a poll at the current cursor -304 after 30 s (item 50)', async ({ expect }) => {
    const app = nextApp()
    await d.register(app, 'h1')
    expectNotModifiedAfterFullHold(expect, await d.poll([app], [await d.latest(app)]))
  })

  it('answers polls with every cursor current -304 after 30 s (item 57)', async ({ expect }) => {
    const [a, b] = await registeredApps('h1', 'h1')
    const infra = 'infra.discovery'
    const cursors = {
      [a]: await d.latest(a),
      [b]: await d.latest(b),
      [infra]: await d.latest(infra),
    }
    expectNotModifiedAfterFullHold(expect, await d.polls(cursors))
  })

  it('shortens the hold to the x1-bmspy-timeout header (item 61)', async ({ expect }) => {
    const app = nextApp()
    await d.register(app, 'h1')
    const r = await d.poll(
      [app],
      [await d.latest(app)],
      {},
      { headers: { 'x1-bmspy-timeout': '2000' } }
    )
    expect(r.status).toBe(200)
    expect(r.text).toBe(NOT_MODIFIED)
    expect(r.ms).toBeGreaterThanOrEqual(2000 - 20 - 250)
    expect(r.ms).toBeLessThan(2000 + TOLERANCE_MS)
  })
})
