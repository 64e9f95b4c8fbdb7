/**
 * Static IPv4 settings of guest adapters (spec networkAdapters[].addresses, gateway, dns). The
 * first-boot media configure an adapter by its MAC address (templates/firstboot/README.md,
 * "Static IPv4 addresses"), so the settings need one; then the settings must fit together, and
 * no address may be given twice in a run.
 */
import {report} from '../model/codes.js'
import type {Diagnostic} from '../model/diagnostic.js'
import {broadcastOf, formatIpv4, inSubnet, networkOf, parseIpv4, parseIpv4Cidr} from '../util/ipv4.js'
import type {GuestRule, RunRule} from './types.js'

export const addressNeedsMacRule: GuestRule = ({guest, locate}) =>
  guest.networkAdapters.flatMap((a, i) => {
    const ip = a.ipConfig
    if (!ip || a.macAddress !== null || (ip.addresses.length === 0 && ip.dns.length === 0)) return []
    const key = ip.addresses.length > 0 ? 'addresses' : 'dns'
    return [
      report(
        'network-address-needs-mac',
        `adapter "${a.name}" has static IPv4 settings (${key}) but no macAddress: the first-boot media find the adapter by its MAC address, so give it one (macAddress: 00-15-5D-xx-xx-xx)`,
        {guest: guest.name, source: locate(['spec', 'networkAdapters', i, key])},
      ),
    ]
  })

export const addressFitRule: GuestRule = ({guest, locate}) => {
  const out: Diagnostic[] = []
  guest.networkAdapters.forEach((a, i) => {
    const ip = a.ipConfig
    if (!ip) return
    const at = (...path: Array<string | number>) => locate(['spec', 'networkAdapters', i, ...path])
    const label = `adapter "${a.name}"`
    const cidrs = ip.addresses.map((text) => ({text, cidr: parseIpv4Cidr(text)}))
    cidrs.forEach(({text, cidr}, j) => {
      // /31 and /32 have no network or broadcast address to avoid (RFC 3021 point-to-point, a host route)
      if (!cidr || cidr.prefixLength > 30) return
      const value = parseIpv4(cidr.address)
      const which = value === networkOf(cidr) ? 'network' : value === broadcastOf(cidr) ? 'broadcast' : null
      if (which) {
        out.push(
          report('network-address-invalid', `${label}: ${text} is the ${which} address of its subnet ${formatIpv4(networkOf(cidr))}/${cidr.prefixLength}; give the guest an address inside it`, {
            guest: guest.name,
            source: at('addresses', j),
          }),
        )
      }
    })
    if (ip.gateway === null) return
    if (cidrs.length === 0) {
      out.push(
        report('network-address-invalid', `${label}: a gateway (${ip.gateway}) needs static addresses; a DHCP adapter gets its gateway from DHCP, so remove gateway or add addresses`, {
          guest: guest.name,
          source: at('gateway'),
        }),
      )
      return
    }
    if (cidrs.some(({cidr}) => cidr?.address === ip.gateway)) {
      out.push(report('network-address-invalid', `${label}: the gateway ${ip.gateway} is one of the adapter's own addresses; the gateway is the router's address`, {guest: guest.name, source: at('gateway')}))
    } else if (!cidrs.some(({cidr}) => cidr !== null && inSubnet(ip.gateway!, cidr))) {
      const subnets = cidrs.flatMap(({cidr}) => (cidr ? [`${formatIpv4(networkOf(cidr))}/${cidr.prefixLength}`] : []))
      out.push(
        report('network-address-invalid', `${label}: the gateway ${ip.gateway} is outside the adapter's subnet (${subnets.join(', ')}), so the guest could not reach it`, {
          guest: guest.name,
          source: at('gateway'),
        }),
      )
    }
  })
  return out
}

/**
 * What the guest's first boot can carry: nothing without first-boot media; one address per
 * adapter with kickstart (anaconda's network command has a single --ip).
 */
export const addressFirstBootRule: GuestRule = ({guest, locate}) =>
  guest.networkAdapters.flatMap((a, i) => {
    const ip = a.ipConfig
    if (!ip || (ip.addresses.length === 0 && ip.dns.length === 0)) return []
    const source = locate(['spec', 'networkAdapters', i, ip.addresses.length > 0 ? 'addresses' : 'dns'])
    if (guest.firstBoot === null) {
      return [
        report('network-address-unsupported', `adapter "${a.name}" has static IPv4 settings, but the guest has no first-boot media (firstBoot) to apply them; the guest uses whatever its image configures`, {
          guest: guest.name,
          source,
        }),
      ]
    }
    if (guest.firstBoot.kind === 'kickstart' && ip.addresses.length > 1) {
      return [
        report(
          'network-address-unsupported',
          `adapter "${a.name}" has ${ip.addresses.length} addresses, but kickstart's network command takes one per adapter: the installer configures ${ip.addresses[0]} only (add the others in %post)`,
          {guest: guest.name, source: locate(['spec', 'networkAdapters', i, 'addresses', 1])},
        ),
      ]
    }
    return []
  })

export const duplicateAddressRule: RunRule = (guests) => {
  const seen = new Map<string, string>()
  const out: Diagnostic[] = []
  for (const g of guests) {
    g.guest.networkAdapters.forEach((a, i) => {
      a.ipConfig?.addresses.forEach((text, j) => {
        const address = parseIpv4Cidr(text)?.address
        if (address === undefined) return
        const here = `${g.guest.name}/${a.name}`
        const first = seen.get(address)
        if (first === undefined) {
          seen.set(address, here)
          return
        }
        out.push(
          report(
            'network-address-duplicate',
            `${address} is given to both ${first} and ${here}; each adapter needs its own address (with --count or a counted guest, write the address with {{index}}, e.g. 10.200.1.2{{index}}/24)`,
            {guest: g.guest.name, source: g.locate(['spec', 'networkAdapters', i, 'addresses', j])},
          ),
        )
      })
    })
  }
  return out
}
