/**
 * The server process, seen from the load driver: start scripts/bench/serve.ts as a child,
 * wait for its URL, find its workerd, pass on the lines workerd logs (Miniflare pipes the
 * worker's console to the child's stdout and stderr), stop it (SIGTERM, then SIGKILL of both
 * if it hangs). Restarting with the same persistDir reloads every Durable Object from SQLite.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { findWorkerd } from './proc.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000

export interface ServerOptions {
  persistDir?: string
  vars?: Record<string, string>
  /** Serve the floor worker (floor/worker.js) instead of the registry. */
  floor?: boolean
}

export interface Server {
  /** e.g. http://127.0.0.1:40211 */
  url: string
  host: string
  port: number
  /** The server process (serve.ts) and the workerd process serving the worker. */
  pid: number
  workerdPid: number
  /** Call `listener` with every line the worker logs from now on; returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void
  stop(): Promise<void>
}

export async function startServer(options: ServerOptions): Promise<Server> {
  const args = ['--import', 'tsx', `${ROOT}scripts/bench/serve.ts`, JSON.stringify(options)]
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const url = await readyUrl(child, () => stderr)
  const listeners = new Set<(line: string) => void>()
  const lines = (stream: NodeJS.ReadableStream | null) => {
    let partial = ''
    stream?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString()
      const end = text.lastIndexOf('\n')
      partial = text.slice(end + 1)
      if (end < 0 || listeners.size === 0) return
      for (const line of text.slice(0, end).split('\n')) for (const l of listeners) l(line)
    })
  }
  lines(child.stdout)
  lines(child.stderr)
  const workerdPid = findWorkerd(child.pid ?? -1)
  if (workerdPid === undefined) {
    await stopChild(child, undefined)
    throw new Error('server started but no workerd process was found below it')
  }
  const parsed = new URL(url)
  return {
    url,
    host: parsed.hostname,
    port: Number(parsed.port),
    pid: child.pid ?? -1,
    workerdPid,
    onLine: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    stop: () => stopChild(child, workerdPid),
  }
}

/** The URL the child prints on its `READY` line. */
function readyUrl(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const late = () => fail(new Error('server did not start in time'))
    const timer = setTimeout(late, START_TIMEOUT_MS)
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${error.message}\n${stderr()}`))
    }
    child.on('exit', (code) => fail(new Error(`server exited early (code ${code})`)))
    const read = (chunk: Buffer) => {
      out += chunk.toString()
      const match = /^READY (.*)$/m.exec(out)
      if (!match?.[1]) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      child.stdout?.off('data', read)
      resolve((JSON.parse(match[1]) as { url: string }).url)
    }
    child.stdout?.on('data', read)
  })
}

/** SIGTERM (the child disposes workerd); after a grace period SIGKILL the child and workerd. */
function stopChild(child: ChildProcess, workerdPid: number | undefined): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      if (workerdPid !== undefined) {
        try {
          process.kill(workerdPid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    }, STOP_TIMEOUT_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
