/** The discovery routes (PROTOCOL.md §3). */
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

/** The reserved application that describes the registry itself (PROTOCOL.md §6.6, §7.1). */
export const INFRA_APPID = 'infra.discovery'
