/**
 * The one place Durable Object names are formed. An application is (appid, env); both parts
 * are percent-encoded so that no two pairs share a name (upstream's "appid-env" key collides).
 */

/** The object name of application (appid, env). */
export const registryName = (appid: string, env: string): string =>
  `${encodeURIComponent(env)}/${encodeURIComponent(appid)}`

/** The registry object of one application. */
export const registryFor = (bindings: Env, app: { appid: string; env: string }) =>
  bindings.REGISTRY.getByName(registryName(app.appid, app.env))

/** The catalog object (one per registry). */
export const catalogOf = (bindings: Env) => bindings.CATALOG.getByName('catalog')
