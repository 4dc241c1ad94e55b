// Runs inside the browser page (served as /harness.js by the browser tests): imports the built
// SDK the way a web app would and keeps clients, registrations and watches by name, so the Node
// side (browser-harness.ts) can drive them step by step through page.evaluate. Everything it
// answers is plain data (errors flattened, snapshots reduced to sorted hostnames), since values
// such as bigint timestamps and Error subclasses do not cross page.evaluate intact.
import * as sdk from '/client/index.js'

const clients = new Map()
const registrations = new Map()
const watches = new Map()

const hostnames = (snapshot) =>
  Object.values(snapshot.instances)
    .flat()
    .map((instance) => instance.hostname)
    .sort()

function plain(error) {
  return {
    name: String(error?.name),
    message: String(error?.message),
    discoveryError: error instanceof sdk.DiscoveryError,
    status: typeof error?.status === 'number' ? error.status : undefined,
    code: typeof error?.code === 'number' ? error.code : undefined,
  }
}

async function attempt(run) {
  try {
    return { ok: true, value: await run() }
  } catch (error) {
    return { ok: false, error: plain(error) }
  }
}

function entry(name) {
  const found = clients.get(name)
  if (!found) throw new Error(`no client named ${name}`)
  return found
}

globalThis.harness = {
  exports: () => Object.keys(sdk).sort(),
  nodeGlobals: () => ({ process: typeof globalThis.process, require: typeof globalThis.require }),

  createClient(name, options) {
    const errors = []
    const client = sdk.createDiscoveryClient({
      ...options,
      onError: (error) => errors.push(plain(error)),
    })
    clients.set(name, { client, errors })
    return { hostname: client.hostname ?? null, zone: client.zone }
  },
  errors: (name) => entry(name).errors,

  register: (name, instance, timeoutMs) =>
    attempt(async () => {
      const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs)
      const registration = await entry(name).client.register(instance, { signal })
      registrations.set(`${registration.appid}/${registration.hostname}`, registration)
      return registration.hostname
    }),
  cancel: (appid, hostname) => attempt(() => registrations.get(`${appid}/${hostname}`).cancel()),
  fetch: (name, appid) => attempt(async () => hostnames(await entry(name).client.fetch(appid))),

  /** Starts a watch; `watched` reads the hostnames of every snapshot it has yielded so far. */
  watch(name, appid) {
    const state = { seen: [], end: null }
    watches.set(`${name}/${appid}`, state)
    ;(async () => {
      for await (const snapshot of entry(name).client.watch(appid))
        state.seen.push(hostnames(snapshot))
    })().then(
      () => (state.end = 'done'),
      (error) => (state.end = plain(error))
    )
  },
  watched: (name, appid) => watches.get(`${name}/${appid}`) ?? null,

  closeAll: () =>
    Promise.allSettled([...clients.values()].map((c) => c.client.close())).then(() => null),
}
