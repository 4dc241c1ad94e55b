/**
 * The console's static files: stylesheet, script and icon, served from the Worker itself (no
 * build step, no asset binding). Each URL carries a hash of its content, so a browser may keep
 * it for a year and a new release is fetched at once.
 */
import { CONSOLE_JS } from './script.ts'
import { CONSOLE_CSS } from './style.ts'

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="8" fill="#3451d1"/>
<circle cx="16" cy="16" r="4.2" fill="#fff"/>
<circle cx="8.5" cy="9" r="2.6" fill="#fff" fill-opacity=".85"/>
<circle cx="23.5" cy="9" r="2.6" fill="#fff" fill-opacity=".85"/>
<circle cx="16" cy="25" r="2.6" fill="#fff" fill-opacity=".85"/>
<path d="M10.3 10.6 13 13.3M21.7 10.6 19 13.3M16 20.2v2.2" stroke="#fff" stroke-width="1.6" stroke-linecap="round"/>
</svg>
`

/** One served file. */
export interface Asset {
  /** Its path, without the version. */
  path: string
  /** Its URL with the content hash: what pages link to. */
  url: string
  body: string
  type: string
  hash: string
}

/** FNV-1a (32 bits) of the text, in hex: enough to tell two releases of one file apart. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

function asset(path: string, body: string, type: string): Asset {
  const hash = fnv1a(body)
  return { path, url: `${path}?v=${hash}`, body, type, hash }
}

/** The console's files by role; pages link to each one's `url`. */
export const ASSETS = {
  css: asset('/console/console.css', CONSOLE_CSS, 'text/css; charset=utf-8'),
  js: asset('/console/console.js', CONSOLE_JS, 'text/javascript; charset=utf-8'),
  icon: asset('/console/icon.svg', ICON_SVG, 'image/svg+xml'),
} as const

/** A short hash of a text, for the overview's catalog signature (see routes). */
export const textHash = fnv1a
