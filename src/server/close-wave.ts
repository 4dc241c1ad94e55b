/**
 * Telling a wave of session closes from lone deaths (docs/sessions.md, "When a session ends").
 * A deploy of the registry or a network event at an edge drops many sockets within seconds,
 * while services crash one at a time. Pure: the caller passes the time.
 */

export const WAVE = {
  /** Closes are counted over this sliding window. */
  windowMs: 5_000,
  /** A wave needs at least this many closes in the window… */
  minCloses: 3,
  /** …and at least this share of the sessions that owned instances. */
  share: 0.2,
} as const

export class CloseWave {
  /** Close times (ms) within the window, oldest first. */
  #closes: number[] = []

  /**
   * A session that owned instances closed at `nowMs`; `owners` sessions owned instances just
   * before (this one included). Whether the app is now in a wave of closes.
   */
  closed(nowMs: number, owners: number): boolean {
    this.#closes = this.#closes.filter((at) => nowMs - at < WAVE.windowMs)
    this.#closes.push(nowMs)
    const count = this.#closes.length
    return count >= WAVE.minCloses && count >= WAVE.share * Math.max(owners, count)
  }
}
