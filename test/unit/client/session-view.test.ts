import { describe, expect, it } from 'vitest'
import type { AppSnapshot } from '../../../src/client/app-snapshot.ts'
import { type DeltaFrame, decodeFrame, type ViewFrame } from '../../../src/client/session-frames.ts'
import { WatchedView } from '../../../src/client/session-view.ts'
import type { Instance } from '../../../src/registry/model.ts'
import { deltaFrame, viewFrame } from './fake-websocket.ts'
import { anInstance } from './fakes.ts'

const T1 = 1_700_000_000_000_000_011n
const T2 = 1_700_000_000_000_000_022n
const T3 = 1_700_000_000_000_000_033n
const h1 = anInstance({ hostname: 'h1' })
const h2 = anInstance({ hostname: 'h2', zone: 'sh002' })

const view = (instances: Instance[], latest: bigint) =>
  decodeFrame(viewFrame(instances, latest)) as ViewFrame
const delta = (from: bigint, latest: bigint, put: Instance[], del: Instance[] = []) =>
  decodeFrame(deltaFrame(from, latest, put, del)) as DeltaFrame

function watched() {
  const seen: AppSnapshot[] = []
  const state = new WatchedView('demo.a')
  state.listeners.add((s) => seen.push(s))
  const hosts = () =>
    seen.map((s) =>
      Object.values(s.instances)
        .flat()
        .map((i) => i.hostname)
    )
  return { state, seen, hosts }
}

describe('WatchedView', () => {
  it('applies a view, then deltas that follow the cursor, grouping instances by zone', () => {
    const { state, seen, hosts } = watched()
    state.applyView(view([h1], T1), false)
    expect(state.applyDelta(delta(T1, T2, [h2]))).toBe(true)
    expect(seen[1]).toEqual({
      appid: 'demo.a',
      instances: { sh001: [h1], sh002: [h2] },
      latestTimestamp: T2,
    })
    const moved = { ...h2, addrs: ['grpc://10.9.9.9:1'] }
    expect(state.applyDelta(delta(T2, T3, [moved], [h1]))).toBe(true)
    expect(hosts()).toEqual([['h1'], ['h1', 'h2'], ['h2']])
    expect(state.latest()?.instances).toEqual({ sh002: [moved] })
    expect(state.cursor).toBe(T3)
  })

  it('refuses a delta whose from is not the cursor held, changing nothing', () => {
    const { state, seen } = watched()
    expect(state.applyDelta(delta(0n, T1, [h1]))).toBe(false) // no view yet
    state.applyView(view([h1], T1), false)
    expect(state.applyDelta(delta(T2, T3, [h2]))).toBe(false)
    expect(state.cursor).toBe(T1)
    expect(seen).toHaveLength(1)
  })

  it('reports the app empty when a view says so or a delta removes the last instance', () => {
    const first = watched()
    first.state.applyView(view([], T1), false)
    expect(first.seen).toEqual([{ appid: 'demo.a', instances: {}, latestTimestamp: T1 }])

    const { state, hosts } = watched()
    state.applyView(view([h1], T1), false)
    state.applyDelta(delta(T1, T2, [], [h1]))
    state.applyView(view([h2], T3), false)
    state.applyView(view([], T3 + 1n), false)
    expect(hosts()).toEqual([['h1'], [], ['h2'], []])
  })

  it('keeps a non-empty list when the first view after a reconnect is empty', () => {
    const { state, hosts } = watched()
    state.applyView(view([h1], T1), false)
    state.applyView(view([], T2), true)
    expect(hosts()).toEqual([['h1']])
    expect(state.latest()?.instances).toEqual({ sh001: [h1] })
    // The cursor is the registry's; its next change is applied to what it said, not to h1.
    expect(state.applyDelta(delta(T2, T3, [h2]))).toBe(true)
    expect(hosts()).toEqual([['h1'], ['h2']])
  })

  it('tells nobody when nothing they act on changed', () => {
    const { state, seen } = watched()
    state.applyView(view([h1], T1), false)
    state.applyView(view([{ ...h1, renewTimestamp: h1.renewTimestamp + 5n }], T2), false)
    expect(seen).toHaveLength(1)
    expect(state.latest()?.latestTimestamp).toBe(T2)
  })

  it('starts over from cursor 0 after reset', () => {
    const { state } = watched()
    state.applyView(view([h1], T1), false)
    state.reset()
    expect(state.cursor).toBe(0n)
    expect(state.latest()).toBeUndefined()
  })
})
