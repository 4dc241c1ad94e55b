// Build once for every end-to-end test file: the worker bundle (dist/index.js) and the client
// SDK and CLI (packages/client/dist/, which examples/ import as `edge-discovery-client` through
// the workspace link), exactly as `npm run build` does for users.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function setup(): void {
  // piped, not ignored: a failed build's output then shows in the error
  execFileSync('npm', ['run', 'build'], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: 'pipe',
  })
}
