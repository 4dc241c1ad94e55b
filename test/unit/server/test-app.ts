/**
 * The Worker's app in Node for the unit tests: createApp with a configuration from variables
 * (as wrangler.toml would set them; AUTH=off unless given), fake namespaces (fake-namespace.ts)
 * and fake rate limiters. `call` sends one request and reads the answer whole.
 */
import { encodeForm, type FormValue } from '../../../src/protocol/form.ts'
import { createApp } from '../../../src/server/app.ts'
import { type ConfigVars, parseConfig } from '../../../src/server/config.ts'
import type { Limiters } from '../../../src/server/rate-limits.ts'
import { fakeBindings } from '../../support/fake-namespace.ts'

/** The host:port requests are sent to: the node `nodes` and infra.discovery report without NODES. */
export const HOST = '127.0.0.1:7171'
export const BASE = `http://${HOST}`

export interface CallOptions {
  method?: string
  /** A Bearer token. */
  token?: string
  /** Sent as a form-urlencoded POST body. */
  form?: Record<string, FormValue>
  headers?: Record<string, string>
}

export interface Answer {
  status: number
  text: string
  headers: Headers
  /** The envelope's code as written, e.g. '-401'; undefined when the body is not an envelope. */
  code: string | undefined
}

/** A rate limiter that allows `limit` requests per key, then refuses every one. */
export function countingLimiter(limit: number): RateLimit {
  const counts = new Map<string, number>()
  return {
    limit: async ({ key }) => {
      const count = (counts.get(key) ?? 0) + 1
      counts.set(key, count)
      return { success: count <= limit }
    },
  }
}

/** An app built from `vars` with fresh fake bindings; `call(path)` talks to it. */
export function testApp(vars: ConfigVars = {}, limiters: Limiters = {}) {
  const config = parseConfig({ AUTH: 'off', ...vars })
  const app = createApp({ config, limiters })
  const env = fakeBindings(config)
  /** One request to `path` (with query), answered in full. */
  async function call(path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) headers.authorization = `Bearer ${options.token}`
    let init: RequestInit = { method: options.method ?? 'GET', headers }
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init = { method: options.method ?? 'POST', headers, body: encodeForm(options.form) }
    }
    const response = await app.request(`${BASE}${path}`, init, env)
    const text = await response.text()
    return {
      status: response.status,
      text,
      headers: response.headers,
      code: /^\{"code":(-?\d+)/.exec(text)?.[1],
    }
  }
  return { app, env, config, call }
}
