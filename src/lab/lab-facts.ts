/**
 * What `lab up`, `lab status` and `lab down` read of a host: one `facts` round trip per host
 * (ps/HvGuest/Private/Facts.ps1), of which a lab uses the switches, NICs, IPv4 addresses,
 * NetNats, VMs and their adapters, and the lab records the host keeps.
 */
import type {HostFacts} from '../execute/host-facts.js'
import type {LabRecord} from './lab-record.js'

export type LabFacts = HostFacts

/** The host's record of a lab, or null when the host has none (or a damaged one: see facts.errors). */
export function recordOf(facts: LabFacts, lab: string): LabRecord | null {
  const found = (facts.labRecords ?? []).find((r) => r.name.toLowerCase() === lab.toLowerCase())
  return (found?.record as LabRecord | null | undefined) ?? null
}

export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

export {normalizeMac as normalMac, hostAdapterName} from '../resolve/network/resolve-adapters.js'
