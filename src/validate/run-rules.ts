/**
 * Rules across the whole run: guest names per host, static MACs, and virtual switch names
 * against what the inventory says each host (and every node of its cluster) has. Live
 * Migration needs the same switch name on every node (docs/hyperv-facts.md, 'Switch names in a cluster' [HCI][ATC]).
 */
import {report} from '../model/codes.js'
import type {GuestRule, RunRule} from './types.js'
import type {Diagnostic} from '../model/diagnostic.js'
import {checkGuestName} from '../render/guest-names.js'

/**
 * The computer name is what NetBIOS and DNS see (15 characters for Windows). It is the VM name
 * unless spec.hostname sets it; the VM name then needs only to be a usable host and folder
 * name, without the NetBIOS limit.
 */
export const guestNameRule: GuestRule = ({guest, spec, locate}) => {
  if (spec.hostname === undefined) return checkGuestName(guest.name, guest.os.family)
  return [
    ...checkGuestName(guest.name, 'linux'),
    ...checkGuestName(spec.hostname, guest.os.family, locate(['spec', 'hostname'])).map((d) => ({...d, guest: guest.name, message: `hostname: ${d.message}`})),
  ]
}

export const duplicateNameRule: RunRule = (guests) => {
  const seen = new Set<string>()
  const out: Diagnostic[] = []
  for (const g of guests) {
    const key = `${g.guest.host.toLowerCase()}\u0000${g.guest.name.toLowerCase()}`
    if (seen.has(key)) {
      out.push(report('name-duplicate', `two guests of this run are named "${g.guest.name}" on host ${g.guest.host}`, {guest: g.guest.name}))
    }
    seen.add(key)
  }
  return out
}

export const duplicateMacRule: RunRule = (guests) => {
  const seen = new Map<string, string>()
  const out: Diagnostic[] = []
  for (const g of guests) {
    g.guest.networkAdapters.forEach((a, i) => {
      if (!a.macAddress) return
      const first = seen.get(a.macAddress)
      const here = `${g.guest.name}/${a.name}`
      if (first) {
        out.push(
          report('mac-address-duplicate', `MAC ${a.macAddress} is given to both ${first} and ${here}; with --count, leave macAddress unset (dynamic MACs)`, {
            guest: g.guest.name,
            source: g.locate(['spec', 'networkAdapters', i, 'macAddress']),
          }),
        )
      } else seen.set(a.macAddress, here)
    })
  }
  return out
}

export const switchNameRule: RunRule = (guests, targets) => {
  const out: Diagnostic[] = []
  const inventoryHosts = targets.inventory?.hosts ?? []
  for (const g of guests) {
    const host = g.host
    g.guest.networkAdapters.forEach((a, i) => {
      const source = g.locate(['spec', 'networkAdapters', i, 'switch'])
      if (host.switches && !host.switches.some((s) => s.toLowerCase() === a.switch.toLowerCase())) {
        out.push(
          report('switch-name-mismatch', `adapter "${a.name}" uses switch "${a.switch}", which host ${host.name} does not have (it has: ${host.switches.join(', ') || 'none'})`, {
            guest: g.guest.name,
            source,
          }),
        )
        return
      }
      if (!host.cluster) return
      const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
      const missing = inventoryHosts
        .filter((h) => h.cluster !== undefined && same(h.cluster, host.cluster!) && !same(h.name, host.name) && h.switches)
        .filter((h) => !h.switches!.some((s) => s.toLowerCase() === a.switch.toLowerCase()))
        .map((h) => h.name)
      if (missing.length > 0) {
        out.push(
          report(
            'switch-name-mismatch',
            `switch "${a.switch}" is missing on cluster ${host.cluster} node(s) ${missing.join(', ')}: the guest could not live-migrate or fail over there. Give the switch the same name on every node`,
            {guest: g.guest.name, source, severity: 'warning'},
          ),
        )
      }
    })
  }
  return out
}
