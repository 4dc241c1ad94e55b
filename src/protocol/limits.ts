/**
 * Explicit limits on what one request may carry. Anything beyond gets code -400 with a
 * message naming the field, and changes nothing. Documented in docs/configuration.md "Limits".
 */
export const LIMITS = {
  /** Request body (form) size. */
  bodyBytes: 64 * 1024,
  /**
   * A body the registry does not take (past bodyBytes, or on a route that reads none) is still
   * read and dropped up to this size before the answer, so the answer leaves on a connection
   * that stays usable; past it the connection is dropped.
   */
  drainBytes: 1024 * 1024,
  /**
   * appid, env, zone, region, in UTF-8 bytes: they end up in socket tags and object names,
   * which the runtime measures in bytes (a tag holds 256).
   */
  idBytes: 128,
  /** hostname (DNS allows 253). */
  hostnameChars: 255,
  /** version. */
  versionChars: 256,
  /** Addresses per instance, and characters per address. */
  addrs: 32,
  addrChars: 512,
  /** Metadata JSON text per instance (or per set patch). */
  metadataBytes: 8 * 1024,
  /** appids in one fetchs, poll or polls. */
  appidsPerRequest: 50,
  /** hostnames in one set. */
  hostnamesPerSet: 100,
  /** Instances one application (appid + env) may hold. */
  instancesPerApp: 50_000,
  /** History entries each application keeps, and the most one history request may ask for. */
  historyRows: 1000,
  /**
   * How far past the server's clock a client's timestamp (`dirty_timestamp`, `set_timestamp`,
   * a cancel's `latest_timestamp`) is taken, in ms; a later one is taken as now plus this.
   */
  clockSkewMs: 60_000,
} as const
