/**
 * The process session_death_ms kills: open a session, register one instance through it, print
 * `REGISTERED`, then heartbeat until killed. Run as a child by sessions.ts:
 * `node --import tsx scripts/bench/session-owner.ts '{"origin":"ws://…","appid":"…","hostname":"…"}'`
 */
import { ADDR } from '../shared/discovery-text.ts'
import { openSession } from './session-client.ts'
import { ZONE } from './wire.ts'

const DEFAULT_PING_INTERVAL_MS = 30_000

const { origin, appid, hostname } = JSON.parse(process.argv[2] ?? '{}') as {
  origin: string
  appid: string
  hostname: string
}
try {
  const session = await openSession({ origin, appid })
  await session.request({ op: 'register', zone: ZONE, hostname, addrs: [ADDR], status: 1 })
  process.stdout.write('REGISTERED\n')
  const every = session.hello.ping_interval_ms || DEFAULT_PING_INTERVAL_MS
  setInterval(() => session.send(session.hello.ping), every)
} catch (error) {
  process.stderr.write(`session owner: ${String(error)}\n`)
  process.exit(1)
}
