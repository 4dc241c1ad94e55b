/**
 * `npx tsx scripts/repro/wrangler-dev-503/run.ts [--count 2000] [--concurrency 32] [--rounds 10]`:
 * send the same POSTs to worker.js served by `wrangler dev` (its proxy in front, as `npm start`
 * serves the registry) and by Miniflare directly, and print how each answered. Every request
 * goes on a new connection, in three phases: `--count` well-formed form POSTs back to back;
 * `--rounds` rounds of `--concurrency` POSTs, each round after a pause of about 5 s (the
 * runtime's keep-alive timeout, when the proxy's pooled connections to the worker close); and
 * `--count / 10` POSTs whose body stops short of its Content-Length (the client half-closes).
 * Bounded: about a minute; it stops wrangler and Miniflare at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Miniflare } from 'miniflare'
import { sleep, waitFor } from '../../shared/wait.ts'

const HERE = fileURLToPath(new URL('./', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const BODY = 'appid=demo.repro&env=dev&zone=sh001&hostname=h1'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '10' },
    port: { type: 'string', default: '8799' },
  },
})
const count = Number(values.count)
const concurrency = Number(values.concurrency)
const rounds = Number(values.rounds)
/** Pauses around the runtime's 5 s keep-alive timeout. */
const IDLE_MS = [4800, 4900, 5000, 5100, 5200]

/** One POST on a new connection: its status, or how the connection failed. */
function post(port: number, truncated: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let text = ''
    const done = (outcome: string) => {
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => done('timeout'), 15_000)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]
      if (status && text.includes('\r\n\r\n')) {
        clearTimeout(timer)
        done(status)
      }
    })
    socket.on('error', (error) => done(`reset (${error.message})`))
    socket.on('end', () => done('closed'))
    socket.on('connect', () => {
      const length = truncated ? BODY.length + 100 : BODY.length
      socket.write(
        `POST /repro HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n` +
          `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`
      )
      if (truncated) socket.end(BODY)
      else socket.write(BODY)
    })
  })
}

/** `n` POSTs, `concurrency` at a time; the outcomes counted into `outcomes`. */
async function load(
  port: number,
  n: number,
  truncated: boolean,
  outcomes = new Map<string, number>()
): Promise<Map<string, number>> {
  let next = 0
  const worker = async () => {
    while (next < n) {
      next += 1
      const outcome = await post(port, truncated)
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return outcomes
}

const show = (label: string, outcomes: Map<string, number>) =>
  console.log(`${label}: ${[...outcomes].map(([k, n]) => `${k}: ${n}`).join(', ')}`)

async function measure(label: string, port: number): Promise<void> {
  show(`${label}, ${count} whole bodies`, await load(port, count, false))
  const afterIdle = new Map<string, number>()
  for (let round = 0; round < rounds; round++) {
    await sleep(IDLE_MS[round % IDLE_MS.length] ?? 5000)
    await load(port, concurrency, false, afterIdle)
  }
  show(`${label}, ${rounds * concurrency} whole bodies after ~5 s idle`, afterIdle)
  show(`${label}, ${Math.ceil(count / 10)} truncated bodies`, await load(port, count / 10, true))
}

async function startWrangler(port: number): Promise<ChildProcess> {
  const args = [
    'dev',
    '--config',
    `${HERE}wrangler.toml`,
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    // not the default 9229, which another wrangler dev on the machine may hold
    '--inspector-port',
    String(port + 1),
  ]
  const child = spawn(`${ROOT}node_modules/.bin/wrangler`, args, {
    cwd: HERE,
    detached: true,
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
    stdio: 'ignore',
  })
  await waitFor(
    `wrangler dev on port ${port}`,
    async () => (await post(port, false)) === '200',
    60_000,
    500
  )
  return child
}

const wrangler = await startWrangler(Number(values.port))
try {
  await measure('wrangler dev', Number(values.port))
} finally {
  if (wrangler.pid) process.kill(-wrangler.pid, 'SIGTERM')
}
const mf = new Miniflare({
  host: '127.0.0.1',
  port: 0,
  modules: true,
  scriptPath: `${HERE}worker.js`,
  compatibilityDate: '2026-05-01',
})
try {
  await measure('Miniflare directly', Number(new URL((await mf.ready).origin).port))
} finally {
  await mf.dispose()
}
