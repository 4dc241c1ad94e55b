export interface LocalRegistryOptions {
  /** Variables to override (strings, as wrangler passes them). */
  vars?: Record<string, string>
  /** Directory for Durable Object state; omitted = in memory, gone on stop. */
  persistDir?: string
  /** Port to listen on; 0 (default) = any free port. */
  port?: number
  /** Rate limits per binding (requests per 60 s); default: wrangler.toml's. */
  ratelimits?: Record<string, number>
}
export interface LocalRegistry {
  /** e.g. http://127.0.0.1:43121 */
  url: string
  /** host:port */
  host: string
  stop(): Promise<void>
}
/** The settings of wrangler.toml that Miniflare needs (a tiny reader for this one file). */
export declare function readWranglerToml(): {
  compatibilityDate: string
  compatibilityFlags: string[]
  vars: Record<string, string>
  ratelimits: Record<string, number>
}
export declare function startRegistry(options?: LocalRegistryOptions): Promise<LocalRegistry>
