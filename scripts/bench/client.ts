/**
 * Single requests for setting a measurement up (not measured themselves): register one
 * instance, read an app's cursor (or both for many apps), wait until the server has gone idle.
 */
import { PATHS } from '../../src/protocol/paths.ts'
import { FORM_HEADERS, latestDigits } from '../shared/discovery-text.ts'
import { sleep, waitFor } from '../shared/wait.ts'
import { fetchPath, isOk, registerBody } from './wire.ts'

/** Register one instance; throws unless the registry answers code 0. */
export async function registerOne(url: string, appid: string, host: string): Promise<void> {
  const response = await fetch(`${url}${PATHS.register}`, {
    method: 'POST',
    headers: FORM_HEADERS,
    body: registerBody(appid, host),
  })
  const text = await response.text()
  if (!isOk(text)) throw new Error(`register ${appid}/${host}: ${text}`)
}

/** The raw text of GET /discovery/fetch for `appid`. */
export async function fetchText(url: string, appid: string): Promise<string> {
  const text = await (await fetch(`${url}${fetchPath(appid)}`)).text()
  if (!isOk(text)) throw new Error(`fetch ${appid}: ${text.slice(0, 200)}`)
  return text
}

/** The app's latest_timestamp digits. */
export const cursor = async (url: string, appid: string): Promise<string> =>
  latestDigits(await fetchText(url, appid))

/**
 * One instance `host` in each of `appids`, then each app's cursor after it: what a watcher that
 * is up to date polls with. In the order of `appids`.
 */
export async function registeredCursors(
  url: string,
  appids: readonly string[],
  host: string
): Promise<[string, string][]> {
  const cursors: [string, string][] = []
  for (const appid of appids) {
    await registerOne(url, appid, host)
    cursors.push([appid, await cursor(url, appid)])
  }
  return cursors
}

/** The hostnames a fetch of `appid` lists. */
export const fetchHostnames = async (url: string, appid: string): Promise<string[]> =>
  [...(await fetchText(url, appid)).matchAll(/"hostname":"([^"]*)"/g)].map((m) => m[1] ?? '')

/**
 * Wait until the server has caught up with everything sent so far: at least `minMs`, then
 * until three /discovery/nodes in a row answer within `quickMs` (workerd runs the worker and
 * the objects on one thread, so a backlog delays them).
 */
export async function waitIdle(url: string, minMs = 500, quickMs = 5, maxMs = 60_000) {
  await sleep(minMs)
  let quick = 0
  // the count is looked at before the next request, so the third quick answer is followed by
  // one more 20 ms pause before the trigger, as the wake figures were always measured
  const idle = async (): Promise<boolean> => {
    if (quick >= 3) return true
    const t = performance.now()
    try {
      await (await fetch(`${url}${PATHS.nodes}`)).text()
    } catch (error) {
      // a keep-alive connection the server closed as it was reused (ECONNRESET, "other side
      // closed"): not an answer, so not a quick one; ask again on a new connection
      if (!(error instanceof TypeError)) throw error
      quick = 0
      return false
    }
    quick = performance.now() - t <= quickMs ? quick + 1 : 0
    return false
  }
  await waitFor('the server to go idle', idle, maxMs - minMs, 20)
}
