/** GET fetch, nodes, history (fetchs and fetch/all: fetch-many.ts). */
import { Hono } from 'hono'
import { ECODE } from '../../protocol/ecode.ts'
import { parseFetch, parseHistory } from '../../protocol/params.ts'
import { PATHS } from '../../protocol/paths.ts'
import { accessOf, authorize, nodeAddressFor, readNeed } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import { appView } from '../app-view.ts'
import type { Config } from '../config.ts'
import { registryFor } from '../registry-stub.ts'
import { queryForm } from '../request-form.ts'
import { badRequestResponse, replyResponse } from '../responses.ts'
import { nodeAddrs, nodesJson } from '../self-node.ts'

/** The read routes of a registry configured by `config`. */
export const readRoutes = (config: Config) =>
  new Hono<AppEnv>()
    .get(PATHS.fetch, async (c) => {
      const input = parseFetch(queryForm(c.req.raw))
      if (!input.ok) return badRequestResponse(input.error)
      const access = accessOf(c)
      const denied = authorize(access, readNeed(input.value.env, [input.value.appid]), config.auth)
      if (denied) return denied
      const view = await appView(c.env, config, { url: c.req.url, access }, input.value)
      return replyResponse(
        view === undefined
          ? { code: ECODE.NOTHING_FOUND, data: 'null' }
          : { code: ECODE.OK, data: view }
      )
    })
    .get(PATHS.nodes, (c) => {
      const access = accessOf(c)
      const denied = authorize(access, 'any', config.auth)
      if (denied) return denied
      const addrs = nodeAddrs(config, c.req.url).map((node) => nodeAddressFor(access, node))
      return replyResponse({ code: ECODE.OK, data: nodesJson(config, addrs) })
    })
    .get(PATHS.history, async (c) => {
      const input = parseHistory(queryForm(c.req.raw))
      if (!input.ok) return badRequestResponse(input.error)
      const { appid, env, limit } = input.value
      const denied = authorize(accessOf(c), { scope: 'admin', env, apps: [appid] }, config.auth)
      if (denied) return denied
      const entries = await registryFor(c.env, { appid, env }).history(limit)
      const data = entries.map((e) => ({
        at_ms: e.atMs,
        op: e.op,
        zone: e.zone,
        hostname: e.hostname,
        actor: e.actor,
      }))
      return replyResponse({ code: ECODE.OK, data: JSON.stringify(data) })
    })
