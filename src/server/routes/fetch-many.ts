/**
 * GET fetchs and fetch/all: answers made of many apps' views, streamed (streamed-answer.ts) so
 * that whatever the apps hold, the Worker holds a bounded window of views at a time.
 */
import { Hono } from 'hono'
import { ECODE } from '../../protocol/ecode.ts'
import { envelopeAround } from '../../protocol/envelope.ts'
import { encodeInstance } from '../../protocol/instance-codec.ts'
import { parseFetchs } from '../../protocol/params.ts'
import { INFRA_APPID, PATHS } from '../../protocol/paths.ts'
import { accessOf, adminView, authorize, readNeed } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import { appView, infraInstancesFor } from '../app-view.ts'
import type { AppRef } from '../catalog-object.ts'
import type { Config } from '../config.ts'
import { catalogOf, registryFor } from '../registry-stub.ts'
import { queryForm } from '../request-form.ts'
import { badRequestResponse } from '../responses.ts'
import { inOrder, streamedJson, windowFor } from '../streamed-answer.ts'

const q = JSON.stringify
/** `{"code":0,"message":"0","ttl":1,"data":` and `}`, around the streamed data object. */
const [OK_HEAD, OK_TAIL] = envelopeAround(ECODE.OK)

/**
 * fetch/all's data, in parts: each appid's instances over all its envs (the catalog lists an
 * appid's envs one after another), then this registry's own infra.discovery.
 */
async function* allParts(
  bindings: Env,
  apps: AppRef[],
  window: number,
  infra: string[]
): AsyncGenerator<string> {
  let open: string | undefined // the appid whose list is being written
  const lists = inOrder(apps, window, async (app) => ({
    app,
    list: await registryFor(bindings, app).all(),
  }))
  for await (const { app, list } of lists) {
    if (list.length === 0) continue
    if (app.appid === open) yield `,${list.join(',')}`
    else {
      yield `${open === undefined ? '{' : '],'}${q(app.appid)}:[${list.join(',')}`
      open = app.appid
    }
  }
  yield `${open === undefined ? '{' : '],'}${q(INFRA_APPID)}:[${infra.join(',')}]}`
}

/** The fetchs and fetch/all routes of a registry configured by `config`. */
export const fetchManyRoutes = (config: Config) => {
  const window = windowFor(config.appBytes)
  return new Hono<AppEnv>()
    .get(PATHS.fetchs, async (c) => {
      const input = parseFetchs(queryForm(c.req.raw))
      if (!input.ok) return badRequestResponse(input.error)
      const { appids, ...query } = input.value
      const access = accessOf(c)
      const denied = authorize(access, readNeed(query.env, appids), config.auth)
      if (denied) return denied
      const caller = { url: c.req.url, access }
      const views = inOrder(appids, window, async (appid) => ({
        appid,
        view: await appView(c.env, config, caller, { appid, ...query }),
      }))
      async function* parts(): AsyncGenerator<string> {
        let separator = '{'
        for await (const { appid, view } of views) {
          if (view === undefined) continue
          yield `${separator}${q(appid)}:${view}`
          separator = ','
        }
        yield separator === '{' ? '{}' : '}'
      }
      return streamedJson(OK_HEAD, parts(), OK_TAIL)
    })
    .get(PATHS.fetchAll, async (c) => {
      const access = accessOf(c)
      const visible = adminView(access, config.auth)
      if (visible instanceof Response) return visible
      const apps = (await catalogOf(c.env).apps()).filter(
        (app) => app.appid !== INFRA_APPID && visible(app.appid, app.env)
      )
      const { instances } = await infraInstancesFor(
        c.env,
        config,
        { url: c.req.url, access },
        config.env
      )
      const infra = instances.map((i) => encodeInstance(i, 'null'))
      return streamedJson(OK_HEAD, allParts(c.env, apps, window, infra), OK_TAIL)
    })
}
