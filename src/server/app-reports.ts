/**
 * Worker side of the console and /metrics: the catalog's list of apps, and each app's report
 * (app-report.ts) from its object, a few objects at a time, each call bounded by a deadline so
 * that one stuck object never holds the page or the scrape. A failed app is an outcome with its
 * reason, never an exception: the caller shows it and goes on.
 */
import type { AppReport, InstanceFilter } from './app-report.ts'
import type { AppRef } from './catalog-object.ts'
import { catalogOf, registryFor } from './registry-stub.ts'

/** How long one object call may take before its app counts as unreachable. */
export const OBJECT_CALL_TIMEOUT_MS = 5000
/** Object calls in flight at once (the runtime also caps a request's open connections). */
const CONCURRENCY = 6

/** One app's report, or why there is none. */
export type ReportOutcome =
  | { app: AppRef; ok: true; report: AppReport }
  | { app: AppRef; ok: false; problem: string }

/** A call that failed or timed out: `what` names the object in the message. */
export class ObjectCallError extends Error {
  override name = 'ObjectCallError'
}

/** `call`, or an ObjectCallError naming `what` when it fails or takes longer than `timeoutMs`. */
export async function bounded<T>(
  what: string,
  call: () => Promise<T>,
  timeoutMs = OBJECT_CALL_TIMEOUT_MS
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ObjectCallError(`${what}: no answer within ${timeoutMs} ms`)),
      timeoutMs
    )
  })
  try {
    return await Promise.race([call(), deadline])
  } catch (error) {
    if (error instanceof ObjectCallError) throw error
    throw new ObjectCallError(`${what}: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    clearTimeout(timer)
  }
}

/** Every app the catalog lists, sorted by appid then env; throws ObjectCallError. */
export const catalogApps = (bindings: Env, timeoutMs?: number): Promise<AppRef[]> =>
  bounded('catalog object', () => catalogOf(bindings).apps(), timeoutMs)

/** The reports of `apps`, in their order, at most CONCURRENCY calls at a time. */
export async function reportsOf(
  bindings: Env,
  apps: readonly AppRef[],
  filter: InstanceFilter,
  limit: number
): Promise<ReportOutcome[]> {
  const outcomes: ReportOutcome[] = new Array(apps.length)
  let next = 0
  const worker = async () => {
    while (next < apps.length) {
      const index = next++
      const app = apps[index] as AppRef
      try {
        const report = await bounded(`registry object of ${app.appid} (env ${app.env})`, () =>
          registryFor(bindings, app).report(app, filter, limit)
        )
        outcomes[index] = { app, ok: true, report }
      } catch (error) {
        outcomes[index] = { app, ok: false, problem: String((error as Error).message ?? error) }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, apps.length) }, worker))
  return outcomes
}
