/**
 * Reading and dropping a request body nobody needs. The runtime closes a connection whose last
 * request's body was left unread, and a client or proxy still sending that body, or about to
 * reuse the connection, sees it drop mid-request (wrangler dev's proxy then answers 503 or 500;
 * see scripts/repro/wrangler-dev-503/). So bodies are read to their end, up to
 * LIMITS.drainBytes; past that the connection is dropped anyway.
 */
import { LIMITS } from '../protocol/limits.ts'

/**
 * Read `reader`'s stream to its end, passing each chunk to `keep` while `keep` returns true;
 * stop and cancel past LIMITS.drainBytes. Returns whether the stream ended within it. A body the
 * client broke off ends it too (a truncated request: nothing left to keep the connection for).
 */
export async function readToEnd(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  keep: (chunk: Uint8Array) => boolean = () => false
): Promise<boolean> {
  let size = 0
  let keeping = true
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return true
    size += value.byteLength
    if (size > LIMITS.drainBytes) {
      await reader.cancel().catch(() => {}) // already broken: nothing to cancel
      return false
    }
    keeping = keeping && keep(value)
  }
}

/** Drop what is left of an unread `request` body (see the module comment). */
export async function drainUnread(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > LIMITS.drainBytes) return // too large to be worth reading: drop the connection
  try {
    await readToEnd(request.body.getReader())
  } catch {
    // the client broke its body off: the connection is gone either way
  }
}
