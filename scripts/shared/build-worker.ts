/**
 * Bundle the worker the way `npm run build` does (`wrangler deploy --dry-run --outdir`), into
 * dist/ for the benchmark or a directory of its own for npm start (so that starting a registry
 * never rewrites the bundle that tests are serving); quiet unless it fails.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Bundle into `outdir` (relative to the project root); resolves with the bundle's path. */
export function build(outdir = 'dist'): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ['wrangler', 'deploy', '--dry-run', '--outdir', outdir]
    execFile('npx', args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wrangler deploy --dry-run failed:\n${stdout}\n${stderr}`))
      else resolve(`${ROOT}${outdir}/index.js`)
    })
  })
}
