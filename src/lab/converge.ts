/**
 * Convergence: a lab's plan against what each host has (its facts), giving the difference that
 * `lab up` applies and `lab status` shows, and every host-side problem found before any change
 * (names the lab does not own, subnets and NATs that conflict, adapters that cannot be bound,
 * MACs in use). Pure: the facts were read before, in one round trip per host.
 */
import {report} from '../model/codes.js'
import type {Diagnostic} from '../model/diagnostic.js'
import type {LabPlan, LabPlannedGuest, LabPlannedNetwork} from '../model/lab-plan.js'
import type {PlannedGuest} from '../model/plan.js'
import {isWireless} from '../execute/host-facts.js'
import {holds, overlaps, parseIpv4Cidr, subnetText, type Ipv4Cidr} from '../util/ipv4.js'
import {hostAdapterName, normalMac, recordOf, sameName, type LabFacts} from './lab-facts.js'
import {guestShape, shapeDrift, type LabRecord} from './lab-record.js'

/** create: the lab makes it in this run. owned: an earlier run of the lab made it. existing: there before the lab; used, never changed. */
export type Ownership = 'create' | 'owned' | 'existing'

export interface NetworkChange {
  host: string
  network: LabPlannedNetwork
  switch: Ownership
  /** The host has a switch of that name now (false for one to create, or an existing one that is missing). */
  found: boolean
  switchId: string | null
  /** The gateway address on vEthernet (<switch>); none: the network has no gateway. */
  address: Ownership | 'none'
  /** reuse: a NetNat that was there already holds the subnet. */
  nat: 'create' | 'owned' | 'reuse' | 'none'
  natName: string | null
  natPrefix: string | null
  /** What differs from the plan on a switch the lab made (reported, left alone). */
  drift: string[]
}

export interface GuestChange {
  host: string
  guest: LabPlannedGuest
  planned: PlannedGuest
  /** exists: made by the lab, matches its plan. drift: made by the lab, differs (left alone). recreate: drift or not, --recreate names it. */
  action: 'create' | 'exists' | 'drift' | 'recreate'
  vmId: string | null
  state: string | null
  drift: string[]
}

export interface HostConvergence {
  host: string
  record: LabRecord | null
  networks: NetworkChange[]
  guests: GuestChange[]
}

export interface LabConvergence {
  hosts: HostConvergence[]
  problems: Diagnostic[]
  /** Nothing to create, recreate or record on any host. */
  unchanged: boolean
}

export interface ConvergeOptions {
  recreate?: string[]
}

const isServer = (os: string): boolean => !/^windows-1[01]$/.test(os)

export function converge(labPlan: LabPlan, factsByHost: Map<string, LabFacts>, hostOs: Map<string, string>, opts: ConvergeOptions = {}): LabConvergence {
  const problems: Diagnostic[] = []
  const recreate = new Set((opts.recreate ?? []).map((n) => n.toLowerCase()))
  const hosts: HostConvergence[] = []
  const plannedByName = new Map(labPlan.plan.guests.map((g) => [`${g.host}/${g.name}`.toLowerCase(), g]))
  for (const [host, facts] of factsByHost) {
    const record = recordOf(facts, labPlan.lab.name)
    // A damaged record: what the lab made there cannot be told from what it did not.
    const damaged = (facts.labRecords ?? []).some((r) => sameName(r.name, labPlan.lab.name) && r.record === null)
    if (damaged) {
      const why = (facts.errors ?? []).find((e) => e.fact === 'labRecords')?.message ?? 'it cannot be read'
      problems.push(report('lab-record-damaged', `host ${host}: the record of lab ${labPlan.lab.name} cannot be read (${why}); nothing is changed until it is repaired or removed`, {host}))
    }
    // What earlier networks of the lab claim on this host in the same run: a NetNat, a NIC.
    const claimed: Claimed = {nats: [], nics: []}
    const networks = labPlan.networks.filter((n) => n.hosts.includes(host)).map((n) => convergeNetwork(labPlan, n, host, facts, record, hostOs.get(host) ?? '', claimed, problems))
    const guests = labPlan.guests
      .filter((g) => g.host === host)
      .map((g) => convergeGuest(labPlan, g, plannedByName.get(`${host}/${g.name}`.toLowerCase())!, facts, record, recreate.has(g.name.toLowerCase()), problems))
    hosts.push({host, record, networks, guests})
  }
  const changes = hosts.some((h) => h.networks.some((n) => n.switch === 'create' || n.address === 'create' || n.nat === 'create') || h.guests.some((g) => g.action === 'create' || g.action === 'recreate'))
  return {hosts, problems, unchanged: !changes}
}

interface Claimed {
  nats: Array<{name: string; prefix: string}>
  nics: string[]
}

function convergeNetwork(labPlan: LabPlan, n: LabPlannedNetwork, host: string, facts: LabFacts, record: LabRecord | null, os: string, claimed: Claimed, problems: Diagnostic[]): NetworkChange {
  const server = isServer(os)
  const lab = labPlan.lab.name
  const at = {host, source: n.source ?? undefined}
  const sw = facts.switches.find((s) => sameName(s.name, n.switch))
  const change: NetworkChange = {host, network: n, switch: 'create', found: sw !== undefined, switchId: null, address: 'none', nat: 'none', natName: null, natPrefix: null, drift: []}
  const recorded = record?.switches.find((s) => sameName(s.name, n.switch))
  if (n.type === 'existing') {
    change.switch = 'existing'
    if (!sw) problems.push(report('lab-network-unknown', `network ${n.name}: host ${host} has no switch named "${n.switch}" (type existing: the lab only uses it)`, at))
    else change.switchId = sw.id ?? null
    return change
  }
  if (sw) {
    const ours = (recorded?.created === true && (!recorded.id || !sw.id || sameName(recorded.id, sw.id))) || sw.notes === `hvguest lab=${lab}`
    if (!ours) problems.push(report('lab-name-taken', `network ${n.name}: host ${host} has a switch named "${n.switch}" that lab ${lab} did not create; rename the network or set spec.prefix, or use type: existing to use it`, at))
    change.switch = ours ? 'owned' : 'existing'
    change.switchId = sw.id ?? null
    if (ours && !sameName(sw.type, n.type)) change.drift.push(`type ${sw.type}, planned ${n.type}`)
  } else if (n.type === 'external') {
    checkExternalAdapter(n, host, facts, problems)
    if (n.adapter && claimed.nics.some((x) => sameName(x, n.adapter!))) {
      problems.push(report('lab-adapter-unavailable', `network ${n.name}: "${n.adapter}" on host ${host} is already bound by another external network of this lab (one external switch per adapter)`, {host, source: n.source ?? undefined}))
    }
    if (n.adapter) claimed.nics.push(n.adapter)
  }

  if (n.type === 'internal' && n.subnet && n.gateway && n.prefixLength !== null) {
    const subnet = parseIpv4Cidr(n.subnet)!
    const alias = hostAdapterName(n.switch)
    const addresses = facts.ipAddresses ?? []
    const onOwn = change.switch === 'create' ? undefined : addresses.find((a) => sameName(a.interfaceAlias, alias) && a.ipAddress === n.gateway)
    change.address = onOwn ? (record?.addresses.some((a) => a.ipAddress === n.gateway && a.created) ? 'owned' : 'existing') : 'create'
    if (onOwn && onOwn.prefixLength !== n.prefixLength) change.drift.push(`gateway ${n.gateway}/${onOwn.prefixLength}, planned /${n.prefixLength}`)
    for (const a of addresses) {
      if (sameName(a.interfaceAlias, alias)) continue
      const net = parseIpv4Cidr(`${a.ipAddress}/${a.prefixLength}`)
      if (net && overlaps(net, subnet)) {
        problems.push(report('lab-subnet-conflict', `network ${n.name}: subnet ${n.subnet} overlaps ${a.ipAddress}/${a.prefixLength} on "${a.interfaceAlias}" of host ${host}; choose another subnet`, at))
      }
    }
    if (n.nat) {
      // The NetNats the host has, and the ones earlier networks of this lab make in the same run.
      const nats = facts.netNats === null || facts.netNats === undefined ? null : [...facts.netNats, ...claimed.nats]
      convergeNat(change, n, subnet, host, {...facts, netNats: nats}, record, server, os, problems)
      if (change.nat === 'create' && change.natName && change.natPrefix) claimed.nats.push({name: change.natName, prefix: change.natPrefix})
    }
  }
  return change
}

function convergeNat(change: NetworkChange, n: LabPlannedNetwork, subnet: Ipv4Cidr, host: string, facts: LabFacts, record: LabRecord | null, server: boolean, os: string, problems: Diagnostic[]): void {
  const at = {host, source: n.source ?? undefined}
  if (facts.netNats === null || facts.netNats === undefined) {
    problems.push(report('lab-nat-conflict', `network ${n.name}: host ${host} cannot be asked for its NetNats (no NetNat module: Windows Server 2012 has none); set nat: false`, at))
    return
  }
  // 2012 R2's New-NetNat has no -InternalIPInterfaceAddressPrefix: WinNAT for an internal
  // switch came with Windows Server 2016 and Windows 10.
  if (/^windows-server-2012/.test(os)) {
    problems.push(report('lab-nat-conflict', `network ${n.name}: host ${host} (${os}) cannot NAT an internal switch (New-NetNat -InternalIPInterfaceAddressPrefix needs Windows Server 2016 or Windows 10); set nat: false`, at))
    return
  }
  const holding = facts.netNats.find((x) => {
    const p = parseIpv4Cidr(x.prefix)
    return p !== null && holds(p, subnet)
  })
  if (holding) {
    const ours = record?.nats.some((x) => sameName(x.name, holding.name) && x.created) ?? false
    change.nat = ours ? 'owned' : 'reuse'
    change.natName = holding.name
    change.natPrefix = holding.prefix
    return
  }
  const overlapping = facts.netNats.find((x) => {
    const p = parseIpv4Cidr(x.prefix)
    return p !== null && overlaps(p, subnet)
  })
  if (overlapping) {
    problems.push(report('lab-nat-conflict', `network ${n.name}: NetNat "${overlapping.name}" (${overlapping.prefix}) on host ${host} overlaps ${n.subnet} without holding it`, at))
    return
  }
  if (server && facts.netNats.length > 0) {
    problems.push(report('lab-nat-conflict', `network ${n.name}: host ${host} has NetNat "${facts.netNats[0].name}" (${facts.netNats[0].prefix}) and Windows Server allows one NetNat per host; use a subnet inside ${facts.netNats[0].prefix}, or set nat: false`, at))
    return
  }
  change.nat = 'create'
  change.natName = n.natName
  change.natPrefix = subnetText(subnet)
}

function checkExternalAdapter(n: LabPlannedNetwork, host: string, facts: LabFacts, problems: Diagnostic[]): void {
  const at = {host, source: n.source ?? undefined}
  const nic = facts.nics.find((x) => !x.virtual && n.adapter !== null && sameName(x.name, n.adapter))
  const physical = facts.nics.filter((x) => !x.virtual).map((x) => x.name)
  if (!nic) {
    problems.push(report('lab-adapter-unavailable', `network ${n.name}: host ${host} has no physical adapter named "${n.adapter}" (it has: ${physical.join(', ') || 'none'})`, at))
    return
  }
  if (isWireless(nic)) problems.push(report('lab-adapter-unavailable', `network ${n.name}: "${nic.name}" on host ${host} is a wireless adapter; an external switch on Wi-Fi breaks the host's network (Hyper-V bridges it, and most Wi-Fi drivers drop frames of other MACs)`, at))
  else if (!/^up$/i.test(nic.status)) problems.push(report('lab-adapter-unavailable', `network ${n.name}: "${nic.name}" on host ${host} is ${nic.status}, not Up`, at))
  const bound = facts.switches.find((s) => s.nics.some((x) => sameName(x, nic.name)) || s.nicDescriptions.includes(nic.interfaceDescription))
  if (bound) problems.push(report('lab-adapter-unavailable', `network ${n.name}: "${nic.name}" on host ${host} is already bound to switch "${bound.name}" (one external switch per adapter)`, at))
}

function convergeGuest(labPlan: LabPlan, g: LabPlannedGuest, planned: PlannedGuest, facts: LabFacts, record: LabRecord | null, recreate: boolean, problems: Diagnostic[]): GuestChange {
  const host = planned.host
  const at = {host, guest: g.name, source: g.source ?? undefined}
  const vm = facts.vms.find((v) => sameName(v.name, g.name))
  const recorded = record?.guests.find((x) => sameName(x.name, g.name))
  const change: GuestChange = {host, guest: g, planned, action: 'create', vmId: recorded?.id ?? null, state: vm?.state ?? null, drift: []}
  const ownMacs = new Set((recorded?.macAddresses ?? []).map(normalMac))
  for (const a of g.adapters) {
    const mac = normalMac(a.macAddress)
    const user = (facts.vmAdapters ?? []).find((x) => normalMac(x.macAddress) === mac && !(vm && sameName(x.vm, vm.name) && ownMacs.has(mac)))
    if (user) problems.push(report('lab-mac-conflict', `guest ${g.name}: MAC ${a.macAddress} is already used by VM "${user.vm}" on host ${host}`, at))
  }
  if (!vm) return change
  if (!recorded) {
    problems.push(report('lab-name-taken', `guest ${g.name}: host ${host} has a VM named "${vm.name}" that lab ${labPlan.lab.name} did not create; rename the guest or set spec.prefix`, at))
    change.action = 'exists'
    return change
  }
  change.drift = shapeDrift(recorded.shape, guestShape(planned))
  for (const a of g.adapters) {
    const live = (facts.vmAdapters ?? []).find((x) => sameName(x.vm, vm.name) && normalMac(x.macAddress) === normalMac(a.macAddress))
    if (!live) change.drift.push(`no adapter with MAC ${a.macAddress}`)
    else if (!sameName(live.switch ?? '', a.switch)) change.drift.push(`adapter ${a.macAddress} on ${live.switch ?? 'no switch'}, planned ${a.switch}`)
  }
  change.action = recreate ? 'recreate' : change.drift.length > 0 ? 'drift' : 'exists'
  return change
}
