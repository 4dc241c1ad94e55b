/** GET fetch, fetchs, fetch/all, nodes, history. */
import { Hono } from 'hono'
import { ECODE } from '../../protocol/ecode.ts'
import { envelope } from '../../protocol/envelope.ts'
import { encodeInstance } from '../../protocol/instance-codec.ts'
import { parseFetch, parseFetchs, parseHistory } from '../../protocol/params.ts'
import { INFRA_APPID, PATHS } from '../../protocol/paths.ts'
import { accessOf, adminView, authorize, nodeAddressFor, readNeed } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import { appView, infraInstancesFor } from '../app-view.ts'
import type { Config } from '../config.ts'
import { catalogOf, registryFor } from '../registry-stub.ts'
import { queryForm } from '../request-form.ts'
import { badRequestResponse, jsonResponse, replyResponse } from '../responses.ts'
import { nodeAddrs, nodesJson } from '../self-node.ts'

/** fetch/all asks this many registry objects at a time. */
const FETCH_ALL_CONCURRENCY = 32

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
    .get(PATHS.fetchs, async (c) => {
      const input = parseFetchs(queryForm(c.req.raw))
      if (!input.ok) return badRequestResponse(input.error)
      const { appids, ...query } = input.value
      const access = accessOf(c)
      const denied = authorize(access, readNeed(query.env, appids), config.auth)
      if (denied) return denied
      const caller = { url: c.req.url, access }
      const views = await Promise.all(
        appids.map((appid) => appView(c.env, config, caller, { appid, ...query }))
      )
      const found = appids.flatMap((appid, i) =>
        views[i] === undefined ? [] : [`${JSON.stringify(appid)}:${views[i]}`]
      )
      return replyResponse({ code: ECODE.OK, data: `{${found.join(',')}}` })
    })
    .get(PATHS.fetchAll, async (c) => {
      const access = accessOf(c)
      const visible = adminView(access, config.auth)
      if (visible instanceof Response) return visible
      const apps = (await catalogOf(c.env).apps()).filter((app) => visible(app.appid, app.env))
      const byAppid = new Map<string, string[]>()
      for (let i = 0; i < apps.length; i += FETCH_ALL_CONCURRENCY) {
        const batch = apps.slice(i, i + FETCH_ALL_CONCURRENCY)
        const lists = await Promise.all(batch.map((app) => registryFor(c.env, app).all()))
        batch.forEach((app, j) => {
          const list = lists[j] ?? []
          if (list.length > 0) byAppid.set(app.appid, [...(byAppid.get(app.appid) ?? []), ...list])
        })
      }
      const { instances: infra } = await infraInstancesFor(
        c.env,
        config,
        { url: c.req.url, access },
        config.env
      )
      byAppid.set(
        INFRA_APPID,
        infra.map((i) => encodeInstance(i, 'null'))
      )
      const data = [...byAppid].map(
        ([appid, list]) => `${JSON.stringify(appid)}:[${list.join(',')}]`
      )
      return jsonResponse(envelope(ECODE.OK, `{${data.join(',')}}`))
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
