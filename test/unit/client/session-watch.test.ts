import { afterEach, describe, expect, it } from 'vitest'
import type { AppSnapshot } from '../../../src/client/app-snapshot.ts'
import type { DiscoveryClient } from '../../../src/client/client.ts'
import { deltaFrame, viewFrame } from './fake-websocket.ts'
import { anInstance, settle } from './fakes.ts'
import { closeSessionClient, sessionClient } from './session-harness.ts'

afterEach(closeSessionClient)

const T1 = 1_700_000_000_000_000_011n
const T2 = 1_700_000_000_000_000_022n
const T3 = 1_700_000_000_000_000_033n
const h1 = anInstance({ appid: 'demo.a', hostname: 'h1' })
const h2 = anInstance({ appid: 'demo.a', hostname: 'h2', zone: 'sh002' })
const FIRST_RETRY_MS = 1000

/** Collect what `client.watch(appids)` yields until the returned stop() is called. */
function collect(client: DiscoveryClient, appids: string | string[]) {
  const seen: AppSnapshot[] = []
  const abort = new AbortController()
  const done = (async () => {
    for await (const s of client.watch(appids, { signal: abort.signal })) seen.push(s)
  })()
  const hosts = () =>
    seen.map((s) =>
      Object.values(s.instances)
        .flat()
        .map((i) => i.hostname)
    )
  return {
    seen,
    hosts,
    stop: async () => {
      abort.abort()
      await done
    },
  }
}

describe('DiscoveryClient.watch over a session', () => {
  it('watches from cursor 0, then yields each view and delta as an AppSnapshot', async () => {
    const { client, registry, fetch } = sessionClient()
    const { seen, hosts } = collect(client, 'demo.a')
    await settle()
    const socket = registry.current()
    expect(socket.requests()).toEqual([{ op: 'watch', id: 1, zone: '', status: [1], cursor: 0 }])
    socket.receive(viewFrame([h1], T1))
    socket.receive(deltaFrame(T1, T2, [h2]))
    await settle()
    expect(hosts()).toEqual([['h1'], ['h1', 'h2']])
    expect(seen[1]).toEqual({
      appid: 'demo.a',
      instances: { sh001: [h1], sh002: [h2] },
      latestTimestamp: T2,
    })
    expect(fetch.requests.map((r) => r.path)).toEqual(['/discovery/fetch']) // no polls
  })

  it('watches again with the cursor held when a delta does not follow it', async () => {
    const { client, registry } = sessionClient()
    const { hosts } = collect(client, 'demo.a')
    await settle()
    const socket = registry.current()
    socket.receive(viewFrame([h1], T1))
    registry.autoOk = false
    socket.receive(deltaFrame(T2, T3, [h2])) // T1 → T2 was missed
    socket.receive(deltaFrame(T3, T3 + 1n, [])) // still not following: the watch is out
    await settle()
    expect(socket.ops()).toEqual(['watch', 'watch'])
    expect(socket.last('watch').cursor).toBe(T1)
    socket.ok('watch')
    socket.receive(deltaFrame(T1, T3, [h2])) // the catch-up from the cursor held
    await settle()
    expect(hosts()).toEqual([['h1'], ['h1', 'h2']])
  })

  it('yields an empty snapshot when the registry says the app is empty', async () => {
    const { client, registry } = sessionClient()
    const { seen, hosts } = collect(client, 'demo.a')
    await settle()
    const socket = registry.current()
    socket.receive(viewFrame([], T1))
    await settle()
    expect(seen).toEqual([{ appid: 'demo.a', instances: {}, latestTimestamp: T1 }])
    socket.receive(deltaFrame(T1, T2, [h1]))
    socket.receive(deltaFrame(T2, T3, [], [h1]))
    await settle()
    expect(hosts()).toEqual([[], ['h1'], []])
  })

  it('never empties a list on an error, a disconnect or a registry restart', async () => {
    const { client, registry, timers, errors } = sessionClient()
    const { hosts } = collect(client, 'demo.a')
    await settle()
    registry.current().receive(viewFrame([h1], T1))
    registry.current().receive({ type: 'error', id: 99, code: -500, message: 'boom' })
    registry.current().receive('not json')
    await settle()
    expect(errors.map((e) => e.name)).toEqual(['DiscoveryResponseError'])
    await timers.advance(FIRST_RETRY_MS)
    const second = registry.current()
    expect(second.last('watch').cursor).toBe(T1)
    second.drop(1006)
    await timers.advance(FIRST_RETRY_MS)
    const third = registry.current()
    expect(third.url.searchParams.get('session')).toBe(second.url.searchParams.get('session'))
    third.receive(viewFrame([], T2)) // what a registry that lost its state would answer
    await settle()
    expect(hosts()).toEqual([['h1']])
    third.receive(deltaFrame(T2, T3, [h2])) // its next change is told as it is
    await settle()
    expect(hosts()).toEqual([['h1'], ['h2']])
  })

  it('gives every app its own session, and a second watcher starts from what is known', async () => {
    const { client, registry } = sessionClient()
    const both = collect(client, ['demo.a', 'demo.b'])
    await settle()
    expect(registry.sockets.map((s) => s.url.searchParams.get('appid'))).toEqual([
      'demo.a',
      'demo.b',
    ])
    registry.sockets[0]?.receive(viewFrame([h1], T1))
    await settle()
    const late = collect(client, 'demo.a')
    await settle()
    expect(late.hosts()).toEqual([['h1']])
    expect(registry.sockets[0]?.ops()).toEqual(['watch']) // one watch per app, shared
    await both.stop()
    await late.stop()
  })

  it('unwatches when the last watcher leaves, and closes the idle session with 1000', async () => {
    const { client, registry } = sessionClient()
    const first = collect(client, 'demo.a')
    const second = collect(client, 'demo.a')
    await settle()
    const socket = registry.current()
    await first.stop()
    expect(socket.ops()).toEqual(['watch'])
    await second.stop()
    await settle()
    expect(socket.ops()).toEqual(['watch', 'unwatch'])
    expect(socket.closedWith).toEqual({ code: 1000 })
  })

  it('keeps the session open for its registrations after the watch ends', async () => {
    const { client, registry } = sessionClient()
    await client.register({ appid: 'demo.a', addrs: ['grpc://10.0.0.1:9000'] })
    const watch = collect(client, 'demo.a')
    await settle()
    await watch.stop()
    await settle()
    expect(registry.current().ops()).toEqual(['register', 'watch', 'unwatch'])
    expect(registry.current().closedWith).toBeUndefined()
  })
})
