/**
 * Object wake-ups, counted from the registry's own log: with `LOG_WAKES=on` the registry
 * object prints one JSON line `{"op":"wake","event":"message"|"alarm"|"fetch"|"close"|…}` per
 * event handler it runs. Lines that name another app (`appid`) are not counted.
 */
import type { Server } from './server.ts'

export interface WakeTally {
  /** Wake-ups by event name. */
  byEvent: Record<string, number>
  total: number
}

/** Count wake lines of `server` from now until `stop()`, which returns the tally. */
export function countWakes(server: Server, appid?: string): { stop(): WakeTally } {
  const byEvent: Record<string, number> = {}
  let total = 0
  const unsubscribe = server.onLine((line) => {
    if (!line.includes('"op":"wake"')) return
    const start = line.indexOf('{')
    let entry: { event?: unknown; appid?: unknown }
    try {
      entry = JSON.parse(line.slice(start)) as typeof entry
    } catch {
      return // a line that only looks like one
    }
    if (appid !== undefined && entry.appid !== undefined && entry.appid !== appid) return
    const event = typeof entry.event === 'string' ? entry.event : 'unknown'
    byEvent[event] = (byEvent[event] ?? 0) + 1
    total += 1
  })
  return {
    stop: () => {
      unsubscribe()
      return { byEvent: { ...byEvent }, total }
    },
  }
}

/** `fetch 1000, message 1000` */
export const tallyText = (tally: WakeTally): string =>
  Object.entries(tally.byEvent)
    .map(([event, count]) => `${event} ${count}`)
    .join(', ') || 'none'
