/**
 * A WebSocket class for sessions without a runtime dependency: the one given, the platform's, or
 * the `ws` package (an optional peer dependency) where the platform has none (Node 20).
 */
import type { WebSocketConstructor } from './session-socket.ts'

/**
 * The WebSocket class to use: `given`, else the platform's (browsers, Workers, Node ≥ 22), else
 * the `ws` package when installed, else undefined.
 */
export async function findWebSocket(
  given?: WebSocketConstructor
): Promise<WebSocketConstructor | undefined> {
  if (given) return given
  const platform = (globalThis as { WebSocket?: unknown }).WebSocket
  if (typeof platform === 'function') return platform as WebSocketConstructor
  try {
    const module = await importOptional('ws')
    const found = module.WebSocket ?? module.default
    return typeof found === 'function' ? (found as WebSocketConstructor) : undefined
  } catch {
    return undefined // not installed: the caller says so once
  }
}

/**
 * `import(name)` with a name bundlers cannot see, so that building the SDK for browsers or
 * Workers never tries to resolve (or include) a Node-only package.
 */
function importOptional(name: string): Promise<{ WebSocket?: unknown; default?: unknown }> {
  return import(/* @vite-ignore */ name)
}
