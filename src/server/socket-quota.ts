/**
 * Caps on one kind of hibernatable socket (held polls, sessions) in one app's object: in all,
 * per token and per client address, so no one caller can take every socket an app has. Counted
 * by the sockets' tags in the object, which is exact per app (a Worker's isolates could not
 * agree on a count) and survives hibernation. Counting a tag wraps every socket it has, so each
 * count is kept as an upper bound, raised on accept and never lowered (a close event may come
 * twice, or never), and counted exactly again only when it reaches its cap.
 */
import type { Holder } from './holder.ts'

/** The caps of one kind of socket. */
export interface SocketCaps {
  app: number
  token: number
  address: number
}

/** The caps for `perApp` sockets: one token may hold half of them, one address a tenth. */
export const capsFor = (perApp: number): SocketCaps => ({
  app: perApp,
  token: Math.max(1, Math.floor(perApp / 2)),
  address: Math.max(1, Math.floor(perApp / 10)),
})

/** Whether one more socket fits: its tags if so, else which cap is reached and why. */
export type QuotaCheck =
  | { ok: true; tags: string[] }
  | { ok: false; full: 'app' | 'token' | 'address'; message: string }

/** Past this many counted tags the bounds are dropped and counted again as needed. */
const MAX_TRACKED = 4096

export class SocketQuota {
  readonly #ctx: DurableObjectState
  readonly #kind: string
  readonly #caps: SocketCaps
  /** At least the number of open sockets by tag; a tag missing here is counted when asked. */
  readonly #atMost = new Map<string, number>()

  /** `kind` is the tag every socket of this kind carries (its app-wide count). */
  constructor(ctx: DurableObjectState, kind: string, caps: SocketCaps) {
    this.#ctx = ctx
    this.#kind = kind
    this.#caps = caps
  }

  get caps(): SocketCaps {
    return this.#caps
  }

  /**
   * Whether `holder` may open one more socket. `leaving` sockets of the same holder are about
   * to close (a session reconnecting replaces its old socket) and are not counted.
   */
  check(holder: Holder, leaving = 0): QuotaCheck {
    const tags = [this.#kind]
    if (!this.#fits(this.#kind, this.#caps.app, leaving))
      return {
        ok: false,
        full: 'app',
        message: `the app holds ${this.#caps.app}, the most it takes`,
      }
    if (holder.token !== undefined) {
      const tag = `${this.#kind}t:${holder.token}`
      if (!this.#fits(tag, this.#caps.token, leaving))
        return {
          ok: false,
          full: 'token',
          message: `token ${holder.token} holds ${this.#caps.token}, the most one token may`,
        }
      tags.push(tag)
    }
    if (holder.address !== undefined) {
      const tag = `${this.#kind}a:${holder.address}`
      if (!this.#fits(tag, this.#caps.address, leaving))
        return {
          ok: false,
          full: 'address',
          message: `client address ${holder.address} holds ${this.#caps.address}, the most one address may`,
        }
      tags.push(tag)
    }
    return { ok: true, tags }
  }

  /** A socket with these tags was accepted. */
  added(tags: readonly string[]): void {
    for (const tag of tags) {
      const count = this.#atMost.get(tag)
      if (count !== undefined) this.#atMost.set(tag, count + 1)
    }
  }

  #fits(tag: string, cap: number, leaving: number): boolean {
    let count = this.#atMost.get(tag)
    if (count === undefined || count - leaving >= cap) {
      if (this.#atMost.size >= MAX_TRACKED) this.#atMost.clear()
      count = this.#ctx.getWebSockets(tag).length
      this.#atMost.set(tag, count)
    }
    return count - leaving < cap
  }
}
