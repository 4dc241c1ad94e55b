/**
 * Single requests for setting a measurement up (not measured themselves): register one
 * instance, read an app's cursor, wait until the server has gone idle.
 */
import { PATHS } from '../../src/protocol/paths.ts'
import { cursorOf, FORM_HEADERS, fetchPath, isOk, registerBody } from './wire.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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
  cursorOf(await fetchText(url, appid))

/** The hostnames a fetch of `appid` lists. */
export const hostnamesOf = async (url: string, appid: string): Promise<string[]> =>
  [...(await fetchText(url, appid)).matchAll(/"hostname":"([^"]*)"/g)].map((m) => m[1] ?? '')

/**
 * Wait until the server has caught up with everything sent so far: at least `minMs`, then
 * until three /discovery/nodes in a row answer within `quickMs` (workerd runs the worker and
 * the objects on one thread, so a backlog delays them).
 */
export async function waitIdle(url: string, minMs = 500, quickMs = 5, maxMs = 60_000) {
  const start = performance.now()
  await sleep(minMs)
  let quick = 0
  while (quick < 3) {
    if (performance.now() - start > maxMs) throw new Error('server did not go idle')
    const t = performance.now()
    await (await fetch(`${url}${PATHS.nodes}`)).text()
    quick = performance.now() - t <= quickMs ? quick + 1 : 0
    await sleep(20)
  }
}
