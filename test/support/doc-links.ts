/**
 * Relative links in markdown, checked as GitHub renders them: `[text](path)`,
 * `[text](path#anchor)`, `[text](#anchor)` and images. The path must name a file or folder of
 * the repository; an anchor must name a heading of the target, by GitHub's slug (lowercase,
 * punctuation other than `-` and `_` dropped, each space a `-`, repeats suffixed `-1`, `-2`…).
 * Links in code (fenced blocks, inline spans) are text, not links. http(s) and mailto links are
 * not followed. Pure but for reading files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, isAbsolute, join, normalize } from 'node:path'

/** One link that does not resolve, and why. */
export interface BrokenLink {
  /** The markdown file, relative to the repository root. */
  file: string
  line: number
  target: string
  problem: string
}

/** Where to look. */
export interface CheckOptions {
  /** The repository root (absolute). */
  root: string
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i
const FENCE = /^\s*(```|~~~)/
const HEADING = /^#{1,6}\s+(.*?)\s*#*\s*$/
// [text](target) or ![alt](target), text may hold one level of brackets; an optional "title".
const LINK = /!?\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g

/** The lines of `markdown` outside fenced code blocks, with their line numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = []
  let fence: string | undefined
  markdown.split('\n').forEach((text, index) => {
    const opened = FENCE.exec(text)?.[1]
    if (fence !== undefined) {
      if (opened === fence) fence = undefined
      return
    }
    if (opened !== undefined) {
      fence = opened
      return
    }
    out.push({ text, line: index + 1 })
  })
  return out
}

/** `text` with each inline code span replaced by a word, so its content is never a link. */
const withoutCodeSpans = (text: string) => text.replace(/(`+)[^`]*?\1/g, 'code')

/** GitHub's anchor for a heading's text (the rendered text: no markup characters). */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/`/g, '')
    .replace(/\*+/g, '')
    .trim()
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor the headings of `markdown` get, in order, with GitHub's `-1`, `-2` for repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const { text } of proseLines(markdown)) {
    const heading = HEADING.exec(text)?.[1]
    if (heading === undefined) continue
    const base = slug(heading)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    out.add(count === 0 ? base : `${base}-${count}`)
  }
  return out
}

/** The relative links of `markdown`: target as written, and its line. */
export function relativeLinks(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = []
  for (const { text, line } of proseLines(markdown)) {
    for (const match of withoutCodeSpans(text).matchAll(LINK)) {
      const target = match[2] ?? ''
      if (target === '' || EXTERNAL.test(target)) continue
      out.push({ target, line })
    }
  }
  return out
}

/** The broken relative links of the markdown `text` of `file` (relative to the root). */
export function brokenLinks(file: string, text: string, options: CheckOptions): BrokenLink[] {
  const broken: BrokenLink[] = []
  const fail = (line: number, target: string, problem: string) =>
    broken.push({ file, line, target, problem })
  for (const { target, line } of relativeLinks(text)) {
    const hash = target.indexOf('#')
    const rawPath = hash < 0 ? target : target.slice(0, hash)
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1))
    let path: string
    try {
      path = decodeURIComponent(rawPath)
    } catch {
      fail(line, target, 'the path is not valid percent-encoding')
      continue
    }
    const resolved = path === '' ? file : normalize(join(dirname(file), path))
    if (isAbsolute(path) || resolved.startsWith('..')) {
      fail(line, target, 'points outside the repository')
      continue
    }
    const absolute = join(options.root, resolved)
    if (!existsSync(absolute)) {
      fail(line, target, `no file ${resolved}`)
      continue
    }
    if (anchor === undefined) continue
    if (statSync(absolute).isDirectory() || extname(resolved) !== '.md') {
      fail(line, target, `an anchor into ${resolved}, which is not a markdown file`)
      continue
    }
    const targetText = path === '' ? text : readFileSync(absolute, 'utf8')
    if (!anchors(targetText).has(anchor)) {
      fail(line, target, `no heading in ${resolved} has the anchor #${anchor}`)
    }
  }
  return broken
}

/** The broken links of the markdown files `files` (relative to the root). */
export function brokenLinksIn(files: readonly string[], options: CheckOptions): BrokenLink[] {
  return files.flatMap((file) =>
    brokenLinks(file, readFileSync(join(options.root, file), 'utf8'), options)
  )
}
