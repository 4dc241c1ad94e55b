/**
 * Object wake-ups, counted from the registry's own log: with `LOG_WAKES=on` the registry
 * object prints one JSON line `{"op":"wake","event":"message"|"alarm"|"fetch"|"close"|…}` per
 * event handler it runs. Lines that name another app (`appid`) are not counted.
 */
import type { Server } from './server.ts'

export interface Wake {
  event: string
  /** performance.now() when the line arrived. */
  at: number
}

export interface WakeTally {
  /** Wake-ups by event name. */
  byEvent: Record<string, number>
  total: number
  /** Every wake-up in order. */
  log: Wake[]
}

/** Tally a list of wake-ups. */
export function tally(log: Wake[]): WakeTally {
  const byEvent: Record<string, number> = {}
  for (const { event } of log) byEvent[event] = (byEvent[event] ?? 0) + 1
  return { byEvent, total: log.length, log }
}

/**
 * Collect wake lines of `server` from now until `stop()`, which returns the tally; `onWake`
 * sees each one as it arrives. The object's lines name no app, so every object counts: run
 * this while only the app measured has work.
 */
export function countWakes(
  server: Server,
  appid?: string,
  onWake?: (wake: Wake) => void
): { stop(): WakeTally } {
  const log: Wake[] = []
  const unsubscribe = server.onLine((line) => {
    const at = performance.now()
    if (!line.includes('"op":"wake"')) return
    const start = line.indexOf('{')
    let entry: { event?: unknown; appid?: unknown }
    try {
      entry = JSON.parse(line.slice(start)) as typeof entry
    } catch {
      return // a line that only looks like one
    }
    if (appid !== undefined && entry.appid !== undefined && entry.appid !== appid) return
    const wake = { event: typeof entry.event === 'string' ? entry.event : 'unknown', at }
    log.push(wake)
    onWake?.(wake)
  })
  return {
    stop: () => {
      unsubscribe()
      return tally([...log])
    },
  }
}

/** `fetch 1000, message 1000` */
export const tallyText = (tally: WakeTally): string =>
  Object.entries(tally.byEvent)
    .map(([event, count]) => `${event} ${count}`)
    .join(', ') || 'none'
