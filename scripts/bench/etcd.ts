/**
 * etcd side by side. When `etcd` is on PATH (Debian's etcd-server: etcd 3.4), start one member
 * on loopback (a temporary data directory, free ports; stopped and removed at the end) and
 * measure it through its HTTP/JSON gateway with the clients the registry's figures use:
 * - etcd_keepalive_rps: `POST /v3/lease/keepalive` `{"ID": …}` over autocannon, as renews are
 *   sent (the same connections and duration), on leases granted first;
 * - etcd_wake_p99_ms_1000: `POST /v3/watch` streams on one key held on raw sockets, one
 *   `POST /v3/kv/put`, timed from its send to each stream's event, as held polls are timed.
 * The benchmark never installs etcd: without it these figures are null and the run says why.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { sleep, waitFor } from '../shared/wait.ts'
import { type LoadResult, runLoad } from './load.ts'
import { CONNECTIONS } from './throughput.ts'

/** Why the etcd figures are null when etcd is missing. */
export const NO_ETCD =
  'etcd is not on PATH, so etcd_keepalive_rps and etcd_wake_p99_ms_1000 are null: install ' +
  "Debian's etcd-server (etcd 3.4) to measure etcd side by side (the benchmark does not install it)"

/** Leases kept alive in turn, as renews go to 10,000 instances in turn. */
export const LEASES = 1000
const LEASE_TTL_SECONDS = 600
const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 5_000
const ANSWER_TIMEOUT_MS = 30_000

/** The etcd executable on `path` (PATH by default), or undefined. */
export function findEtcd(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const file = join(dir, 'etcd')
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {
      // not in this directory
    }
  }
  return undefined
}

export interface Etcd {
  url: string
  host: string
  port: number
  pid: number
  stop(): Promise<void>
}

/** A port nobody listens on now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Start one etcd member on loopback; resolves once /health answers true. */
export async function startEtcd(bin: string): Promise<Etcd> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edge-discovery-etcd-'))
  const [client, peer] = [await freePort(), await freePort()]
  const host = '127.0.0.1'
  const url = `http://${host}:${client}`
  const peerUrl = `http://${host}:${peer}`
  const child = spawn(
    bin,
    [
      `--name=bench`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=bench=${peerUrl}`,
      '--logger=zap',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const stop = () => stopEtcd(child, dataDir)
  try {
    const healthy = async () => {
      if (child.exitCode !== null) throw new Error(`etcd exited (${child.exitCode}): ${stderr}`)
      try {
        const response = await fetch(`${url}/health`)
        return response.ok && (await response.text()).includes('"true"')
      } catch {
        return false // not listening yet
      }
    }
    await waitFor('etcd to answer /health', healthy, START_TIMEOUT_MS, 100)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, host, port: client, pid: child.pid ?? -1, stop }
}

function stopEtcd(child: ChildProcess, dataDir: string): Promise<void> {
  const removeData = () => rmSync(dataDir, { recursive: true, force: true })
  if (child.exitCode !== null || child.signalCode !== null) {
    removeData()
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      removeData()
      resolve()
    })
    child.kill('SIGTERM')
  })
}

const JSON_HEADERS = { 'content-type': 'application/json' }

async function post(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`etcd ${path}: HTTP ${response.status} ${text.slice(0, 200)}`)
  return JSON.parse(text) as Record<string, unknown>
}

/** Grant `count` leases (32 at a time); their IDs as the gateway writes them (int64 strings). */
export async function grantLeases(url: string, count = LEASES): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i += CONNECTIONS) {
    const batch = Array.from({ length: Math.min(CONNECTIONS, count - i) }, () =>
      post(url, '/v3/lease/grant', { TTL: LEASE_TTL_SECONDS })
    )
    for (const granted of await Promise.all(batch)) {
      if (typeof granted.ID !== 'string')
        throw new Error(`etcd lease grant: ${JSON.stringify(granted)}`)
      ids.push(granted.ID)
    }
  }
  return ids
}

/** A keepalive answer of a live lease: its TTL, not zero (a lost lease answers TTL 0 or none). */
const isKeptAlive = (body: string): boolean => /"TTL":"[1-9]/.test(body)

/** Keep the leases `ids` alive in turn for `seconds`, over the renew runs' connections. */
export const keepalives = (url: string, ids: string[], seconds: number): Promise<LoadResult> =>
  runLoad({
    url,
    connections: CONNECTIONS,
    seconds,
    method: 'POST',
    headers: JSON_HEADERS,
    request: (n) => ({ path: '/v3/lease/keepalive', body: `{"ID":"${ids[n % ids.length]}"}` }),
    verify: isKeptAlive,
  })

/** One streamed HTTP/1.1 exchange on a raw socket: the answer text as it arrives. */
interface Stream {
  /** Write the request; resolves with performance.now() when it was handed to the OS. */
  send(text: string): Promise<number>
  /** When `pattern` first appears in the answer (performance.now() of that chunk). */
  until(pattern: string): Promise<number>
  close(): void
}

function openStream(host: string, port: number): Promise<Stream> {
  return new Promise((resolveOpen, rejectOpen) => {
    const socket: Socket = connect({ host, port, noDelay: true })
    let received = ''
    let failure: Error | undefined
    const waiting: {
      pattern: string
      resolve: (at: number) => void
      reject: (e: Error) => void
    }[] = []
    const check = (at: number) => {
      for (let i = waiting.length - 1; i >= 0; i--) {
        const w = waiting[i]
        if (w && received.includes(w.pattern)) {
          waiting.splice(i, 1)
          w.resolve(at)
        }
      }
    }
    const fail = (error: Error) => {
      failure = error
      for (const w of waiting.splice(0)) w.reject(error)
    }
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now()
      received += chunk.toString('utf8')
      check(at)
    })
    socket.on('error', (error) => {
      fail(error)
      rejectOpen(error)
    })
    socket.on('close', () => fail(new Error('etcd closed the stream')))
    socket.once('connect', () =>
      resolveOpen({
        send: (text) =>
          new Promise((resolve, reject) => {
            const at = performance.now()
            socket.write(text, (error) => (error ? reject(error) : resolve(at)))
          }),
        until: (pattern) =>
          new Promise<number>((resolve, reject) => {
            if (received.includes(pattern)) return resolve(performance.now())
            if (failure) return reject(failure)
            waiting.push({ pattern, resolve, reject })
          }),
        close: () => socket.destroy(),
      })
    )
  })
}

const postText = (host: string, path: string, body: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

const base64 = (text: string) => Buffer.from(text).toString('base64')

/**
 * One round: `watchers` gateway watches on a fresh key, all created, the server left idle,
 * then one put; each watch's wake latency (ms) from the put's send to its event.
 */
export async function measureEtcdWake(etcd: Etcd, watchers: number): Promise<number[]> {
  const key = base64(`/bench/wake/${Date.now()}${Math.random()}`)
  const authority = `${etcd.host}:${etcd.port}`
  const streams: Stream[] = []
  try {
    for (let i = 0; i < watchers; i += 64) {
      const batch = Array.from({ length: Math.min(64, watchers - i) }, () =>
        openStream(etcd.host, etcd.port)
      )
      streams.push(...(await Promise.all(batch)))
    }
    const watch = postText(authority, '/v3/watch', `{"create_request":{"key":"${key}"}}`)
    await Promise.all(streams.map((s) => s.send(watch)))
    await withTimeout(Promise.all(streams.map((s) => s.until('"created":true'))), 'watches')
    await sleep(500 + watchers * 0.1)
    const trigger = await openStream(etcd.host, etcd.port)
    streams.push(trigger)
    const events = streams.slice(0, watchers).map((s) => s.until('"events":'))
    const sentAt = await trigger.send(
      postText(authority, '/v3/kv/put', `{"key":"${key}","value":"${base64('changed')}"}`)
    )
    const arrived = await withTimeout(Promise.all(events), 'watch events')
    await withTimeout(trigger.until('"revision"'), 'the put')
    return arrived.map((at) => at - sentAt)
  } finally {
    for (const s of streams) s.close()
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`etcd: no ${what} within ${ANSWER_TIMEOUT_MS} ms`)),
      ANSWER_TIMEOUT_MS
    )
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
