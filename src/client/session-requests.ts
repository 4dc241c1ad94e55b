/**
 * The requests of an app's session and their answers: ids, which requests are still
 * unanswered, and sending those again when the registry dropped a frame without saying which
 * (an `error` -429 without an id: the frame budget). Every request the SDK sends is idempotent,
 * so sending one twice is harmless. Knows nothing of what the requests mean.
 */

import { type ClientRequest, type ErrorFrame, encodeRequest } from './session-frames.ts'
import type { Timers } from './timers.ts'

/** What to do with a request's answer. */
export interface Answer {
  ok(): void
  error(frame: ErrorFrame): void
}

export interface SessionRequestsOptions {
  /** Put a frame on the current connection (false when there is none). */
  send(text: string): boolean
  timers: Timers
  /** The pause before sending dropped requests again. */
  retryDelayMs(): number
}

export class SessionRequests {
  readonly #options: SessionRequestsOptions
  /** Unanswered requests by id, with their frame text. */
  readonly #unanswered = new Map<number, Answer & { text: string }>()
  #nextId = 1
  #resend: unknown

  constructor(options: SessionRequestsOptions) {
    this.#options = options
  }

  /** Send `request`; `answer` is told its outcome (if the connection lasts until then). */
  send(request: ClientRequest, answer?: Answer): void {
    const id = this.#nextId++
    const text = encodeRequest(id, request)
    if (answer) this.#unanswered.set(id, { ...answer, text })
    this.#options.send(text)
  }

  /** An `ok` or `error` with an id: tell whoever sent that request. */
  answered(frame: { type: 'ok' } | ErrorFrame, id: number): void {
    const answer = this.#unanswered.get(id)
    this.#unanswered.delete(id)
    if (frame.type === 'ok') answer?.ok()
    else answer?.error(frame)
  }

  /** The registry dropped a frame without saying which: send every unanswered one again soon. */
  dropped(): void {
    if (this.#resend !== undefined) return
    const { timers, retryDelayMs } = this.#options
    this.#resend = timers.setTimeout(() => {
      this.#resend = undefined
      for (const { text } of this.#unanswered.values()) this.#options.send(text)
    }, retryDelayMs())
  }

  /** The connection ended: nothing is outstanding (the next hello sends everything again). */
  reset(): void {
    this.#unanswered.clear()
    this.#options.timers.clearTimeout(this.#resend)
    this.#resend = undefined
  }
}
