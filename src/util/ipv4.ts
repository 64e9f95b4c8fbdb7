/**
 * IPv4 arithmetic for static addressing: parsing dotted quads and CIDR, prefix ↔ netmask, and
 * whether an address lies in a subnet. Values are checked by the file schemas before they get
 * here, so a parse that fails returns null instead of throwing.
 */

/** One octet 0-255 without leading zeros (as zod's ipv4 format and Windows read it). */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])'
const IPV4_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`)

export interface Ipv4Cidr {
  /** The address as written, without the prefix: "10.200.1.10". */
  address: string
  prefixLength: number
}

/** "10.200.1.10" → its 32-bit value (unsigned), or null when it is not a dotted quad. */
export function parseIpv4(text: string): number | null {
  if (!IPV4_RE.test(text)) return null
  return text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0)
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')
}

/** "10.200.1.10/24" → {address, prefixLength}, or null. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | null {
  const slash = text.indexOf('/')
  if (slash < 0) return null
  const address = text.slice(0, slash)
  const prefix = text.slice(slash + 1)
  if (parseIpv4(address) === null || !/^(3[0-2]|[12]?[0-9])$/.test(prefix)) return null
  return {address, prefixLength: Number(prefix)}
}

/** 24 → 4294967040 (255.255.255.0). */
function maskValue(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff - (2 ** (32 - prefixLength) - 1))
}

/** 24 → "255.255.255.0" (kickstart's --netmask). */
export function prefixToNetmask(prefixLength: number): string {
  return formatIpv4(maskValue(prefixLength))
}

/** The network address of an address's subnet: 10.200.1.10/24 → 10.200.1.0. */
export function networkOf(cidr: Ipv4Cidr): number {
  const value = parseIpv4(cidr.address) ?? 0
  return value - (value % 2 ** (32 - cidr.prefixLength))
}

/** The broadcast address of an address's subnet: 10.200.1.10/24 → 10.200.1.255. */
export function broadcastOf(cidr: Ipv4Cidr): number {
  return networkOf(cidr) + 2 ** (32 - cidr.prefixLength) - 1
}

/** Whether `address` (a dotted quad) lies in the subnet of `cidr`. */
export function inSubnet(address: string, cidr: Ipv4Cidr): boolean {
  const value = parseIpv4(address)
  if (value === null) return false
  return value >= networkOf(cidr) && value <= broadcastOf(cidr)
}

/** Whether two subnets share an address (either holds the other: subnets nest or are apart). */
export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return networkOf(a) <= broadcastOf(b) && networkOf(b) <= broadcastOf(a)
}

/** Whether every address of `inner` lies in `outer`. */
export function holds(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return outer.prefixLength <= inner.prefixLength && networkOf(outer) <= networkOf(inner) && broadcastOf(inner) <= broadcastOf(outer)
}

/** The subnet of an address, as a NetNat prefix reads: 10.200.1.10/24 → "10.200.1.0/24". */
export function subnetText(cidr: Ipv4Cidr): string {
  return `${formatIpv4(networkOf(cidr))}/${cidr.prefixLength}`
}
