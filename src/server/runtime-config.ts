/**
 * The configuration of this deployment, read once when the module loads: a bad variable
 * makes the worker fail at start-up with ConfigError's message instead of serving requests.
 */
import { env } from 'cloudflare:workers'
import { type Config, parseConfig } from './config.ts'

export const CONFIG: Config = parseConfig(env)
