/** The client SDK runs inside the Workers runtime too: a Worker can register and watch. */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { expect, it } from 'vitest'
import { createDiscoveryClient, type DiscoveryClientOptions } from '../../src/client/index.ts'
import { freshAppid, stubOf, worker } from './support.ts'

/** A client in this Worker that reaches the registry through the Worker's own fetch. */
function inWorkerClient(options: Pick<DiscoveryClientOptions, 'transport' | 'webSocket'>) {
  return createDiscoveryClient({
    nodes: ['127.0.0.1:7171'],
    env: 'dev',
    zone: 'sh001',
    hostname: 'in-worker',
    fetch: (input, init) => worker.fetch(input as string, init as RequestInit),
    ...options,
  })
}

it('registers, fetches and watches from inside workerd', async () => {
  const appid = freshAppid()
  // over HTTP here; the test below goes over a session
  const client = inWorkerClient({ transport: 'http' })
  try {
    const registration = await client.register({ appid, addrs: ['grpc://10.0.0.9:9000'] })
    const snapshot = await client.fetch(appid)
    expect(snapshot.instances.sh001?.map((i) => i.hostname)).toEqual(['in-worker'])
    const abort = new AbortController()
    for await (const seen of client.watch(appid, { signal: abort.signal })) {
      expect(seen.instances.sh001?.[0]?.addrs).toEqual(['grpc://10.0.0.9:9000'])
      abort.abort()
    }
    await registration.cancel()
  } finally {
    await client.close()
    await runDurableObjectAlarm(stubOf(appid))
  }
})

/**
 * A WebSocket class over the worker's own fetch: inside vitest's workerd there is no network
 * to dial, so the upgrade goes through `worker.fetch`, as a Worker calling a service would.
 */
class FetchedWebSocket {
  readonly #listeners = new Map<string, ((event: never) => void)[]>()
  #socket: WebSocket | undefined

  constructor(url: string, protocols: string[]) {
    const http = url.replace(/^ws/, 'http')
    const headers = { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': protocols.join(', ') }
    worker.fetch(http, { headers }).then(
      (response) => {
        const socket = response.webSocket
        if (!socket) return this.#emit('error', {})
        socket.accept()
        this.#socket = socket
        socket.addEventListener('message', (e) => this.#emit('message', { data: e.data }))
        socket.addEventListener('close', (e) => this.#emit('close', e))
        this.#emit('open', {})
      },
      () => this.#emit('error', {})
    )
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener])
  }

  send(data: string): void {
    this.#socket?.send(data)
  }

  close(code?: number, reason?: string): void {
    this.#socket?.close(code, reason)
  }

  #emit(type: string, event: unknown): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event as never)
  }
}

it('registers and watches over a session from inside workerd', async () => {
  const appid = freshAppid()
  const client = inWorkerClient({ webSocket: FetchedWebSocket, transport: 'session' })
  try {
    const registration = await client.register({ appid, addrs: ['grpc://10.0.0.9:9000'] })
    expect(registration.transport).toBe('session')
    const abort = new AbortController()
    for await (const seen of client.watch(appid, { signal: abort.signal })) {
      expect(seen.instances.sh001?.map((i) => i.hostname)).toEqual(['in-worker'])
      abort.abort()
    }
    await registration.cancel()
    const after = await client.fetch(appid).catch((error: unknown) => error)
    expect(String(after)).toMatch(/-404|not found/i)
  } finally {
    await client.close()
    await runDurableObjectAlarm(stubOf(appid))
  }
})
