/**
 * Send one raw request on a connection of its own and read what comes back: the status and
 * the start of the body, or how the connection failed first. A body the server refuses early
 * (too large) may end in a reset after the answer: the answer counts. The connection is
 * closed once the answer is complete (by Content-Length, the last chunk, or the server's close).
 */
import { connect } from 'node:net'
import { type RawRequest, toWire } from './raw-request.ts'

export type Outcome =
  | { kind: 'answer'; status: number; body: string }
  | { kind: 'reset'; error: string }
  | { kind: 'timeout' }

const HEADER_END = '\r\n\r\n'
/** Enough of an answer's body to read its envelope code and a runtime's error text. */
const KEPT_BODY = 2_000

export function sendRaw(
  host: string,
  port: number,
  request: RawRequest,
  timeoutMs: number
): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    let text = ''
    let done = false
    const finish = (outcome: Outcome) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => finish(answerOr({ kind: 'timeout' })), timeoutMs)
    /** What was read so far, if it holds a status line; else `otherwise`. */
    const answerOr = (otherwise: Outcome): Outcome => {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)
      if (!status) return otherwise
      const end = text.indexOf(HEADER_END)
      const body = end < 0 ? '' : text.slice(end + HEADER_END.length, end + 4 + KEPT_BODY)
      return { kind: 'answer', status: Number(status[1]), body }
    }
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
      if (complete(text)) finish(answerOr({ kind: 'reset', error: 'unreadable answer' }))
    })
    socket.on('end', () => finish(answerOr({ kind: 'reset', error: 'closed before an answer' })))
    socket.on('error', (error) => finish(answerOr({ kind: 'reset', error: error.message })))
    socket.on('connect', () => {
      const { head, body } = toWire(request, `${host}:${port}`)
      socket.write(head)
      if (!body) return
      if (request.truncateAt === undefined) socket.write(body)
      else socket.end(body.subarray(0, request.truncateAt))
    })
  })
}

/** Whether `text` holds a whole answer: head plus Content-Length bytes, or the last chunk. */
function complete(text: string): boolean {
  const end = text.indexOf(HEADER_END)
  if (end < 0) return false
  const head = text.slice(0, end)
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1]
  if (length !== undefined) return text.length - end - HEADER_END.length >= Number(length)
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return text.endsWith('\r\n0\r\n\r\n')
  return false // read until the server closes
}
