/**
 * Who holds a socket the Worker opens on an app's object (a held poll's watch, a session), as
 * the object's caps count it (socket-quota.ts): the caller's token id and its address (an IPv6
 * client by its /64). It travels as headers of the Worker-to-object request, which no client
 * can reach. With auth off nothing is counted per caller, as nothing is rate-limited.
 */
import type { Access } from './access.ts'
import { addressKey } from './client-address.ts'

export interface Holder {
  token?: string
  address?: string
}

const H = { token: 'x-held-token', address: 'x-held-address' } as const

/** The holder of the sockets opened for this caller's `request`. */
export function holderOf(access: Access, request: Request): Holder {
  if (access.kind === 'open') return {}
  const address = addressKey(request.headers.get('cf-connecting-ip') ?? 'local')
  return access.kind === 'token' ? { token: access.claims.tid, address } : { address }
}

/** The headers that carry `holder` to the object. */
export function holderHeaders(holder: Holder): Record<string, string> {
  const headers: Record<string, string> = {}
  if (holder.token !== undefined) headers[H.token] = holder.token
  if (holder.address !== undefined) headers[H.address] = encodeURIComponent(holder.address)
  return headers
}

/** The holder a forwarded request carries (nothing: not counted per caller). */
export function holderFrom(request: Request): Holder {
  const token = request.headers.get(H.token) ?? undefined
  const address = request.headers.get(H.address) ?? undefined
  return {
    ...(token === undefined ? {} : { token }),
    ...(address === undefined ? {} : { address: decodeURIComponent(address) }),
  }
}
