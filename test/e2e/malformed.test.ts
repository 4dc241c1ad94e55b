/**
 * Black-box fuzz: a bounded stream of malformed requests to every /discovery route. Every
 * generated write is invalid by construction (one defect that no added noise can repair) and
 * aims at keys of real instances, so an accidental acceptance shows as a change in fetch/all.
 * Properties: never a 5xx (nor a -500 envelope), every 200 is JSON with an integer code,
 * invalid requests answer -400 with a message, wrong methods answer 405, and the registry is
 * byte-for-byte unchanged after every request. The generators are in scripts/shared/malformed/
 * (the stress stream uses them too), the sending in test/support/fuzz/; this file holds the
 * registry, the expectations and the checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRegistry, startRegistry } from '../../scripts/shared/local-registry.ts'
import { malformedStream } from '../../scripts/shared/malformed/arbitraries.ts'
import {
  APPS,
  describeRequest,
  KNOWN,
  type Malformed,
} from '../../scripts/shared/malformed/request.ts'
import { Discovery } from '../support/discovery-client.ts'
import { type AnswerOrReset, send } from '../support/fuzz/malformed-send.ts'

const RUNS = 500

let registry: LocalRegistry
const d = new Discovery(() => registry.url)

const fetchAll = async () => (await d.fetchAll()).text
const fetchApp = async (appid: string, env: string) => (await d.fetch(appid, { env })).text

let snapshot: { all: string; apps: string[] }

async function takeSnapshot() {
  return {
    all: await fetchAll(),
    apps: await Promise.all(APPS.map(([appid, env]) => fetchApp(appid, env))),
  }
}

beforeAll(async () => {
  // AUTH=off: this file is about input handling, not access control (ignored by builds without auth)
  registry = await startRegistry({ vars: { POLL_HOLD_SECONDS: '1', AUTH: 'off' } })
  for (const k of KNOWN) {
    const { appid, env, zone, hostname, status, addrs, metadata } = k
    const params = { appid, env, zone, hostname, status, version: 'v1', addrs, metadata }
    expect((await d.post('/discovery/register', params)).body).toEqual({
      code: 0,
      message: '0',
      ttl: 1,
    })
  }
  snapshot = await takeSnapshot()
})

afterAll(() => registry?.stop())

/** Oversize requests answered by a dropped connection instead of -400 (see sendOversize). */
let resets = 0
/** Outcomes by expectation, for the summary line: "invalid HTTP 200 code -400" → count. */
const outcomes = new Map<string, number>()
const tally = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1)

/** Check one answer against the request's expectation; returns a problem or undefined. */
function check(request: Malformed, answer: AnswerOrReset): string | undefined {
  if ('reset' in answer) {
    if (request.carrier.kind !== 'oversize') return `connection failed: ${answer.reset}`
    resets += 1
    return undefined
  }
  const { status, contentType, text } = answer
  tally(`${request.expect} ${status} ${/^\{"code":(-?\d+)/.exec(text)?.[1] ?? ''}`)
  const seen = `HTTP ${status} ${JSON.stringify(text.slice(0, 300))}`
  if (status >= 500) return `5xx: ${seen}`
  if (request.expect === 'method')
    return status === 405 ? undefined : `expected HTTP 405, got ${seen}`
  if (status !== 200) {
    return request.expect === 'odd-path' && (status === 404 || status === 405)
      ? undefined
      : `expected HTTP 200, got ${seen}`
  }
  if (request.method === 'HEAD') return `HEAD answered 200`
  if (!contentType.startsWith('application/json')) return `200 without a JSON content type: ${seen}`
  let body: { code?: unknown; message?: unknown; ttl?: unknown }
  try {
    body = JSON.parse(text)
  } catch {
    return `200 with a body that is not JSON: ${seen}`
  }
  if (!Number.isInteger(body.code)) return `200 without an integer code: ${seen}`
  if (body.code === -500) return `-500 (a crash inside a handler): ${seen}`
  if (request.expect === 'read-ok') {
    if (body.code !== 0) return `expected code 0, got ${seen}`
    if (request.path.endsWith('fetch/all') && text !== snapshot.all)
      return `fetch/all differs from the snapshot: ${seen}`
    return undefined
  }
  // a mangled path may land on a read route for which the parameters happen to be fine
  if (request.expect === 'odd-path' && request.method === 'GET' && body.code !== -400)
    return undefined
  if (body.code !== -400) return `expected code -400, got ${seen}`
  if (typeof body.message !== 'string' || body.message === '')
    return `-400 without a message: ${seen}`
  if (body.ttl !== 1) return `-400 without ttl 1: ${seen}`
  return undefined
}

describe('malformed requests', () => {
  it(`never crash, answer -400 and change nothing (${RUNS} requests)`, async () => {
    const started = Date.now()
    const sent = await malformedStream(RUNS, 90_000, async (request) => {
      const problem = check(request, await send(d, request))
      if (problem) throw new Error(`${problem}\n  request: ${describeRequest(request)}`)
      const all = await fetchAll()
      if (all !== snapshot.all) {
        const described = describeRequest(request)
        throw new Error(
          `the registry changed\n  request: ${described}\n  before: ${snapshot.all}\n  after:  ${all}`
        )
      }
    })
    const took = `${sent} requests in ${Date.now() - started} ms`
    console.log(
      `malformed: ${took}; ${resets} oversize bodies answered by a reset`,
      Object.fromEntries(outcomes)
    )
    expect(sent).toBeGreaterThanOrEqual(RUNS)
  }, 180_000)

  it('leaves every known application exactly as it was', async () => {
    expect(await takeSnapshot()).toEqual(snapshot)
  })
})
