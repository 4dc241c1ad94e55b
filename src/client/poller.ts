/**
 * The one long-poll loop of a client (docs/protocol.md): a single `polls` request for every
 * watched app plus `infra.discovery` (from which it learns the registry's nodes), cursors reset
 * to 0 whenever the node changes, jittered backoff and a node switch after any failure. It keeps
 * each app's last good instance list: an error, a registry restart or an all-WAITING app never
 * replaces a non-empty list with an empty one.
 */
import { ECODE } from '../protocol/ecode.ts'
import type { Int64Json } from '../protocol/int64-json.ts'
import { INFRA_APPID, PATHS } from '../protocol/paths.ts'
import { type AppSnapshot, allInstances, fingerprint, instanceCount } from './app-snapshot.ts'
import { backoffDelay } from './backoff.ts'
import { DiscoveryResponseError, toDiscoveryError } from './errors.ts'
import { type NodeList, nodesFromInfra } from './nodes.ts'
import type { ClientConfig } from './options.ts'
import { sleep } from './timers.ts'
import { apiError, type EnvelopeAnswer, type Transport } from './transport.ts'
import { decodeSnapshot } from './wire.ts'

/** Sent as `x1-bmspy-timeout`: the registry answers -304 before this (the Go SDK's 40 s). */
const POLL_TIMEOUT_MS = 40_000
/** The client gives up on a held poll this long after the registry should have answered. */
const POLL_GRACE_MS = 5_000

type Listener = (snapshot: AppSnapshot) => void

interface View {
  snapshot: AppSnapshot
  fingerprint: string
}

export class Poller {
  readonly #transport: Transport
  readonly #nodes: NodeList
  readonly #config: ClientConfig
  readonly #pollerName: string
  readonly #listeners = new Map<string, Set<Listener>>()
  readonly #cursors = new Map<string, bigint>()
  readonly #views = new Map<string, View>()
  #retained = 0
  #closed = false
  #running = false
  #lastNode: string | undefined
  #inFlight: AbortController | undefined
  #backingOff: AbortController | undefined

  constructor(transport: Transport, nodes: NodeList, config: ClientConfig) {
    this.#transport = transport
    this.#nodes = nodes
    this.#config = config
    // polls needs a hostname; it only names the waiter, so any unique name does.
    this.#pollerName =
      config.hostname ?? `sdk-${Math.floor(config.random() * 2 ** 48).toString(36)}`
  }

  /** Deliver `appid`'s changes to `listener` until the returned function is called. */
  subscribe(appid: string, listener: Listener): () => void {
    let listeners = this.#listeners.get(appid)
    if (!listeners) {
      listeners = new Set()
      this.#listeners.set(appid, listeners)
      this.#inFlight?.abort() // restart the held poll with the new app at cursor 0
    }
    listeners.add(listener)
    this.#ensureRunning()
    return () => {
      listeners.delete(listener)
      if (listeners.size > 0 || this.#listeners.get(appid) !== listeners) return
      this.#listeners.delete(appid)
      this.#cursors.delete(appid)
      this.#views.delete(appid)
      this.#stopIfIdle()
    }
  }

  /** Keep polling (for infra.discovery's node list) until the returned function is called. */
  retain(): () => void {
    this.#retained += 1
    this.#ensureRunning()
    let released = false
    return () => {
      if (released) return
      released = true
      this.#retained -= 1
      this.#stopIfIdle()
    }
  }

  /** The last good snapshot of a watched app, if one has arrived. */
  latest(appid: string): AppSnapshot | undefined {
    return this.#views.get(appid)?.snapshot
  }

  /** Stop for good. */
  close(): void {
    this.#closed = true
    this.#interrupt()
  }

  #wanted(): boolean {
    return !this.#closed && (this.#retained > 0 || this.#listeners.size > 0)
  }

  #ensureRunning(): void {
    if (this.#running || !this.#wanted()) return
    this.#running = true
    void this.#run().finally(() => {
      this.#running = false
      this.#ensureRunning() // wanted again while the loop was winding down
    })
  }

  #stopIfIdle(): void {
    if (!this.#wanted()) this.#interrupt()
  }

  #interrupt(): void {
    this.#inFlight?.abort()
    this.#backingOff?.abort()
  }

  async #run(): Promise<void> {
    let failures = 0
    while (this.#wanted()) {
      const node = this.#nodes.current()
      if (node.key !== this.#lastNode) {
        this.#cursors.clear() // cursors are node-local (docs/protocol.md)
        this.#lastNode = node.key
      }
      const appids = [INFRA_APPID, ...[...this.#listeners.keys()].filter((a) => a !== INFRA_APPID)]
      const request = new AbortController()
      this.#inFlight = request
      try {
        const answer = await this.#transport.send(
          node,
          'GET',
          PATHS.polls,
          {
            appid: appids,
            env: this.#config.env,
            hostname: this.#pollerName,
            latest_timestamp: appids.map((a) => this.#cursors.get(a) ?? 0n),
          },
          {
            signal: request.signal,
            timeoutMs: POLL_TIMEOUT_MS + POLL_GRACE_MS,
            headers: { 'x1-bmspy-timeout': String(POLL_TIMEOUT_MS) },
          }
        )
        if (answer.code !== ECODE.NOT_MODIFIED) {
          if (answer.code !== ECODE.OK) throw apiError(answer)
          const changed = changedApps(answer, new Set(appids))
          for (const snapshot of changed) this.#apply(snapshot)
        }
        this.#nodes.succeeded(node)
        failures = 0
      } catch (error) {
        if (request.signal.aborted) continue // new app to watch, or stopping
        failures += 1
        this.#nodes.failed(node)
        this.#config.onError(toDiscoveryError(error))
        const backingOff = new AbortController()
        this.#backingOff = backingOff
        const { timers, backoff, random } = this.#config
        await sleep(timers, backoffDelay(failures, backoff, random), backingOff.signal)
      } finally {
        this.#inFlight = undefined
      }
    }
  }

  #apply(received: AppSnapshot): void {
    const { appid } = received
    // Zones with no UP instance are dropped, as the Go SDK does.
    const instances = Object.fromEntries(
      Object.entries(received.instances).filter(([, list]) => list.length > 0)
    )
    const snapshot = { ...received, instances }
    const listeners = this.#listeners.get(appid)
    if (!listeners && appid !== INFRA_APPID) return // unwatched while the poll was out
    this.#cursors.set(appid, snapshot.latestTimestamp)
    if (appid === INFRA_APPID) {
      const { zone, seeds } = this.#config
      this.#nodes.learn(nodesFromInfra(allInstances(snapshot), zone, seeds))
    }
    if (!listeners) return
    const previous = this.#views.get(appid)
    if (instanceCount(snapshot) === 0 && previous && instanceCount(previous.snapshot) > 0) return
    const print = fingerprint(snapshot)
    this.#views.set(appid, { snapshot, fingerprint: print })
    if (previous?.fingerprint === print) return
    for (const listener of [...listeners]) listener(snapshot)
  }
}

/**
 * The apps of a polls answer. Like the Go SDK, an entry that is null or has latest_timestamp 0
 * makes the whole answer a failure; apps not asked for are ignored.
 */
function changedApps(answer: EnvelopeAnswer, asked: Set<string>): AppSnapshot[] {
  const data: Int64Json | undefined = answer.body.data
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DiscoveryResponseError(answer.request, 'polls answer without a data object')
  }
  const out: AppSnapshot[] = []
  for (const [appid, view] of Object.entries(data)) {
    if (!asked.has(appid)) continue
    try {
      const snapshot = decodeSnapshot(appid, view)
      if (snapshot.latestTimestamp === 0n) throw new Error('latest_timestamp 0')
      out.push(snapshot)
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause)
      throw new DiscoveryResponseError(answer.request, `bad view of ${appid}: ${why}`, { cause })
    }
  }
  return out
}
