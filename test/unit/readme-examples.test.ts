/**
 * The SDK examples shown in the docs are the runnable files in examples/, word for word:
 * docs/sdk.md shows every one of them, the README the register example (with its signal and
 * timeout). Every example stops on both
 * Ctrl-C (SIGINT) and SIGTERM. (test/e2e/sdk-examples.test.ts runs them.)
 */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const ROOT = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8')
const SHOWN = ['register.mjs', 'watch.mjs', 'pick.mjs', 'grpc-resolve.mjs']

/** Whether `doc` shows `examples/<name>` as a js code block, unchanged. */
const shows = (doc: string, name: string) =>
  doc.includes(`\`\`\`js\n${read(`examples/${name}`)}\`\`\``)

describe('examples/', () => {
  it('are each shown in docs/sdk.md word for word', () => {
    const guide = read('docs/sdk.md')
    for (const name of SHOWN) expect(shows(guide, name), name).toBe(true)
  })

  it('include the register example, shown in the README word for word', () => {
    const readme = read('README.md')
    expect(shows(readme, 'register.mjs')).toBe(true)
    expect(read('examples/register.mjs')).toContain('timeoutMs')
  })

  it('import the SDK by its package name', () => {
    for (const name of SHOWN) {
      const text = read(`examples/${name}`)
      expect(text, name).toMatch(/from 'edge-discovery-client(\/grpc)?'/)
      expect(text, name).not.toContain("'edge-discovery/client")
    }
  })

  it('each handle SIGINT and SIGTERM', () => {
    const scripts = readdirSync(new URL('examples/', ROOT)).filter((f) => f.endsWith('.mjs'))
    expect(scripts).toEqual(expect.arrayContaining(SHOWN))
    for (const name of scripts) {
      expect(read(`examples/${name}`), name).toContain(
        "for (const signal of ['SIGINT', 'SIGTERM'])"
      )
    }
  })
})
