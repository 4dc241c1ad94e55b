/**
 * A second web origin for the browser tests: a tiny HTTP server on its own loopback port that
 * serves one HTML page, the in-page harness and the built SDK as ES modules. The page then
 * calls the registry (another port, so another origin) across CORS, as a web app would.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { extname, resolve, sep } from 'node:path'

export interface StaticOriginOptions {
  /** The compiled SDK's root (holds client/, protocol/, registry/), served at `/`. */
  root: string
  /** Served at `/` as text/html. */
  html: string
  /** Extra files by URL path (e.g. `/harness.js`), read from disk on each request. */
  files?: Record<string, string>
}

export interface StaticOrigin {
  /** e.g. http://127.0.0.1:41234 (what the browser sends as `Origin`) */
  origin: string
  /** Paths asked for that did not exist: a module the SDK imports but the build lacks. */
  missing: string[]
  stop(): Promise<void>
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', // module scripts need a JavaScript MIME type
  '.map': 'application/json; charset=utf-8',
}

export async function startStaticOrigin(options: StaticOriginOptions): Promise<StaticOrigin> {
  const root = resolve(options.root)
  const missing: string[] = []
  const server: Server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname
    if (path === '/') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      })
      response.end(options.html)
      return
    }
    const extra = options.files?.[path]
    const file = extra ?? resolve(root, `.${decodeURIComponent(path)}`)
    const type = TYPES[extname(file)]
    if (type === undefined || (extra === undefined && !file.startsWith(root + sep))) {
      missing.push(path)
      response.writeHead(404).end()
      return
    }
    try {
      const body = await readFile(file)
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' })
      response.end(body)
    } catch {
      missing.push(path)
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', done)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    origin: `http://127.0.0.1:${port}`,
    missing,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}
