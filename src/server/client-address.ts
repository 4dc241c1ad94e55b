/**
 * The key a client address is counted under (rate limits, held polls, sessions). An IPv6 client
 * usually owns a whole /64 and can pick any address in it, so IPv6 is counted by its /64;
 * IPv4 (and IPv4-mapped IPv6) by the address. Anything else is kept as sent, shortened.
 */

/** The longest key kept for a value that is not an IP address (it becomes a socket tag). */
const MAX_OTHER = 64

/** The counting key of `address` (the client's `cf-connecting-ip`). */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  if (mapped?.[1]) return mapped[1]
  if (!address.includes(':')) return address.slice(0, MAX_OTHER)
  const groups = ipv6Groups(address)
  if (!groups) return address.slice(0, MAX_OTHER)
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`
}

/** The eight hex groups of an IPv6 address (`::` expanded), or undefined when it is not one. */
function ipv6Groups(address: string): string[] | undefined {
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const part = (text: string | undefined) => (text ? text.split(':') : [])
  const head = part(halves[0])
  const tail = part(halves.length === 1 ? undefined : halves[1])
  // a trailing dotted IPv4 (`64:ff9b::192.0.2.1`) is the last two groups
  const last = halves.length === 1 ? head : tail
  const dotted = last.at(-1)?.split('.')
  if (dotted && dotted.length === 4) {
    const [a, b, c, d] = dotted.map(Number) as [number, number, number, number]
    last.splice(-1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16))
  }
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail]
  return groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? groups : undefined
}
