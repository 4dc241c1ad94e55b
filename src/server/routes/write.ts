/** POST register, renew, cancel, set. */
import { type Handler, Hono } from 'hono'
import { ECODE } from '../../protocol/ecode.ts'
import type { Form } from '../../protocol/form.ts'
import {
  type Parsed,
  parseCancel,
  parseRegister,
  parseRenew,
  parseSet,
} from '../../protocol/params.ts'
import { isReservedAppid, PATHS } from '../../protocol/paths.ts'
import { accessOf, actorOf, authorize } from '../access.ts'
import type { AppEnv } from '../app-env.ts'
import type { Config } from '../config.ts'
import { registryFor } from '../registry-stub.ts'
import { postForm } from '../request-form.ts'
import { badRequestResponse, jsonResponse, replyResponse } from '../responses.ts'

type Stub = ReturnType<typeof registryFor>

/** The write routes of a registry configured by `config`. */
export function writeRoutes(config: Config) {
  /** A write route: form → parsed input → `write` scope on the app → its object → envelope. */
  const write =
    <T extends { appid: string; env: string }>(
      parse: (form: Form) => Parsed<T>,
      /** The object's answer: the whole response body. */
      call: (stub: Stub, input: T, actor: string) => Promise<string>
    ): Handler<AppEnv> =>
    async (c) => {
      const form = await postForm(c.req.raw)
      if (!form.ok) return badRequestResponse(form.error)
      const input = parse(form.value)
      if (!input.ok) return badRequestResponse(input.error)
      const { appid, env } = input.value
      if (isReservedAppid(appid)) {
        return replyResponse({
          code: ECODE.REQUEST_ERR,
          message: `appid: ${appid} is reserved: it describes this registry's own nodes`,
        })
      }
      const access = accessOf(c)
      const denied = authorize(access, { scope: 'write', env, apps: [appid] }, config.auth)
      if (denied) return denied
      return jsonResponse(await call(registryFor(c.env, input.value), input.value, actorOf(access)))
    }

  return new Hono<AppEnv>()
    .post(
      PATHS.register,
      write(parseRegister, (stub, input, actor) => stub.register(input, actor))
    )
    .post(
      PATHS.renew,
      write(parseRenew, (stub, input, actor) => stub.renew(input, actor))
    )
    .post(
      PATHS.cancel,
      write(parseCancel, (stub, input, actor) => stub.cancel(input, actor))
    )
    .post(
      PATHS.set,
      write(parseSet, (stub, input, actor) => stub.set(input, actor))
    )
}
