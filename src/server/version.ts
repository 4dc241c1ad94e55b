/**
 * The registry's version, as `GET /health` and `/metrics` (`discovery_build_info`) report it.
 * Kept equal to package.json's `version` by a unit test (test/unit/server/health.test.ts).
 */
export const VERSION = '0.1.0'
