/**
 * Three test projects, fastest first: `unit` (Node, pure logic, injected clocks), `worker`
 * (inside workerd: Durable Objects with real SQLite and alarms) and `e2e` (HTTP against the
 * built worker started with Miniflare on loopback).
 */
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Every write logs an audit line (src/server/audit-log.ts); tests that check them spy on
    // console.log, and the rest would drown the output. Only read from the root config.
    onConsoleLog: (log) => !log.startsWith('{"audit":'),
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      './test/worker/vitest.config.ts',
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
