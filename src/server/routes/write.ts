/** POST register, renew, cancel, set: parse the form, call the app's registry object, reply. */
import { Hono } from 'hono'
import { ECODE } from '../../protocol/ecode.ts'
import type { Form } from '../../protocol/form.ts'
import { type Parsed, parseCancel, parseRegister, parseRenew, parseSet } from '../../protocol/params.ts'
import { INFRA_APPID, PATHS } from '../../protocol/paths.ts'
import { actorOf, authorize } from '../auth.ts'
import { badRequest, json, reply } from '../reply.ts'
import { registryFor } from '../registry-stub.ts'
import { postForm } from '../request-form.ts'
import { CONFIG } from '../runtime-config.ts'

type Stub = ReturnType<typeof registryFor>

/** A write route: form → parsed input → `write` scope on the app → its object → envelope. */
function write<T extends { appid: string; env: string }>(
  parse: (form: Form) => Parsed<T>,
  /** The object's answer: the whole response body. */
  call: (stub: Stub, input: T, actor: string) => Promise<string>
) {
  return async (request: Request, bindings: Env): Promise<Response> => {
    const form = await postForm(request)
    if (!form.ok) return badRequest(form.error)
    const input = parse(form.value)
    if (!input.ok) return badRequest(input.error)
    if (input.value.appid === INFRA_APPID) {
      return reply({ code: ECODE.REQUEST_ERR, message: `appid: ${INFRA_APPID} is reserved: it describes this registry's own nodes` })
    }
    const { appid, env } = input.value
    const denied = authorize(request, { scope: 'write', env, apps: [appid] }, CONFIG.auth)
    if (denied) return denied
    return json(await call(registryFor(bindings, input.value), input.value, actorOf(request)))
  }
}

const register = write(parseRegister, (stub, input, actor) => stub.register(input, actor))
const renew = write(parseRenew, (stub, input, actor) => stub.renew(input, actor))
const cancel = write(parseCancel, (stub, input, actor) => stub.cancel(input, actor))
const set = write(parseSet, (stub, input, actor) => stub.set(input, actor))

export const writeRoutes = new Hono<{ Bindings: Env }>()
  .post(PATHS.register, (c) => register(c.req.raw, c.env))
  .post(PATHS.renew, (c) => renew(c.req.raw, c.env))
  .post(PATHS.cancel, (c) => cancel(c.req.raw, c.env))
  .post(PATHS.set, (c) => set(c.req.raw, c.env))
