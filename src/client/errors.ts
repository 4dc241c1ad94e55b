/**
 * The SDK's errors, ky-style: a `DiscoveryError` base and one subclass per kind of failure, each
 * with its own `name`, the `cause` passed through, and the protocol `code` or HTTP `status` it
 * carries. Messages name the method and URL (ofetch-style) and never contain the token.
 */

/** Which request failed. */
export interface DiscoveryRequestInfo {
  method: string
  url: string
}

/** Base class of every error the SDK throws or reports to `onError`. */
export class DiscoveryError extends Error {
  override name = 'DiscoveryError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** The client options are unusable (no nodes, no env, a malformed node address…). */
export class DiscoveryConfigError extends DiscoveryError {
  override name = 'DiscoveryConfigError'
}

/** Base of the failures of one HTTP request; `request` says which. */
export class DiscoveryRequestError extends DiscoveryError {
  override name = 'DiscoveryRequestError'
  readonly request: DiscoveryRequestInfo

  constructor(request: DiscoveryRequestInfo, problem: string, options?: { cause?: unknown }) {
    super(`[${request.method}] ${JSON.stringify(request.url)}: ${problem}`, options)
    this.request = request
  }
}

/** The request never got an answer: connection refused or reset, DNS failure… (`cause` says). */
export class DiscoveryNetworkError extends DiscoveryRequestError {
  override name = 'DiscoveryNetworkError'
}

/**
 * No answer within the time limit: of one request, or of the first register given `timeoutMs`
 * (then `cause` is the last failure seen while retrying, if any).
 */
export class DiscoveryTimeoutError extends DiscoveryRequestError {
  override name = 'DiscoveryTimeoutError'
  readonly timeoutMs: number

  constructor(
    request: DiscoveryRequestInfo,
    timeoutMs: number,
    options: { problem?: string; cause?: unknown } = {}
  ) {
    const { problem = `no answer within ${timeoutMs} ms`, cause } = options
    super(request, problem, cause === undefined ? undefined : { cause })
    this.timeoutMs = timeoutMs
  }
}

/** An HTTP status other than 2xx (401/403 from auth, 404 for a wrong path, 5xx…). */
export class DiscoveryHttpError extends DiscoveryRequestError {
  override name = 'DiscoveryHttpError'
  readonly status: number
  /** The start of the response body, for the message. */
  readonly body: string

  constructor(request: DiscoveryRequestInfo, status: number, statusText: string, body: string) {
    const detail = body.trim().slice(0, 200)
    super(request, `${status} ${statusText}`.trim() + (detail ? ` (${detail})` : ''))
    this.status = status
    this.body = body
  }
}

/** A 2xx answer that is not a discovery envelope of the expected shape. */
export class DiscoveryResponseError extends DiscoveryRequestError {
  override name = 'DiscoveryResponseError'
}

/** The registry answered with a protocol code other than 0 (docs/protocol.md). */
export class DiscoveryApiError extends DiscoveryRequestError {
  override name = 'DiscoveryApiError'
  /** The envelope's code: -400, -404, -409, -500… */
  readonly code: number
  /** The envelope's message (for -400, the field at fault). */
  readonly serverMessage: string

  constructor(request: DiscoveryRequestInfo, code: number, serverMessage: string) {
    const text = serverMessage === String(code) ? '' : `: ${serverMessage}`
    super(request, `code ${code}${text}`)
    this.code = code
    this.serverMessage = serverMessage
  }
}

/**
 * A session (docs/sessions.md) ended or was refused in a way that is not a plain network
 * failure: closed by the registry (`closeCode`: 1008 a limit broken, 1013 the app holds its most
 * sessions, 4401 the token expired…), a node without sessions while transport is 'session', or
 * two heartbeats without a pong. `code` is the protocol code of the `error` frame, if one came.
 */
export class DiscoverySessionError extends DiscoveryRequestError {
  override name = 'DiscoverySessionError'
  readonly closeCode: number | undefined
  readonly code: number | undefined

  constructor(
    request: DiscoveryRequestInfo,
    problem: string,
    details: { closeCode?: number; code?: number } = {}
  ) {
    super(request, problem)
    this.closeCode = details.closeCode
    this.code = details.code
  }
}

/** Code -404: the app (or zone, or instance) is not registered. */
export class DiscoveryNotFoundError extends DiscoveryApiError {
  override name = 'DiscoveryNotFoundError'
}

/**
 * Whether trying another registry node could help: no answer, a garbled answer, or an HTTP
 * status that depends on the node (404 wrong path, 408, 429, 5xx). Not for 400/401/403/405:
 * every node would answer the same.
 */
export function isNodeFailure(error: unknown): boolean {
  if (error instanceof DiscoveryHttpError) {
    return [404, 408, 429].includes(error.status) || error.status >= 500
  }
  return (
    error instanceof DiscoveryNetworkError ||
    error instanceof DiscoveryTimeoutError ||
    error instanceof DiscoveryResponseError
  )
}

/** Any thrown value as a DiscoveryError (the original as `cause`), for `onError`. */
export function toDiscoveryError(error: unknown): DiscoveryError {
  if (error instanceof DiscoveryError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new DiscoveryError(message, { cause: error })
}
