/**
 * Reading an instance's addresses (`scheme://host:port`). The reference resolver dials the host
 * and port of the last address of the wanted scheme (docs/protocol.md); so does this.
 */
import type { Instance } from '../registry/model.ts'

/** A host (IPv6 without brackets) and a port. */
export interface HostPort {
  host: string
  port: number
}

/**
 * The host and port of the instance's last `<scheme>://` address (default `grpc`), or undefined
 * when it has none (or the last one has no usable port).
 *
 * @example
 * instanceAddress(instance, 'http') // { host: '10.0.0.5', port: 8000 } for "http://10.0.0.5:8000"
 */
export function instanceAddress(
  instance: Pick<Instance, 'addrs'>,
  scheme = 'grpc'
): HostPort | undefined {
  const prefix = `${scheme}://`
  for (let i = instance.addrs.length - 1; i >= 0; i--) {
    const addr = instance.addrs[i] as string
    if (addr.startsWith(prefix)) return hostPort(addr.slice(prefix.length))
  }
  return undefined
}

/**
 * `host:port` or `[v6]:port`, up to the first `/`, `?` or `#`. Parsed by hand: browsers did not
 * all parse the host of non-special URLs such as `grpc://` until recently.
 */
function hostPort(rest: string): HostPort | undefined {
  const authority = (rest.split(/[/?#]/, 1)[0] ?? '').replace(/^[^@]*@/, '')
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(authority)
  if (!match) return undefined
  const port = Number(match[3])
  if (port <= 0 || port > 65535) return undefined
  return { host: (match[1] ?? match[2]) as string, port }
}
