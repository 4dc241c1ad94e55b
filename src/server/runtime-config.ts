/**
 * The configuration of this deployment, read once when the module loads: a bad variable
 * makes the worker fail at start-up with ConfigError's message instead of serving requests.
 * Only the entry (index.ts, which hands it to createApp) and the Durable Objects import this;
 * the app and its routes get their configuration from createApp.
 */
import { env } from 'cloudflare:workers'
import { type Config, parseConfig } from './config.ts'
import { type Limiters, limitersFor } from './rate-limits.ts'

export const CONFIG: Config = parseConfig(env)

/** Checked at start-up too; only consulted when auth is on. */
export const LIMITERS: Limiters =
  CONFIG.auth.mode === 'off'
    ? {}
    : limitersFor(CONFIG.auth, env as unknown as Record<string, unknown>)
