/**
 * Bundle the worker into dist/ the way `npm run build` and the e2e tests do
 * (`wrangler deploy --dry-run --outdir dist`); quiet unless it fails.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['wrangler', 'deploy', '--dry-run', '--outdir', 'dist']
    execFile('npx', args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wrangler deploy --dry-run failed:\n${stdout}\n${stderr}`))
      else resolve()
    })
  })
}
