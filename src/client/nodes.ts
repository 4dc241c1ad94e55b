/**
 * The registry nodes a client talks to (docs/protocol.md): the seed addresses it was given,
 * replaced by the registry's own list once `infra.discovery` names it, shuffled so clients
 * spread over them. A failure moves to the next node; when every known node has failed in a
 * row the seeds are added back. Callers reset their poll cursors when `current()` changes.
 */
import type { Instance } from '../registry/model.ts'
import { DiscoveryConfigError } from './errors.ts'
import { checkString, shown } from './option-checks.ts'
import { zoneCandidates } from './picker.ts'

/** One registry node. */
export interface RegistryNode {
  /** Base URL without a trailing slash: `http://10.0.0.1:7171`, `https://d.example.com/t/…`. */
  readonly url: string
  /** `host:port` with the port always written: the node's identity. */
  readonly key: string
  /** A token given in the address as `token@host:port` (sent as a Bearer token, not in the URL). */
  readonly token?: string
}

/**
 * Parse a node address: `host:port` (http; https for port 443, as a deployed registry's `NODES`
 * lists it), or an `http://` / `https://` URL, optionally with a path prefix and a `token@` user
 * part. Throws DiscoveryConfigError.
 */
export function parseNode(address: string): RegistryNode {
  checkString('node address', address, { empty: true })
  const text = address.trim()
  const refuse = (why: string, cause?: unknown) =>
    new DiscoveryConfigError(`node address ${JSON.stringify(address)} ${why}`, { cause })
  const host = writtenHost(text)
  if (host === '') throw refuse(`has no host (write host:port, such as ${EXAMPLE_NODE})`)
  let url: URL
  try {
    url = new URL(text.includes('://') ? text : `http://${text}`)
    if (!text.includes('://') && url.port === '443') url = new URL(`https://${text}`)
  } catch (cause) {
    throw refuse('is not host:port or a URL', cause)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refuse('is not http or https (the only schemes a registry speaks)')
  }
  // URL reads a bare number as an IPv4 address: "7171" would be 0.0.28.3, port 80.
  if (IPV4.test(url.hostname) && url.hostname !== host) {
    const read = `${JSON.stringify(host)} would be read as the IPv4 address ${url.hostname}`
    throw refuse(`has no usable host: ${read} (write host:port, such as ${EXAMPLE_NODE})`)
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const token = decodeURIComponent(url.username || url.password) || undefined
  const path = url.pathname.replace(/\/+$/, '')
  const node = { url: `${url.protocol}//${url.host}${path}`, key: `${url.hostname}:${port}` }
  return token === undefined ? node : { ...node, token }
}

/**
 * Parse a list of addresses: an array, or one comma-separated string. Throws
 * DiscoveryConfigError naming `option` (where the list came from) and the entry at fault.
 */
export function parseNodes(
  addresses: string | readonly string[],
  option = 'nodes'
): RegistryNode[] {
  if (typeof addresses !== 'string' && !Array.isArray(addresses)) {
    const expected = 'host:port addresses or URLs, as a list or one comma-separated string'
    throw new DiscoveryConfigError(`${option} must be ${expected}, got ${shown(addresses)}`)
  }
  const list: readonly unknown[] = typeof addresses === 'string' ? addresses.split(',') : addresses
  return list.flatMap((address, i) => {
    if (typeof address !== 'string') {
      throw new DiscoveryConfigError(`${option}[${i}] must be a string, got ${shown(address)}`)
    }
    if (address.trim() === '') return []
    try {
      return [parseNode(address)]
    } catch (error) {
      if (!(error instanceof DiscoveryConfigError)) throw error
      throw new DiscoveryConfigError(`${option}: ${error.message}`, { cause: error.cause })
    }
  })
}

const EXAMPLE_NODE = '127.0.0.1:7171'
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/

/** The host as written: without scheme, user part, port, path; '' when there is none. */
function writtenHost(text: string): string {
  const rest = text.replace(/^[a-z][a-z\d+.-]*:\/\//i, '')
  const authority = (rest.split(/[/?#]/, 1)[0] ?? '').replace(/^.*@/, '')
  if (authority.startsWith('[')) return authority.replace(/\].*$/, ']')
  return authority.split(':', 1)[0] ?? ''
}

/**
 * The nodes `infra.discovery` lists for a client in `zone` (all zones when it has none there):
 * the host:port of each `http(s)://` address. A node that matches a seed keeps the seed's form
 * (scheme, path prefix, token): the registry only knows `host:port`.
 */
export function nodesFromInfra(
  instances: readonly Instance[],
  zone: string,
  seeds: readonly RegistryNode[]
): RegistryNode[] {
  const chosen = zoneCandidates(instances, zone, () => true)
  const nodes = new Map<string, RegistryNode>()
  for (const instance of chosen) {
    for (const addr of instance.addrs) {
      const node = infraNode(addr, seeds)
      if (node && !nodes.has(node.key)) nodes.set(node.key, node)
    }
  }
  return [...nodes.values()]
}

function infraNode(addr: string, seeds: readonly RegistryNode[]): RegistryNode | undefined {
  // Other schemes (the registry's `http+token://`) mean "keep using the address you were given".
  if (!/^https?:\/\//.test(addr)) return undefined
  let url: URL
  try {
    url = new URL(addr)
  } catch {
    return undefined
  }
  const learned = parseNode(`${url.protocol}//${url.host}`)
  const sameKey = seeds.find((s) => s.key === learned.key)
  if (sameKey) return sameKey
  // The registry writes the host it was reached at; without a port that may be an https seed.
  const sameHost =
    url.port === '' ? seeds.find((s) => s.key.startsWith(`${url.hostname}:`)) : undefined
  if (sameHost) return sameHost
  return url.port === '443' ? parseNode(`https://${url.host}`) : learned
}

/** The rotating list of nodes: which one to use now, and what to do after a failure. */
export class NodeList {
  readonly #seeds: readonly RegistryNode[]
  readonly #random: () => number
  #list: RegistryNode[]
  #index = 0
  #failures = 0

  constructor(seeds: readonly RegistryNode[], random: () => number) {
    if (seeds.length === 0) {
      throw new DiscoveryConfigError('no registry node given (nodes, or DISCOVERY_NODES)')
    }
    this.#seeds = seeds
    this.#random = random
    this.#list = shuffle(seeds, random)
  }

  /** The node to send the next request to. */
  current(): RegistryNode {
    return this.#list[this.#index % this.#list.length] as RegistryNode
  }

  /** Every node currently known, in rotation order. */
  get nodes(): readonly RegistryNode[] {
    return this.#list
  }

  /** A request to `node` failed: move to the next node (unless another caller already did). */
  failed(node: RegistryNode): void {
    if (this.current().key !== node.key) return
    this.#failures += 1
    if (this.#failures >= this.#list.length) {
      // Every known node failed in a row: the registry's list may be stale, try the seeds too.
      const missing = this.#seeds.filter((s) => !this.#list.some((n) => n.key === s.key))
      this.#list = [...this.#list, ...missing]
    }
    this.#index = (this.#index + 1) % this.#list.length
  }

  /** A request to `node` got an answer. */
  succeeded(node: RegistryNode): void {
    if (this.current().key === node.key) this.#failures = 0
  }

  /**
   * Use the registry's own list from now on. Ignored when empty or unchanged; keeps the current
   * node when it is still listed (so poll cursors stay valid). Returns whether the list changed.
   */
  learn(nodes: readonly RegistryNode[]): boolean {
    if (nodes.length === 0) return false
    const known = new Set(this.#list.map((n) => n.key))
    if (nodes.length === known.size && nodes.every((n) => known.has(n.key))) return false
    const current = this.current()
    this.#list = shuffle(nodes, this.#random)
    this.#index = Math.max(
      0,
      this.#list.findIndex((n) => n.key === current.key)
    )
    this.#failures = 0
    return true
  }
}

/** Fisher–Yates over a copy. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
