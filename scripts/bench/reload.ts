/**
 * Reload after a restart: stop the server process, start it again on the same state
 * directory, let one /discovery/nodes answer (the runtime is up; no Durable Object touched),
 * then time the first fetch of a 10,000-instance app: its object loads from SQLite and
 * encodes the whole view before answering.
 */
import { PATHS } from '../../src/protocol/paths.ts'
import { type Server, type ServerOptions, startServer } from './server.ts'
import { fetchPath } from './wire.ts'

export interface Reload {
  ms: number
  /** The restarted server (the old one is gone). */
  server: Server
}

export async function restartAndFetch(
  old: Server,
  options: ServerOptions,
  appid: string,
  expected: number
): Promise<Reload> {
  await old.stop()
  const server = await startServer(options)
  await (await fetch(`${server.url}${PATHS.nodes}`)).text()
  const started = performance.now()
  const text = await (await fetch(`${server.url}${fetchPath(appid)}`)).text()
  const ms = performance.now() - started
  const listed = text.split('"hostname":').length - 1
  if (listed !== expected) {
    throw new Error(`after the restart ${appid} lists ${listed} instances, expected ${expected}`)
  }
  return { ms, server }
}
