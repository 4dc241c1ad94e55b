/**
 * Wake-up latency of held polls. One round holds `polls` requests on raw keep-alive sockets,
 * waits until the server is idle, sends one trigger and times every held request's complete
 * answer from the moment the trigger was sent.
 * - measureWake: GET /discovery/polls, each watching the same `apps` fresh apps (one instance
 *   each); the trigger registers a second instance in the first app.
 * - measureFloor: the same on the floor worker (floor/worker.js), which pushes `view`: the
 *   runtime's own cost of the bridge, with no registry in it.
 */
import { PATHS } from '../../src/protocol/paths.ts'
import { registeredCursors, waitIdle } from './client.ts'
import { getText, openExchange, openMany, postText } from './raw-http.ts'
import { freshAppid, hostname, isOk, pollsPath, registerBody } from './wire.ts'

export interface Endpoint {
  url: string
  host: string
  port: number
}

export interface WakeSpec extends Endpoint {
  /** Held polls. */
  polls: number
  /** Apps each poll watches. */
  apps: number
}

export interface WakeRound {
  /** Each held request's wake latency (ms). */
  latencies: number[]
  /** One answer's body, as the clients read it. */
  sample: string
}

const ANSWER_TIMEOUT_MS = 30_000

/** One round on the registry. */
export async function measureWake(spec: WakeSpec): Promise<WakeRound> {
  const appids = Array.from({ length: spec.apps }, () => freshAppid('wake'))
  const cursors = await registeredCursors(spec.url, appids, hostname(0))
  const firstApp = appids[0] ?? ''
  const authority = `${spec.host}:${spec.port}`
  return wakeRound(spec, spec.polls, {
    held: (i) => getText(authority, pollsPath(cursors, `watcher-${i}`)),
    idleMs: 500 + spec.polls * spec.apps * 0.1,
    trigger: postText(authority, PATHS.register, registerBody(firstApp, hostname(1))),
    woken: `{"code":0,"data":{${JSON.stringify(firstApp)}:`,
  })
}

/** One round on the floor worker, pushing `view` (a registry answer, so sizes match). */
export async function measureFloor(at: Endpoint, polls: number, view: string): Promise<WakeRound> {
  const app = freshAppid('floor')
  const authority = `${at.host}:${at.port}`
  return wakeRound(at, polls, {
    held: () => getText(authority, `/poll?app=${app}`),
    idleMs: 500 + polls * 0.1,
    trigger: postText(authority, `/change?app=${app}`, view),
    woken: '{"code":0,"data":',
  })
}

interface Round {
  /** Request text of held request `i`. */
  held: (i: number) => string
  /** At least this long to wait for the server to go idle before the trigger. */
  idleMs: number
  trigger: string
  /** How every woken answer starts. */
  woken: string
}

async function wakeRound(spec: Endpoint, polls: number, round: Round): Promise<WakeRound> {
  const held = await openMany(spec.host, spec.port, polls)
  const trigger = await openExchange(spec.host, spec.port)
  try {
    await Promise.all(held.map((poll, i) => poll.send(round.held(i))))
    await waitIdle(spec.url, round.idleMs)
    const early = held.filter((poll) => poll.answered).length
    if (early > 0) throw new Error(`${early} polls answered before the change (not held)`)

    const sentAt = await trigger.send(round.trigger)
    const answers = await withTimeout(
      Promise.all(held.map((poll) => poll.answer)),
      ANSWER_TIMEOUT_MS
    )
    const wrong = answers.filter((a) => a.status !== 200 || !a.body.startsWith(round.woken))
    if (wrong.length > 0) {
      throw new Error(
        `${wrong.length} polls woke with another answer: ${wrong[0]?.body.slice(0, 200)}`
      )
    }
    const triggered = await trigger.answer
    if (!isOk(triggered.body)) throw new Error(`wake trigger: ${triggered.body}`)
    return { latencies: answers.map((a) => a.answeredAt - sentAt), sample: answers[0]?.body ?? '' }
  } finally {
    for (const poll of held) poll.close()
    trigger.close()
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
