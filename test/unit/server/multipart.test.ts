/**
 * multipart/form-data bodies through the whole app: browsers write a mixed-case boundary
 * (`----WebKitFormBoundary…`), and a boundary is case-sensitive (RFC 2046), so the body must be
 * read with the content type exactly as sent.
 */
import { describe, expect, it } from 'vitest'
import { BASE, testApp } from './test-app.ts'

const OK = '{"code":0,"message":"0","ttl":1}'

/** A FormData body as Node writes it, re-framed with the boundary a browser would choose. */
async function browserMultipart(form: FormData, boundary: string) {
  const encoded = new Response(form)
  const type = encoded.headers.get('content-type') ?? ''
  const original = /boundary=(.+)$/.exec(type)?.[1] ?? ''
  const body = (await encoded.text()).replaceAll(original, boundary)
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

function registerForm(hostname: string): FormData {
  const form = new FormData()
  for (const [key, value] of Object.entries({
    appid: 'demo.multipart',
    env: 'dev',
    zone: 'sh001',
    hostname,
    status: '1',
    addrs: 'grpc://10.0.0.1:9000',
    metadata: '{"weight":"10"}',
  }))
    form.append(key, value)
  return form
}

describe('multipart/form-data bodies', () => {
  it('registers from a body whose boundary is mixed case, as browsers send it', async () => {
    const { app, env, call } = testApp()
    const init = await browserMultipart(
      registerForm('h1'),
      '----WebKitFormBoundaryAbCdEfGh12345678'
    )
    const r = await app.request(`${BASE}/discovery/register`, { method: 'POST', ...init }, env)
    expect(await r.text()).toBe(OK)
    const fetched = await call('/discovery/fetch?appid=demo.multipart&env=dev&status=1')
    expect(fetched.text).toContain('"hostname":"h1"')
    expect(fetched.text).toContain('"metadata":{"weight":"10"}')
  })

  it('accepts the media type in any case', async () => {
    const { app, env } = testApp()
    const init = await browserMultipart(registerForm('h2'), 'XyZBoundary')
    init.headers['content-type'] = 'Multipart/Form-Data; boundary=XyZBoundary'
    const r = await app.request(`${BASE}/discovery/register`, { method: 'POST', ...init }, env)
    expect(await r.text()).toBe(OK)
  })

  it('refuses a body framed by another boundary with -400 naming the body', async () => {
    const { app, env, call } = testApp()
    const init = await browserMultipart(registerForm('h3'), 'AbC')
    init.headers['content-type'] = 'multipart/form-data; boundary=abc'
    const r = await app.request(`${BASE}/discovery/register`, { method: 'POST', ...init }, env)
    expect(await r.text()).toBe(
      '{"code":-400,"message":"body: malformed multipart/form-data","ttl":1}'
    )
    expect((await call('/discovery/fetch?appid=demo.multipart&env=dev&status=1')).code).toBe('-404')
  })
})
