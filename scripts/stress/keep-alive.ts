/**
 * One keep-alive HTTP/1.1 connection that sends requests one after another and reads each
 * answer framed by its Content-Length: what a held-poll client (the Go SDK) does, at a cost
 * of one socket per client, so thousands fit in one process.
 */
import { connect, type Socket } from 'node:net'

export interface Answer {
  status: number
  body: string
  head: string
}

const HEADER_END = Buffer.from('\r\n\r\n')

export class KeepAlive {
  readonly #socket: Socket
  #buffer: Buffer = Buffer.alloc(0)
  #waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void } | undefined
  #failed: Error | undefined

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
      this.#take()
    })
    const fail = (error: Error) => {
      this.#failed ??= error
      this.#waiting?.reject(error)
      this.#waiting = undefined
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('connection closed')))
  }

  /** Connect to host:port. */
  static open(host: string, port: number): Promise<KeepAlive> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true })
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new KeepAlive(socket))
      })
    })
  }

  /** Send one request's text and resolve with its answer (one request at a time). */
  request(text: string): Promise<Answer> {
    if (this.#failed) return Promise.reject(this.#failed)
    if (this.#waiting) return Promise.reject(new Error('a request is already waiting'))
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
      this.#socket.write(text)
    })
  }

  close(): void {
    this.#socket.destroy()
  }

  #take(): void {
    const end = this.#buffer.indexOf(HEADER_END)
    if (end < 0 || !this.#waiting) return
    const head = this.#buffer.subarray(0, end).toString('latin1')
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 'NaN')
    if (!Number.isFinite(length)) {
      this.#socket.destroy(new Error(`no Content-Length in ${head.slice(0, 200)}`))
      return
    }
    const total = end + HEADER_END.length + length
    if (this.#buffer.length < total) return
    const status = Number(head.slice(9, 12))
    const body = this.#buffer.subarray(end + HEADER_END.length, total).toString('utf8')
    this.#buffer = this.#buffer.subarray(total)
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting.resolve({ status, body, head })
  }
}
