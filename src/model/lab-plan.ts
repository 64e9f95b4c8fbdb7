/**
 * The LabPlan JSON (`hvguest lab plan --json`): the networks a lab file declares, its guests in
 * the order they are created, and the ordinary Plan of every guest. Like the Plan, a stable
 * document: fields are added, never renamed; a field that does not apply is null, never missing.
 */
import type {SourceRef} from './diagnostic.js'
import type {Plan} from './plan.js'
import type {LabNetworkType} from './schemas.js'

export interface LabPlan {
  apiVersion: 'hvguest/v1'
  kind: 'LabPlan'
  lab: {name: string; description: string | null; prefix: string; file: string}
  networks: LabPlannedNetwork[]
  /** In dependsOn order (dependencies first), then file order. */
  guests: LabPlannedGuest[]
  /** The ordinary Plan of every lab guest; its diagnostics hold the lab-level ones too. */
  plan: Plan
}

export interface LabPlannedNetwork {
  /** As the lab file names it ("lan"). */
  name: string
  /** The host switch name: prefix + name, except type existing (name as is). */
  switch: string
  type: LabNetworkType
  subnet: string | null
  prefixLength: number | null
  /** Internal only: the host's address on vEthernet (<switch>). */
  gateway: string | null
  nat: boolean
  /** The NetNat name the lab would create: the switch name. */
  natName: string | null
  dns: string[]
  /** External: the physical NIC. */
  adapter: string | null
  allowManagementOS: boolean | null
  /** false for internal/private (no DHCP unless the host has one), null = unknown. */
  dhcp: boolean | null
  /** The hosts that hold a guest on it. */
  hosts: string[]
  source: SourceRef | null
}

export interface LabPlannedAdapter {
  network: string
  switch: string
  /** 12 hex digits, upper case. */
  macAddress: string
  /** CIDR; null = DHCP. */
  address: string | null
  gateway: string | null
  dns: string[]
}

export interface LabPlannedGuest {
  /** The VM name: the lab's prefix + the guest's expanded name. */
  name: string
  host: string
  template: string
  /** The VM names of the guests it waits for. */
  dependsOn: string[]
  adapters: LabPlannedAdapter[]
  source: SourceRef | null
}
