/** IPv4 arithmetic for lab networks: addresses as 32-bit numbers, subnets as (network, prefix). */

export interface Ipv4Net {
  network: number
  prefixLength: number
}

export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim())
  if (!m) return null
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return null
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]
}

export const formatIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')

const maskOf = (prefixLength: number): number => (prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0)

/** `10.1.2.3/24` → the network holding it (10.1.2.0/24); null when it is not an IPv4 CIDR. */
export function parseCidr(text: string): Ipv4Net | null {
  const [addr, len, ...rest] = text.trim().split('/')
  if (rest.length || len === undefined || !/^\d{1,2}$/.test(len)) return null
  const a = parseIpv4(addr)
  const prefixLength = Number(len)
  if (a === null || prefixLength > 32) return null
  return {network: (a & maskOf(prefixLength)) >>> 0, prefixLength}
}

export const netOf = (address: string, prefixLength: number): Ipv4Net | null => parseCidr(`${address}/${prefixLength}`)

export const formatNet = (n: Ipv4Net): string => `${formatIpv4(n.network)}/${n.prefixLength}`

/** Whether `outer` holds every address of `inner`. */
export function holds(outer: Ipv4Net, inner: Ipv4Net): boolean {
  return outer.prefixLength <= inner.prefixLength && ((inner.network & maskOf(outer.prefixLength)) >>> 0) === outer.network
}

export const overlaps = (a: Ipv4Net, b: Ipv4Net): boolean => holds(a, b) || holds(b, a)
