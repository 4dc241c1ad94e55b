/**
 * Reads never create storage: fetch, fetchs, poll, polls, history and a watch-only session of
 * apps that do not exist leave each of their objects without a single table. An object whose
 * database was never written is not kept, so a flood of unknown names costs nothing lasting.
 */
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { openSession } from './session-support.ts'
import { get, post, register, stubOf } from './support.ts'

const tables = (appid: string) =>
  runInDurableObject(stubOf(appid), (_, state) =>
    state.storage.sql.exec<{ name: string }>('SELECT name FROM sqlite_master').toArray()
  )

describe('reads of apps that do not exist', () => {
  it('create no table in their objects', { timeout: 60_000 }, async () => {
    const names = Array.from({ length: 100 }, () => `ghost.${crypto.randomUUID()}`)
    for (const appid of names) {
      expect((await get(`fetch?appid=${appid}&env=dev&status=3`)).text).toMatch(/^\{"code":-404/)
      expect((await get(`poll?appid=${appid}&env=dev&hostname=c`)).text).toMatch(/^\{"code":-404/)
      expect((await get(`history?appid=${appid}&env=dev`)).text).toMatch(/^\{"code":0/)
    }
    for (let i = 0; i < names.length; i += 50) {
      const batch = names.slice(i, i + 50)
      const fetchs = await get(
        `fetchs?${batch.map((a) => `appid=${a}`).join('&')}&env=dev&status=1`
      )
      expect(fetchs.text).toBe('{"code":0,"message":"0","ttl":1,"data":{}}')
      const cursors = batch.map((a) => `appid=${a}&latest_timestamp=0`).join('&')
      expect((await get(`polls?${cursors}&env=dev&hostname=c`)).text).toMatch(/^\{"code":-304/)
    }
    for (const appid of names.slice(0, 10)) {
      const session = await openSession(appid)
      const watched = session.request({ op: 'watch' })
      expect((await watched).type).toBe('ok')
      await session.next((f) => f.type === 'view')
      session.close()
    }
    for (const appid of names) expect(await tables(appid), appid).toEqual([])
  })

  it('still find an app once it registers (its object then creates its tables)', async () => {
    const appid = `ghost.${crypto.randomUUID()}`
    await get(`fetch?appid=${appid}&env=dev&status=3`)
    await register(appid, 'h1')
    expect((await get(`fetch?appid=${appid}&env=dev&status=3`)).text).toContain('"hostname":"h1"')
    expect((await tables(appid)).map((t) => t.name)).toContain('instances')
    await post('cancel', { appid, env: 'dev', zone: 'sh001', hostname: 'h1' })
  })
})
