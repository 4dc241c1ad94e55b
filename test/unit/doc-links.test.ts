/**
 * Every relative link of the README, of docs/*.md and of the SDK package's README resolves: the
 * file or folder exists, and an anchor names a heading of its target (test/support/doc-links.ts).
 * The checker is first shown to catch what it must catch, on made-up markdown.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { anchors, brokenLinks, brokenLinksIn, relativeLinks, slug } from '../support/doc-links.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The markdown the project publishes: the README, docs/, the SDK package's README. */
function documents(): string[] {
  const docs = readdirSync(`${ROOT}docs`)
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`)
  const pkg = 'packages/client/README.md'
  return ['README.md', ...docs, ...(existsSync(`${ROOT}${pkg}`) ? [pkg] : [])]
}

describe('the link checker', () => {
  it('slugs headings as GitHub does', () => {
    expect(slug('Quick start')).toBe('quick-start')
    expect(slug('`NODES`, `HOSTNAME` and `infra.discovery`')).toBe(
      'nodes-hostname-and-infradiscovery'
    )
    expect(slug('2. Set the signing key')).toBe('2-set-the-signing-key')
    expect(slug('Transports: http, session, auto')).toBe('transports-http-session-auto')
    expect(slug('Rate_limits — per **token**')).toBe('rate_limits--per-token')
    expect([
      ...anchors('# A\n## Notes\n```sh\n# not a heading\n```\n## Notes\n### Notes\n'),
    ]).toEqual(['a', 'notes', 'notes-1', 'notes-2'])
  })

  it('finds relative links, not external ones or links in code', () => {
    const text = [
      'See [the guide](docs/sdk.md#install), [top](#a) and ![shot](docs/console.png "title").',
      '[site](https://example.com) [mail](mailto:a@example.com) `[code](nowhere.md)`',
      '```md',
      '[fenced](nowhere.md)',
      '```',
    ].join('\n')
    expect(relativeLinks(text).map((l) => l.target)).toEqual([
      'docs/sdk.md#install',
      '#a',
      'docs/console.png',
    ])
  })

  it('reports a missing file, a missing anchor and a path out of the repository', () => {
    const made = [
      '# Made up',
      '[ok](docs/sdk.md) [ok too](#made-up) [folder](examples/) [image](docs/console.png)',
      '[gone](docs/no-such-page.md)',
      '[bad anchor](docs/sdk.md#no-such-heading)',
      '[bad local anchor](#nowhere)',
      '[outside](../outside.md)',
    ].join('\n')
    const broken = brokenLinks('README.md', made, { root: ROOT })
    expect(broken.map((b) => [b.line, b.target])).toEqual([
      [3, 'docs/no-such-page.md'],
      [4, 'docs/sdk.md#no-such-heading'],
      [5, '#nowhere'],
      [6, '../outside.md'],
    ])
  })
})

describe('the documentation', () => {
  it('has every relative link resolving, anchors included', () => {
    const files = documents()
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/sdk.md', 'docs/deploy.md']))
    expect(brokenLinksIn(files, { root: ROOT })).toEqual([])
  })

  it('links into docs/ from the README', () => {
    const linked = new Set(
      relativeLinks(readFileSync(`${ROOT}README.md`, 'utf8')).map((l) => l.target)
    )
    for (const file of documents().filter((f) => f.startsWith('docs/'))) {
      expect(linked.has(file), file).toBe(true)
    }
  })

  it('names the SDK by its package name, edge-discovery-client', () => {
    for (const file of documents()) {
      expect(readFileSync(`${ROOT}${file}`, 'utf8'), file).not.toContain('edge-discovery/client')
    }
  })
})
