// The workerd project: tests run inside the Workers runtime against test/worker/worker.ts.
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.test.toml' } })],
  test: { name: 'worker', include: ['./**/*.test.ts'] },
})
