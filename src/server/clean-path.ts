/**
 * The path the Worker routes on, cleaned as the reference's Go router cleans it: percent
 * escapes decoded (`/discovery/%66etch` is fetch), `//` collapsed (`.` and `..` are already
 * resolved by URL parsing), and a `/t/<token>` prefix taken off (a token carried in the node
 * address, see middleware/authenticate.ts). Pure, and never throws: it runs before Hono's
 * error handling.
 */
import { PATHS } from '../protocol/paths.ts'

/** The discovery routes; any other cleaned path is answered 404. */
export const KNOWN_PATHS: ReadonlySet<string> = new Set<string>(Object.values(PATHS))

/** `/t/<token>/discovery/...` */
const TOKEN_PATH = /^\/t\/([^/]+)(\/.*)$/

/** The cleaned path of a URL, and the token of a `/t/<token>` prefix (decoded with the path, once). */
export function cleanPath(url: string): { path: string; pathToken: string | undefined } {
  const path = percentDecoded(new URL(url).pathname).replace(/\/{2,}/g, '/')
  const tokenPath = TOKEN_PATH.exec(path)
  return tokenPath
    ? { path: tokenPath[2] ?? path, pathToken: tokenPath[1] }
    : { path, pathToken: undefined }
}

/** Hono's `getPath`: route on the cleaned path, not the raw one. */
export const routingPath = (request: Request): string => cleanPath(request.url).path

/** Go routes on the decoded path; a malformed escape stays as sent. */
function percentDecoded(pathname: string): string {
  try {
    return decodeURIComponent(pathname)
  } catch {
    return pathname
  }
}
