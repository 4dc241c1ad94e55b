/** The discovery routes (docs/protocol.md). */
export const PATHS = {
  register: '/discovery/register',
  renew: '/discovery/renew',
  cancel: '/discovery/cancel',
  set: '/discovery/set',
  fetch: '/discovery/fetch',
  fetchs: '/discovery/fetchs',
  fetchAll: '/discovery/fetch/all',
  poll: '/discovery/poll',
  polls: '/discovery/polls',
  nodes: '/discovery/nodes',
  /** Not in the reference: an app's recent changes and who made them (admin). */
  history: '/discovery/history',
  /** Not in the reference: a session's WebSocket (docs/sessions.md). */
  session: '/discovery/session',
} as const

/** The reserved application that describes the registry itself (docs/protocol.md). */
export const INFRA_APPID = 'infra.discovery'

/**
 * Whether `appid` is infra.discovery or would pass for it: case, Unicode compatibility forms
 * (fullwidth letters) and any whitespace or invisible formatting character are ignored, so a
 * look-alike can never be registered next to the real one.
 */
export const isReservedAppid = (appid: string): boolean =>
  appid
    .normalize('NFKC')
    .replace(/[\p{White_Space}\p{Cf}]/gu, '')
    .toLowerCase() === INFRA_APPID
