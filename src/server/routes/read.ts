/** GET fetch, fetchs, fetch/all, nodes, history. */
import { Hono } from 'hono'
import { ECODE } from '../../protocol/ecode.ts'
import { envelope } from '../../protocol/envelope.ts'
import { encodeInstance } from '../../protocol/instance-codec.ts'
import { parseFetch, parseFetchs, parseHistory } from '../../protocol/params.ts'
import { INFRA_APPID, PATHS } from '../../protocol/paths.ts'
import { appView, infraInstancesFor } from '../app-view.ts'
import { adminView, authorize, nodeAddressFor, readNeed } from '../auth.ts'
import { catalogOf, registryFor } from '../registry-stub.ts'
import { badRequest, json, reply } from '../reply.ts'
import { queryForm } from '../request-form.ts'
import { CONFIG } from '../runtime-config.ts'
import { nodeAddrs, nodesJson } from '../self-node.ts'

/** fetch/all asks this many registry objects at a time. */
const FETCH_ALL_CONCURRENCY = 32

export const readRoutes = new Hono<{ Bindings: Env }>()
  .get(PATHS.fetch, async (c) => {
    const input = parseFetch(queryForm(c.req.raw))
    if (!input.ok) return badRequest(input.error)
    const denied = authorize(c.req.raw, readNeed(input.value.env, [input.value.appid]), CONFIG.auth)
    if (denied) return denied
    const view = await appView(c.env, CONFIG, c.req.raw, input.value)
    return reply(view === undefined ? { code: ECODE.NOTHING_FOUND, data: 'null' } : { code: ECODE.OK, data: view })
  })
  .get(PATHS.fetchs, async (c) => {
    const input = parseFetchs(queryForm(c.req.raw))
    if (!input.ok) return badRequest(input.error)
    const { appids, ...query } = input.value
    const denied = authorize(c.req.raw, readNeed(query.env, appids), CONFIG.auth)
    if (denied) return denied
    const views = await Promise.all(appids.map((appid) => appView(c.env, CONFIG, c.req.raw, { appid, ...query })))
    const found = appids.flatMap((appid, i) => (views[i] === undefined ? [] : [`${JSON.stringify(appid)}:${views[i]}`]))
    return reply({ code: ECODE.OK, data: `{${found.join(',')}}` })
  })
  .get(PATHS.fetchAll, async (c) => {
    const visible = adminView(c.req.raw, CONFIG.auth)
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
    const { instances: infra } = await infraInstancesFor(c.env, CONFIG, c.req.raw, CONFIG.env)
    byAppid.set(INFRA_APPID, infra.map((i) => encodeInstance(i, 'null')))
    const data = [...byAppid].map(([appid, list]) => `${JSON.stringify(appid)}:[${list.join(',')}]`)
    return json(envelope(ECODE.OK, `{${data.join(',')}}`))
  })
  .get(PATHS.nodes, (c) => {
    const denied = authorize(c.req.raw, 'any', CONFIG.auth)
    if (denied) return denied
    const addrs = nodeAddrs(CONFIG, c.req.url).map((node) => nodeAddressFor(c.req.raw, node))
    return reply({ code: ECODE.OK, data: nodesJson(CONFIG, addrs) })
  })
  .get(PATHS.history, async (c) => {
    const input = parseHistory(queryForm(c.req.raw))
    if (!input.ok) return badRequest(input.error)
    const { appid, env, limit } = input.value
    const denied = authorize(c.req.raw, { scope: 'admin', env, apps: [appid] }, CONFIG.auth)
    if (denied) return denied
    const entries = await registryFor(c.env, { appid, env }).history(limit)
    const data = entries.map((e) => ({ at_ms: e.atMs, op: e.op, zone: e.zone, hostname: e.hostname, actor: e.actor }))
    return reply({ code: ECODE.OK, data: JSON.stringify(data) })
  })
