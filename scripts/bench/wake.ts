/**
 * Wake-up latency of held polls: hold `polls` GET /discovery/polls, each watching the same
 * `apps` fresh apps (one instance each), on raw keep-alive sockets; then register a second
 * instance in the first app and time every poll's complete answer from the moment that
 * register was sent.
 */
import { PATHS } from '../../src/protocol/paths.ts'
import { cursor, registerOne, waitIdle } from './client.ts'
import { getText, openExchange, openMany, postText } from './raw-http.ts'
import { freshAppid, hostname, isOk, pollsPath, registerBody } from './wire.ts'

export interface WakeSpec {
  url: string
  host: string
  port: number
  /** Held polls. */
  polls: number
  /** Apps each poll watches. */
  apps: number
}

const ANSWER_TIMEOUT_MS = 30_000

/** One round: the wake latency (ms) of every held poll. */
export async function measureWake(spec: WakeSpec): Promise<number[]> {
  const appids = Array.from({ length: spec.apps }, () => freshAppid('wake'))
  for (const appid of appids) await registerOne(spec.url, appid, hostname(0))
  const cursors: [string, string][] = []
  for (const appid of appids) cursors.push([appid, await cursor(spec.url, appid)])

  const authority = `${spec.host}:${spec.port}`
  const held = await openMany(spec.host, spec.port, spec.polls)
  const trigger = await openExchange(spec.host, spec.port)
  try {
    const pollText = (i: number) => getText(authority, pollsPath(cursors, `watcher-${i}`))
    await Promise.all(held.map((poll, i) => poll.send(pollText(i))))
    await waitIdle(spec.url, 500 + spec.polls * spec.apps * 0.1)
    const early = held.filter((poll) => poll.answered).length
    if (early > 0) throw new Error(`${early} polls answered before the change (not held)`)

    const firstApp = appids[0] ?? ''
    const change = postText(authority, PATHS.register, registerBody(firstApp, hostname(1)))
    const sentAt = await trigger.send(change)
    const all = Promise.all(held.map((poll) => poll.answer))
    const answers = await withTimeout(all, ANSWER_TIMEOUT_MS)
    const woken = `{"code":0,"data":{${JSON.stringify(firstApp)}:`
    const wrong = answers.filter((a) => a.status !== 200 || !a.body.startsWith(woken))
    if (wrong.length > 0) {
      const sample = wrong[0]?.body.slice(0, 200)
      throw new Error(`${wrong.length} polls woke with another answer: ${sample}`)
    }
    const registered = await trigger.answer
    if (!isOk(registered.body)) throw new Error(`wake register: ${registered.body}`)
    return answers.map((a) => a.answeredAt - sentAt)
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
