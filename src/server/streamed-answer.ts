/**
 * Answers made of many apps' views (fetchs, fetch/all), streamed so the Worker never holds more
 * than a few of them: the views are asked for a few at a time, in order, and each is written
 * out when the client is ready for it. Each view is at most APP_BYTES (config.ts), so a window
 * of FETCH_BUFFER_BYTES / APP_BYTES views bounds the Worker's memory whatever the apps hold.
 */
import { jsonStreamResponse } from './responses.ts'

/** The views one answer holds at a time, in bytes: its window is this over APP_BYTES. */
export const FETCH_BUFFER_BYTES = 16 * 1024 * 1024
/** Never ask more objects at a time than this, however small the views. */
const MAX_WINDOW = 32

/** How many views an answer asks for at a time when each is at most `appBytes`. */
export const windowFor = (appBytes: number): number =>
  Math.max(1, Math.min(MAX_WINDOW, Math.floor(FETCH_BUFFER_BYTES / appBytes)))

/**
 * `load` of each item, in the items' order, with at most `window` loads started and not yet
 * taken by the consumer: the next starts only once one is taken.
 */
export async function* inOrder<T, R>(
  items: readonly T[],
  window: number,
  load: (item: T) => Promise<R>
): AsyncGenerator<R> {
  const started: Promise<R>[] = []
  let next = 0
  const start = () => {
    const loading = load(items[next++] as T)
    loading.catch(() => {}) // awaited below; a consumer that stops early must not leave it unhandled
    started.push(loading)
  }
  while (next < items.length && started.length < window) start()
  for (let loading = started.shift(); loading; loading = started.shift()) {
    yield await loading
    if (next < items.length) start()
  }
}

/**
 * A JSON answer `head`, then `parts` as the client reads them, then `tail`. The first part is
 * awaited before answering, so a failure before anything is sent is still the route's -500; a
 * failure later can only cut the body short (logged), which the client sees as a broken answer.
 */
export async function streamedJson(
  head: string,
  parts: AsyncGenerator<string>,
  tail: string
): Promise<Response> {
  const encoder = new TextEncoder()
  const first = await parts.next()
  let pending: string | undefined = head + (first.done ? tail : first.value)
  let done = first.done === true
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (pending === undefined) {
            const next = await parts.next()
            pending = next.done ? tail : next.value
            done = next.done === true
          }
          controller.enqueue(encoder.encode(pending))
          pending = undefined
          if (done) controller.close()
        } catch (error) {
          console.error(JSON.stringify({ op: 'stream', error: String(error) }))
          controller.error(error)
        }
      },
      async cancel() {
        await parts.return(undefined)
      },
    },
    { highWaterMark: 0 }
  )
  return jsonStreamResponse(body)
}
