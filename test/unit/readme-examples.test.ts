/**
 * The README's SDK examples are the runnable files in examples/, word for word, and every example
 * stops on both Ctrl-C (SIGINT) and SIGTERM. (test/e2e/sdk-examples.test.ts runs them.)
 */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const ROOT = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8')
const SHOWN = ['register.mjs', 'watch.mjs', 'pick.mjs', 'grpc-resolve.mjs']

describe('examples/', () => {
  it('are what the README shows', () => {
    const readme = read('README.md')
    for (const name of SHOWN) {
      expect(readme.includes(`\`\`\`js\n${read(`examples/${name}`)}\`\`\``), name).toBe(true)
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
