/**
 * GET poll and polls: long polls (docs/protocol.md). The Worker holds the client's request; each
 * watched app's registry object is reached through a hibernatable WebSocket (app-watch.ts),
 * so a held poll keeps no object busy. Answer at once when any cursor is behind; otherwise on
 * the first change of any watched app, or -304 after the hold time (hold-time.ts: at once for
 * a caller with no time left) or the client's disconnect, whichever comes first. The hold also
 * bounds opening the watches. Every socket is closed on the way out.
 */
import { type Context, type Handler, Hono } from 'hono'
import { ECODE } from '../../protocol/ecode.ts'
import { envelope, mapEnvelope, pollsEnvelope } from '../../protocol/envelope.ts'
import { type PollInput, parsePoll } from '../../protocol/params.ts'
import { INFRA_APPID, PATHS } from '../../protocol/paths.ts'
import { accessOf, authorize, readNeed } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import { type Caller, infraView } from '../app-view.ts'
import { type AppWatch, fixedWatch, openWatch, type WatchState } from '../app-watch.ts'
import type { Config } from '../config.ts'
import { holdMs } from '../hold-time.ts'
import { holderOf } from '../holder.ts'
import { registryFor } from '../registry-stub.ts'
import { queryForm } from '../request-form.ts'
import { badRequestResponse, jsonResponse, refusalResponse } from '../responses.ts'

/** One app's watch (infra.discovery is answered from configuration). */
async function watchOne(
  bindings: Env,
  config: Config,
  caller: Caller & { request: Request },
  input: PollInput,
  appid: string,
  since: bigint
): Promise<AppWatch> {
  if (appid !== INFRA_APPID) {
    const stub = registryFor(bindings, { appid, env: input.env })
    return openWatch(stub, input.zone, since, holderOf(caller.access, caller.request))
  }
  const infra = await infraView(bindings, config, caller, {
    env: input.env,
    zone: input.zone,
    statusMask: 1,
  })
  const state: WatchState = !infra
    ? { kind: 'missing' }
    : since >= infra.latest
      ? { kind: 'unchanged' }
      : { kind: 'changed', view: infra.json }
  return fixedWatch(state)
}

/**
 * Open one watch per requested app. Never rejects: a watch that cannot open is logged and
 * taken as "unchanged, never changes", so it cannot fail the poll or strand the sockets
 * already opened for the other apps.
 */
async function watchAll(
  bindings: Env,
  config: Config,
  caller: Caller & { request: Request },
  input: PollInput
): Promise<Map<string, AppWatch>> {
  const entries = await Promise.all(
    [...input.cursors].map(async ([appid, since]): Promise<[string, AppWatch]> => {
      try {
        return [appid, await watchOne(bindings, config, caller, input, appid, since)]
      } catch (error) {
        console.error(JSON.stringify({ op: 'watch', appid, env: input.env, error: String(error) }))
        return [appid, fixedWatch({ kind: 'unchanged' })]
      }
    })
  )
  return new Map(entries)
}

/** Resolves with undefined after `ms`, or when the client goes away. */
function holdEnds(request: Request, ms: number): { ended: Promise<undefined>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  const ended = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined)
    request.signal?.addEventListener('abort', () => resolve(undefined))
  })
  return {
    ended,
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}

/** The first change among the watches: [appid, view], or undefined when the hold ends first. */
function firstChange(watches: Map<string, AppWatch>, ended: Promise<undefined>) {
  return Promise.race([
    ...[...watches].map(([appid, w]) => w.change.then((view) => [appid, view] as const)),
    ended,
  ])
}

/** How a poll answers: `refusal` is its answer where it would hold (see refusedHold). */
type Held = (
  watches: Map<string, AppWatch>,
  states: Map<string, WatchState>,
  ended: Promise<undefined>,
  refusal: Response | undefined
) => Promise<Response>

/** What this route needs of the request's execution context. */
type WaitUntil = { waitUntil(promise: Promise<unknown>): void }

/**
 * Close the watches once the answer is on its way: closing a socket costs its registry object
 * a close event, and a poll over many apps closes many, so they must not delay the answer.
 * Watches the object already closed (it pushed a change) need nothing. Without an execution
 * context (nothing to keep the request alive for), close at once.
 */
function closeAfterAnswer(watches: Map<string, AppWatch>, ctx: WaitUntil | undefined): void {
  const open = [...watches.values()].filter((w) => w.open)
  const closeAll = () => {
    for (const w of open) w.close()
  }
  if (open.length === 0) return
  if (ctx) ctx.waitUntil(new Promise<void>((resolve) => setTimeout(() => resolve(closeAll()), 0)))
  else closeAll()
}

/** Parse, open the watches, let `answer` decide, and always clean up. */
function pollRoute(config: Config, strict: boolean, answer: Held): Handler<AppEnv> {
  return async (c) => {
    const request = c.req.raw
    const input = parsePoll(queryForm(request), strict)
    if (!input.ok) return badRequestResponse(input.error)
    const access = accessOf(c)
    const denied = authorize(
      access,
      readNeed(input.value.env, [...input.value.cursors.keys()]),
      config.auth
    )
    if (denied) return denied
    const ms = holdMs(request.headers.get('x1-bmspy-timeout'), config.pollHoldMs)
    const hold = holdEnds(request, ms)
    const caller = { url: c.req.url, access, request }
    const opening = watchAll(c.env, config, caller, input.value)
    // The hold bounds the opening too (objects slow to answer must not stretch a poll past
    // it), but for a caller with no time left, who still gets the view if it is behind.
    const watches = await (ms === 0 ? opening : Promise.race([opening, hold.ended]))
    if (!watches) {
      hold.cancel()
      closeWhenOpen(opening, executionCtx(c))
      return jsonResponse(envelope(ECODE.NOT_MODIFIED))
    }
    try {
      const states = new Map([...watches].map(([appid, w]) => [appid, w.state]))
      return await answer(watches, states, hold.ended, refusedHold(states, input.value.env))
    } finally {
      hold.cancel()
      closeAfterAnswer(watches, executionCtx(c))
    }
  }
}

/** Close the watches of a poll already answered once they have opened. */
function closeWhenOpen(opening: Promise<Map<string, AppWatch>>, ctx: WaitUntil | undefined) {
  const closing = opening.then((watches) => closeAfterAnswer(watches, ctx))
  ctx?.waitUntil(closing)
}

/** polls: every changed app at once, or the first app to change; unknown apps under "-404". */
const polls: Held = async (watches, states, ended, refusal) => {
  const missing = [...states].filter(([, s]) => s.kind === 'missing').map(([appid]) => appid)
  const changed = new Map<string, string>()
  for (const [appid, s] of states) if (s.kind === 'changed') changed.set(appid, s.view)
  if (changed.size > 0) return jsonResponse(pollsEnvelope(changed, missing))
  if (refusal) return refusal
  const woke = await firstChange(watches, ended)
  return jsonResponse(woke ? pollsEnvelope(new Map([woke]), missing) : envelope(ECODE.NOT_MODIFIED))
}

/**
 * poll: the first appid's view. An unknown first appid answers -404 at once. When another
 * appid's change answers the poll, `data` is null, as in the reference.
 */
const poll: Held = async (watches, states, ended, refusal) => {
  const [firstAppid, firstState] = [...states][0] ?? []
  if (!firstAppid || !firstState || firstState.kind === 'missing') {
    return jsonResponse(mapEnvelope(ECODE.NOTHING_FOUND, `${firstAppid} not found`))
  }
  if (firstState.kind === 'changed') return jsonResponse(envelope(ECODE.OK, firstState.view))
  if ([...states.values()].some((s) => s.kind === 'changed'))
    return jsonResponse(envelope(ECODE.OK, 'null'))
  if (refusal) return refusal
  const woke = await firstChange(watches, ended)
  if (!woke) return jsonResponse(envelope(ECODE.NOT_MODIFIED))
  return jsonResponse(envelope(ECODE.OK, woke[0] === firstAppid ? woke[1] : 'null'))
}

/**
 * A poll that would now hold, when an app refused to hold it for this caller (its token or
 * address holds the most polls one may): HTTP 429, as for a rate limit.
 */
function refusedHold(states: Map<string, WatchState>, env: string): Response | undefined {
  for (const [appid, s] of states) {
    if (s.kind === 'refused')
      return refusalResponse(429, `held polls on ${appid} (env ${env}): ${s.message}`)
  }
  return undefined
}

/** The request's execution context, when the runtime gave one. */
function executionCtx(c: Context<AppEnv>): WaitUntil | undefined {
  try {
    return c.executionCtx
  } catch {
    return undefined // Hono throws when the app was called without one
  }
}

/** The poll routes of a registry configured by `config`. */
export const pollRoutes = (config: Config) =>
  new Hono<AppEnv>()
    .get(PATHS.poll, pollRoute(config, false, poll))
    .get(PATHS.polls, pollRoute(config, true, polls))
