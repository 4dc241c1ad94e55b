/**
 * Cloudflare's published prices that the cost figures use, as read on one date. Only this file
 * holds prices: when Cloudflare changes them, change them here with the new date. Included
 * monthly allowances (10 M Worker requests, 1 M object requests, 400,000 GB-s, …) are left
 * out on purpose: the figures are the marginal cost of 1,000 more instances or watchers.
 */

/** When the prices below were read from the pages named in `SOURCES`. */
export const PRICES_READ = '2026-12-03'

export const SOURCES = {
  workers: 'https://developers.cloudflare.com/workers/platform/pricing/ (Workers Paid)',
  durableObjects: 'https://developers.cloudflare.com/durable-objects/platform/pricing/',
} as const

/** USD. Each price says where it is published; all were read on PRICES_READ. */
export const PRICES = {
  /** Workers Paid, per million requests (SOURCES.workers). */
  workerRequestPerMillion: 0.3,
  /**
   * Durable Objects, per million requests: HTTP requests, RPC calls, alarm invocations
   * (SOURCES.durableObjects). Incoming WebSocket messages count 20:1; outgoing messages are
   * free; messages answered by `setWebSocketAutoResponse` are neither charged nor billed as
   * wall-clock time (the page's footnote), nor are WebSocket protocol pings.
   */
  objectRequestPerMillion: 0.15,
  /** Incoming WebSocket messages billed as one object request (SOURCES.durableObjects). */
  webSocketMessagesPerRequest: 20,
  /**
   * Durable Objects duration, per million GB-s, objects being billed at 128 MB; a hibernated
   * object (or one idle and eligible to hibernate) bills no duration (SOURCES.durableObjects).
   */
  durationPerMillionGbSeconds: 12.5,
  /** Memory an object is billed for, in GB (128 MB; SOURCES.durableObjects). */
  objectGb: 0.128,
  /** SQLite storage, per million rows written (SOURCES.durableObjects, "SQLite storage"). */
  rowsWrittenPerMillion: 1.0,
  /** SQLite storage, per million rows read (SOURCES.durableObjects, "SQLite storage"). */
  rowsReadPerMillion: 0.001,
  /**
   * Rows written per `setAlarm()` call on a SQLite-backed object. Not in the price list this
   * file was written from: notes quoting SOURCES.durableObjects (September–October 2026) give
   * "Each setAlarm() is billed as a single row written". The benchmark sees it happen: each
   * alarm re-arms the next one, and the object's database changes at each alarm (workerd keeps
   * the alarm time in the object's own `_cf_METADATA` table). Check it on the page.
   */
  rowsPerSetAlarm: 1,
} as const
