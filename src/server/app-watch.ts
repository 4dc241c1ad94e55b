/**
 * One app's part of a held poll, Worker side: the app's registry object answers at once (the
 * client is behind, or no socket is spared for it) or holds a WebSocket (see waiters.ts for
 * the messages). `state` is the app as the poll found it; `change` settles with the first
 * pushed view; `close()` ends it. A socket that cannot open or dies behaves as "unchanged,
 * never changes", so a registry reset turns into a -304, never a 500.
 */
import { type Holder, holderHeaders } from './holder.ts'
import { WATCH_STATE_HEADER } from './waiters.ts'

/** What the app looked like when the poll arrived (`refused`: no poll may be held for it). */
export type WatchState =
  | { kind: 'missing' }
  | { kind: 'unchanged' }
  | { kind: 'changed'; view: string }
  | { kind: 'refused'; message: string }

export interface AppWatch {
  readonly state: WatchState
  /** Settles with the view pushed on the app's next change (or at once if already changed). */
  readonly change: Promise<string>
  /** Whether close() still has a socket to close. */
  readonly open: boolean
  close(): void
}

const never = new Promise<never>(() => {})

/** A watch whose outcome is known without any socket (infra.discovery, refusals). */
export const fixedWatch = (state: WatchState): AppWatch => ({
  state,
  change: state.kind === 'changed' ? Promise.resolve(state.view) : never,
  open: false,
  close() {},
})

/** The state an object answered without a socket (anything unexpected: unchanged). */
async function answered(response: Response): Promise<WatchState> {
  const text = await response.text()
  if (response.status === 429) return { kind: 'refused', message: text }
  if (!response.ok) return { kind: 'unchanged' }
  if (text.startsWith('c')) return { kind: 'changed', view: text.slice(1) }
  return text === 'm' ? { kind: 'missing' } : { kind: 'unchanged' }
}

/**
 * Open a watch on the registry object `stub` for `zone`, with the client's cursor `since`, for
 * a poll of `holder` (the object caps the polls one token or address holds).
 */
export async function openWatch(
  stub: DurableObjectStub,
  zone: string,
  since: bigint,
  holder: Holder
): Promise<AppWatch> {
  const url = `https://registry/watch?zone=${encodeURIComponent(zone)}&since=${since}`
  const response = await stub.fetch(url, {
    headers: { Upgrade: 'websocket', ...holderHeaders(holder) },
  })
  const ws = response.webSocket
  if (!ws) return fixedWatch(await answered(response))
  ws.accept()
  const state: WatchState =
    response.headers.get(WATCH_STATE_HEADER) === 'm' ? { kind: 'missing' } : { kind: 'unchanged' }
  let settleChange: (view: string) => void = () => {}
  const change = new Promise<string>((resolve) => {
    settleChange = resolve
  })
  // After a change the object closes the socket itself and the runtime answers that close
  // (web_socket_auto_reply_to_close), so close() only acts on a socket nothing has closed: the
  // runtime's readyState says so, without a close or error listener on every poll.
  let changed = false
  ws.addEventListener('message', (event) => {
    const text = typeof event.data === 'string' ? event.data : ''
    if (!text.startsWith('c')) return
    changed = true
    settleChange(text.slice(1))
  })
  const open = () => !changed && ws.readyState === WebSocket.OPEN
  return {
    state,
    change,
    get open() {
      return open()
    },
    close() {
      if (!open()) return
      try {
        ws.close(1000, 'done')
      } catch {
        // closed meanwhile
      }
    },
  }
}
