/**
 * `hvguest lab plan`: a lab file → its networks, its guests in the order they are created, and
 * the ordinary Plan of every guest, through the same stages as `hvguest plan`
 * (src/plan/build-plan.ts). Nothing here asks a host: the checks are those the lab file alone
 * decides (addresses, subnets, NAT, dependencies, networks); what a host must say (names taken,
 * NICs, NetNats) is checked by `lab up` against its facts.
 */
import {createHash} from 'node:crypto'
import {basename, dirname, resolve} from 'node:path'
import type {Diagnostic, SourceRef} from '../model/diagnostic.js'
import {report} from '../model/codes.js'
import type {HostOs} from '../model/host-os.js'
import type {LabPlan, LabPlannedAdapter, LabPlannedGuest, LabPlannedNetwork} from '../model/lab-plan.js'
import type {PlannedPlacement} from '../model/plan.js'
import type {GuestSpec, Lab, LabGuest, NetworkAdapter} from '../model/schemas.js'
import type {DocPath, Locate} from '../model/source.js'
import type {TargetHost} from '../model/target-host.js'
import {looksLikePath} from '../load/library.js'
import {loadLab} from '../load/load-files.js'
import type {LoadedTemplate} from '../load/loaded-template.js'
import {redactedValues, resolveParameters, type GivenValue, type ParameterValues} from '../load/parameters.js'
import {expandGuestNames} from '../render/guest-names.js'
import type {Catalog} from '../resolve/integration/catalog.js'
import type {ResolvedGuest} from '../resolve/guest.js'
import type {Targets} from '../resolve/targets.js'
import {finishPlan, loadTemplate, planGuest, startPlan, trialPlan, type GuestToPlan, type PlanStages} from '../plan/build-plan.js'
import {broadcastOf, formatIpv4, networkOf, overlaps, parseIpv4, parseIpv4Cidr, type Ipv4Cidr} from '../util/ipv4.js'
import {suggest} from '../util/did-you-mean.js'
import {placeLabGuests, type LabPlacementInput} from './place-lab.js'

export interface LabPlanRequest {
  /** The lab file (relative to cwd). */
  file: string
  inventory?: string
  host?: string
  hostOs?: HostOs
  strict?: boolean
  cwd?: string
  /**
   * Each host's free memory and where the lab's guests already are, read before planning
   * (src/lab/lab-run.ts): with two or more target hosts, the guests the file gives no host are
   * placed by it (place-lab.ts). Without it, they are spread over the hosts in turn.
   */
  placement?: LabPlacementInput
}

export interface LabPlanResult {
  labPlan: LabPlan
  /** Resolved guests with their inputs, in labPlan.guests order, for `lab up`. */
  resolved: ResolvedGuest[]
  targets: Targets
  /**
   * Planned in turn, and would be placed by free memory given `placement`: two or more target
   * hosts, a guest the file gives no host, and a plan without errors (one that fails on its own
   * asks no host).
   */
  placesByMemory: boolean
}

/** The template adapter settings a lab adapter at the same position keeps. */
const LENT_ADAPTER_KEYS = ['name', 'legacy', 'vlan', 'jumboPacket', 'vmq', 'macSpoofing'] as const
/** Paths under an adapter that the lab writes (so diagnostics about them point at the lab file). */
const LAB_ADAPTER_KEYS = new Set(['switch', 'macAddress', 'addresses', 'gateway', 'dns'])
/** Hyper-V's own OUI: the range Hyper-V gives dynamic MACs from, and the one hvguest's static MACs use. */
const HYPERV_OUI = '00155D'

/** One guest of the lab, after count and {{index}}. */
interface LabMember {
  entryIndex: number
  entry: LabGuest
  /** 1..count */
  index: number
  /** The expanded name as the lab file writes it (web1). */
  labName: string
  /** The VM name: prefix + labName. */
  vmName: string
  template: LoadedTemplate
  params: ParameterValues
  host: TargetHost
  /** The file gives its host (host:, defaults.host); else it is placed in turn or by memory. */
  pinned: boolean
  placement: PlannedPlacement | null
  adapters: Array<LabPlannedAdapter & {position: number}>
  dependsOn: string[]
}

export function planLab(req: LabPlanRequest, catalog?: Catalog): LabPlanResult {
  const cwd = req.cwd ?? process.cwd()
  const file = resolve(cwd, req.file)
  const loaded = loadLab(file)
  const lab = loaded.lab
  const {stages, targets: found} = startPlan({inventory: req.inventory, host: req.host, hostOs: req.hostOs, profile: lab?.spec.defaults?.profile, cwd}, catalog)
  stages.diagnostics.unshift(...loaded.diagnostics)
  if (!lab || !loaded.locate) {
    const plan = finishPlan(stages, found, req.strict ?? false)
    return {labPlan: {apiVersion: 'hvguest/v1', kind: 'LabPlan', lab: {name: basename(file), description: null, prefix: '', file}, networks: [], guests: [], plan}, resolved: [], targets: found, placesByMemory: false}
  }
  const locate = loaded.locate
  const at = (...path: DocPath): SourceRef => locate(path)
  // A profile the lab names and no folder has is the lab file's line, as a template is.
  if (lab.spec.defaults?.profile !== undefined) {
    stages.diagnostics = stages.diagnostics.map((d) => (d.code === 'profile-not-found' && d.source?.line === undefined ? {...d, source: at('spec', 'defaults', 'profile')} : d))
  }
  const prefix = lab.spec.prefix ?? ''
  const labDiagnostics: Diagnostic[] = []
  const problem = (code: Parameters<typeof report>[0], message: string, source: SourceRef, guest?: string) => labDiagnostics.push(report(code, message, guest ? {source, guest} : {source}))

  const networks = planNetworks(lab, prefix, at, problem)
  const byName = new Map(networks.map((n) => [n.name.toLowerCase(), n]))

  // The switches the lab creates are there for its guests, whatever the inventory lists today.
  const created = networks.filter((n) => n.type !== 'existing').map((n) => n.switch)
  const targets: Targets = {...found, hosts: found.hosts.map((h) => (h.switches ? {...h, switches: [...h.switches, ...created.filter((s) => !h.switches!.includes(s))]} : h))}

  const members = expandMembers(lab, prefix, file, cwd, targets, stages, at, problem)
  assignAdapters(lab, members, byName, at, problem)
  const ordered = orderByDependencies(lab, members, at, problem)
  // Guests the file gives no host, over two or more hosts: placed by memory when the hosts'
  // answers are given, else in turn for now (provisional: `lab up` places them by memory).
  const placeable = targets.hosts.length > 1 && members.some((m) => !m.pinned)
  const toPlan = (m: LabMember): GuestToPlan => ({template: m.template, params: m.params, name: m.vmName, index: m.index, host: m.host, adjust: m.entry.networks ? adjustAdapters(m, locate) : undefined})
  if (placeable && req.placement) placeByMemory(members, byName, targets, stages, toPlan, req.placement)

  for (const m of ordered) {
    planGuest(stages, toPlan(m))
    const resolved = stages.resolved.at(-1)
    if (resolved?.guest.name === m.vmName) resolved.guest.placement = m.placement
  }

  for (const n of networks) n.hosts = [...new Set(ordered.filter((m) => m.adapters.some((a) => a.network === n.name)).map((m) => m.host.name))]
  const provisional = placeable && !req.placement
  for (const n of networks.filter((x) => !provisional && (x.type === 'internal' || x.type === 'private') && x.hosts.length > 1)) {
    problem(
      'lab-network-split',
      `network ${n.name} (${n.type}) has guests on ${n.hosts.join(', ')}: each of these hosts gets a switch ${n.switch} of its own, and guests on different hosts cannot reach each other over it; give them one host (host:)`,
      at('spec', 'networks', lab.spec.networks!.findIndex((x) => x.name === n.name), 'name'),
    )
  }
  stages.diagnostics.push(...labDiagnostics)
  const plan = finishPlan(stages, targets, req.strict ?? false)
  // A guest's name is written in the lab file: a finding about it is at that line.
  plan.diagnostics = plan.diagnostics.map((d) => {
    if (d.source?.line !== undefined || (d.code !== 'name-invalid' && d.code !== 'name-duplicate')) return d
    const m = ordered.find((x) => x.vmName === d.guest) ?? ordered.find((x) => d.message.includes(JSON.stringify(x.vmName)))
    return m ? {...d, source: at('spec', 'guests', m.entryIndex, 'name')} : d
  })
  const guests: LabPlannedGuest[] = ordered.map((m) => ({
    name: m.vmName,
    host: m.host.name,
    template: m.template.name,
    dependsOn: m.dependsOn,
    adapters: m.adapters.map(({position: _position, ...a}) => a),
    source: at('spec', 'guests', m.entryIndex, 'name'),
  }))
  const resolvedByName = new Map(stages.resolved.map((g) => [g.guest.name, g]))
  return {
    labPlan: {
      apiVersion: 'hvguest/v1',
      kind: 'LabPlan',
      lab: {name: lab.metadata.name, description: lab.metadata.description ?? null, prefix, file},
      networks,
      guests,
      plan,
    },
    resolved: ordered.map((m) => resolvedByName.get(m.vmName)).filter((g): g is ResolvedGuest => g !== undefined),
    targets,
    placesByMemory: provisional && plan.summary.errors === 0,
  }
}

/**
 * The guests the file gives no host, placed by free memory (place-lab.ts). Each guest is planned
 * once on its provisional host to learn the startup memory it needs (a template can size it from
 * host values); the plan that counts is made after, on the host it gets.
 */
function placeByMemory(members: LabMember[], networks: Map<string, LabPlannedNetwork>, targets: Targets, stages: PlanStages, toPlan: (m: LabMember) => GuestToPlan, input: LabPlacementInput): void {
  const startupBytes = (m: LabMember): number => trialPlan(stages, toPlan(m)).planned?.guest.memory.startupBytes ?? 0
  const hostLocal = (m: LabMember) => [...new Set(m.adapters.map((a) => networks.get(a.network.toLowerCase())!).filter((n) => n.type === 'internal' || n.type === 'private').map((n) => n.name))]
  const {placed, diagnostics} = placeLabGuests(
    members.map((m) => ({name: m.vmName, pinned: m.pinned ? m.host : null, hostLocalNetworks: hostLocal(m), startupBytes: startupBytes(m)})),
    targets.hosts,
    input,
  )
  members.forEach((m, i) => {
    m.host = placed[i].host
    m.placement = placed[i].placement
  })
  stages.diagnostics.push(...diagnostics)
}

type Problem = (code: Parameters<typeof report>[0], message: string, source: SourceRef, guest?: string) => void
type At = (...path: DocPath) => SourceRef

// ------------------------------------------------------------------------- networks

function planNetworks(lab: Lab, prefix: string, at: At, problem: Problem): LabPlannedNetwork[] {
  const declared = lab.spec.networks ?? []
  const out = declared.map((n, i): LabPlannedNetwork => {
    const subnet = n.subnet ? parseIpv4Cidr(n.subnet) : null
    const base = subnet ? {address: formatIpv4(networkOf(subnet)), prefixLength: subnet.prefixLength} : null
    if (n.nat === true && n.type !== 'internal') {
      problem('lab-nat-conflict', `network ${n.name}: nat: true needs an internal network (the host's address on its vEthernet adapter is what NAT translates for); a ${n.type} network has none`, at('spec', 'networks', i, 'nat'))
    }
    if (subnet && base && subnet.address !== base.address) {
      problem('lab-address-invalid', `network ${n.name}: subnet ${n.subnet} has host bits set; its network address is ${base.address}/${base.prefixLength}`, at('spec', 'networks', i, 'subnet'))
    }
    const gateway = n.type === 'internal' && subnet ? (n.gateway ?? formatIpv4(firstUsable(subnet))) : null
    if (n.gateway !== undefined && subnet) {
      const why = addressProblem(n.gateway, subnet, null)
      if (why) problem('lab-address-invalid', `network ${n.name}: gateway ${n.gateway} ${why}`, at('spec', 'networks', i, 'gateway'))
    }
    const nat = n.type === 'internal' && n.nat === true
    return {
      name: n.name,
      switch: n.type === 'existing' ? n.name : prefix + n.name,
      type: n.type,
      subnet: base ? `${base.address}/${base.prefixLength}` : null,
      prefixLength: base?.prefixLength ?? null,
      gateway,
      nat,
      natName: nat ? prefix + n.name : null,
      dns: n.dns ?? [],
      adapter: n.adapter ?? null,
      allowManagementOS: n.type === 'external' ? (n.allowManagementOS ?? true) : null,
      dhcp: n.type === 'internal' || n.type === 'private' ? false : null,
      hosts: [],
      source: at('spec', 'networks', i, 'name'),
    }
  })
  // Two networks of one lab whose subnets overlap: the host (and a routing guest) could not tell them apart.
  for (let i = 0; i < declared.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = declared[j].subnet ? parseIpv4Cidr(declared[j].subnet!) : null
      const b = declared[i].subnet ? parseIpv4Cidr(declared[i].subnet!) : null
      if (a && b && overlaps(a, b)) {
        problem('lab-subnet-conflict', `network ${declared[i].name}: subnet ${declared[i].subnet} overlaps ${declared[j].name}'s ${declared[j].subnet}`, at('spec', 'networks', i, 'subnet'))
      }
    }
  }
  return out
}

/** The first address a host can use: after the network address, except on /31 and /32 (RFC 3021). */
function firstUsable(subnet: Ipv4Cidr): number {
  return subnet.prefixLength >= 31 ? networkOf(subnet) : networkOf(subnet) + 1
}

/** Why an address cannot be a host's on that subnet (null: it can). */
function addressProblem(address: string, subnet: Ipv4Cidr, gateway: string | null): string | null {
  const value = parseIpv4(address)!
  const subnetText = `${formatIpv4(networkOf(subnet))}/${subnet.prefixLength}`
  if (value < networkOf(subnet) || value > broadcastOf(subnet)) return `is outside the subnet ${subnetText}`
  if (subnet.prefixLength < 31 && value === networkOf(subnet)) return `is the network address of ${subnetText}`
  if (subnet.prefixLength < 31 && value === broadcastOf(subnet)) return `is the broadcast address of ${subnetText}`
  if (gateway !== null && address === gateway) return `is the network's gateway (the host's address on it)`
  return null
}

// -------------------------------------------------------------------------- guests

function expandMembers(lab: Lab, prefix: string, file: string, cwd: string, targets: Targets, stages: PlanStages, at: At, problem: Problem): LabMember[] {
  const labDir = dirname(file)
  const templates = new Map<string, LoadedTemplate | undefined>()
  const templateOf = (ref: string, i: number): LoadedTemplate | undefined => {
    // A path is relative to the lab file; a name is looked up as `plan` does (the project's templates/, then the built-ins).
    const key = looksLikePath(ref) ? resolve(labDir, ref) : ref.toLowerCase()
    if (!templates.has(key)) {
      const before = stages.diagnostics.length
      templates.set(key, loadTemplate(stages, looksLikePath(ref) ? key : ref, cwd))
      // "No template named …" says nothing of where it was named: the lab file's line does.
      for (let k = before; k < stages.diagnostics.length; k++) {
        const d = stages.diagnostics[k]
        if (d.source?.line === undefined && (d.code === 'template-not-found' || d.code === 'file-not-found')) stages.diagnostics[k] = {...d, source: at('spec', 'guests', i, 'template')}
      }
    }
    return templates.get(key)
  }
  const loaded = lab.spec.guests.map((g, i) => templateOf(g.template, i))

  // A default value belongs to the templates that declare it: unknown only when none of the lab's does.
  const defaults = lab.spec.defaults?.values ?? {}
  const declaredSomewhere = new Set(loaded.flatMap((t) => (t ? Object.keys(t.parameters) : [])))
  for (const name of Object.keys(defaults)) {
    if (!declaredSomewhere.has(name) && loaded.some((t) => t !== undefined)) {
      problem('parameter-unknown', `defaults.values.${name}: no template of the lab has a parameter "${name}"`, at('spec', 'defaults', 'values', name))
    }
  }

  const hostOf = hostPicker(lab, targets, at, problem)
  const members: LabMember[] = []
  lab.spec.guests.forEach((entry, i) => {
    const template = loaded[i]
    if (!template) return
    const given: GivenValue[] = [
      ...Object.entries(defaults)
        .filter(([k]) => k in template.parameters && !(entry.values && k in entry.values))
        .map(([name, value]) => ({name, value, source: at('spec', 'defaults', 'values', name)})),
      ...Object.entries(entry.values ?? {}).map(([name, value]) => ({name, value, source: at('spec', 'guests', i, 'values', name)})),
    ]
    const params = resolveParameters(template, {
      values: given,
      missing: {source: at('spec', 'guests', i, 'template'), hint: `give it in this guest's values (or the lab's defaults.values)`},
    })
    stages.diagnostics.push(...params.diagnostics)
    if (params.diagnostics.some((d) => d.severity === 'error')) return
    const names = expandGuestNames({name: entry.name, count: entry.count ?? 1, defaultName: entry.name, context: {...redactedValues(params)}})
    stages.diagnostics.push(...names.diagnostics.map((d) => ({...d, source: d.source?.line === undefined ? at('spec', 'guests', i, 'name') : d.source})))
    names.names.forEach((labName, k) => {
      const picked = hostOf(entry, i)
      if (!picked) return
      members.push({entryIndex: i, entry, index: k + 1, labName, vmName: prefix + labName, template, params, host: picked.host, pinned: picked.pinned, placement: null, adapters: [], dependsOn: []})
    })
  })
  return members
}

/**
 * guest.host, else defaults.host (pinned), else the next host in turn (as `plan` spreads guests
 * without placement; with it, placeByMemory decides after).
 */
function hostPicker(lab: Lab, targets: Targets, at: At, problem: Problem): (entry: LabGuest, i: number) => {host: TargetHost; pinned: boolean} | undefined {
  let slot = 0
  const reported = new Set<string>()
  return (entry, i) => {
    if (targets.hosts.length === 0) return undefined
    const wanted = entry.host ?? lab.spec.defaults?.host
    if (wanted === undefined) return {host: targets.hosts[slot++ % targets.hosts.length], pinned: false}
    const hit = targets.hosts.find((h) => h.name.toLowerCase() === wanted.toLowerCase())
    if (hit) return {host: hit, pinned: true}
    const where = entry.host !== undefined ? at('spec', 'guests', i, 'host') : at('spec', 'defaults', 'host')
    const key = `${where.line}:${where.column}`
    if (!reported.has(key)) {
      reported.add(key)
      const close = suggest(
        wanted,
        targets.hosts.map((h) => h.name),
      )
      problem('host-not-found', `host "${wanted}" is not one of the hosts this run targets (${targets.hosts.map((h) => h.name).join(', ')})${close ? `. Did you mean "${close}"?` : ''}`, where)
    }
    return undefined
  }
}

// ------------------------------------------------------------------------- adapters

function assignAdapters(lab: Lab, members: LabMember[], networks: Map<string, LabPlannedNetwork>, at: At, problem: Problem): void {
  const usedMacs = new Set<string>()
  const usedAddresses = new Map<number, string>()
  for (const n of networks.values()) if (n.gateway) usedAddresses.set(parseIpv4(n.gateway)!, `network ${n.name}'s gateway`)

  for (const m of members) {
    m.entry.networks?.forEach((wanted, position) => {
      const where = (...rest: DocPath) => at('spec', 'guests', m.entryIndex, 'networks', position, ...rest)
      const network = networks.get(wanted.network.toLowerCase())
      if (!network) {
        // once per entry, not once per counted guest
        if (m.index === 1) {
          const close = suggest(
            wanted.network,
            [...networks.values()].map((n) => n.name),
          )
          const known = [...networks.values()].map((n) => n.name).join(', ') || '(none)'
          problem('lab-network-unknown', `guest ${m.entry.name}: network "${wanted.network}" is not one of the lab's networks (${known})${close ? `. Did you mean "${close}"?` : ''}`, where('network'), m.vmName)
        }
        return
      }
      const macAddress = staticMac(lab.metadata.name, m.labName, position, usedMacs)
      let address: string | null = null
      if (wanted.address !== undefined) address = memberAddress(m, wanted.address, network, where('address'), usedAddresses, problem)
      if (address === null && wanted.address === undefined && (network.type === 'internal' || network.type === 'private')) {
        problem(
          'lab-no-dhcp',
          `guest ${m.vmName}: adapter ${position + 1} on ${network.type} network ${network.name} has no address, and nothing on a ${network.type} switch hands one out unless the host runs DHCP; give it an address`,
          where('network'),
          m.vmName,
        )
      }
      m.adapters.push({
        position,
        network: network.name,
        switch: network.switch,
        macAddress,
        address,
        gateway: address === null ? null : (wanted.gateway ?? network.gateway),
        dns: address === null ? [] : (wanted.dns ?? network.dns),
      })
    })
  }
}

/** The guest's address: the written one plus (index - 1), checked against its network. */
function memberAddress(m: LabMember, written: string, network: LabPlannedNetwork, source: SourceRef, used: Map<number, string>, problem: Problem): string | null {
  const cidr = parseIpv4Cidr(written)!
  const value = parseIpv4(cidr.address)! + (m.index - 1)
  const subnet: Ipv4Cidr = network.subnet ? parseIpv4Cidr(network.subnet)! : cidr
  const count = m.entry.count ?? 1
  const address = value <= 0xffffffff ? formatIpv4(value) : null
  const text = address ? `${address}/${cidr.prefixLength}` : written
  const shown = m.index > 1 ? `${text} (${written} + ${m.index - 1}, for guest ${m.index} of ${count})` : text
  if (network.subnet && cidr.prefixLength !== subnet.prefixLength) {
    problem('lab-address-invalid', `guest ${m.vmName}: address ${written} has prefix length /${cidr.prefixLength}, but network ${network.name} is ${network.subnet}`, source, m.vmName)
    return null
  }
  const why = address === null ? 'runs past the last IPv4 address' : addressProblem(address, subnet, network.gateway)
  if (why) {
    problem('lab-address-invalid', `guest ${m.vmName}: address ${shown} ${why}${m.index > 1 && why.startsWith('is outside') ? ': the count runs past the subnet' : ''}`, source, m.vmName)
    return null
  }
  const holder = used.get(value)
  if (holder !== undefined) {
    problem('lab-address-duplicate', `guest ${m.vmName}: address ${address} is also ${holder}`, source, m.vmName)
    return null
  }
  used.set(value, `guest ${m.vmName}'s (network ${network.name})`)
  return text
}

/**
 * A static MAC for a lab adapter: Hyper-V's OUI and 3 bytes of a hash of the lab, guest and
 * position, so that the same lab file always gives the same MACs (first-boot media match
 * adapters by MAC). A value already given in this lab moves to the next free one: planning
 * in the same order, that is deterministic too.
 */
export function staticMac(lab: string, guest: string, position: number, used: Set<string>): string {
  const digest = createHash('sha256').update(`${lab}\n${guest}\n${position}`).digest()
  let value = digest.readUIntBE(0, 3)
  let mac = HYPERV_OUI + value.toString(16).toUpperCase().padStart(6, '0')
  while (used.has(mac)) {
    value = (value + 1) % 0x1000000
    mac = HYPERV_OUI + value.toString(16).toUpperCase().padStart(6, '0')
  }
  used.add(mac)
  return mac
}

/** The rendered spec with the lab's adapters, and diagnostics about them placed in the lab file. */
function adjustAdapters(m: LabMember, labLocate: Locate): (spec: GuestSpec, locate: Locate) => {spec: GuestSpec; locate: Locate} {
  return (spec, locate) => {
    const fromTemplate = spec.networkAdapters ?? []
    const networkAdapters: NetworkAdapter[] = m.adapters.map((a) => {
      const lent = fromTemplate[a.position] ?? {}
      const adapter: NetworkAdapter = {switch: a.switch, macAddress: a.macAddress}
      for (const key of LENT_ADAPTER_KEYS) if (lent[key] !== undefined) Object.assign(adapter, {[key]: lent[key]})
      if (a.address !== null) {
        adapter.addresses = [a.address]
        if (a.gateway !== null) adapter.gateway = a.gateway
        if (a.dns.length > 0) adapter.dns = a.dns
      }
      return adapter
    })
    const adjusted: Locate = (path) => {
      if (path[0] === 'spec' && path[1] === 'networkAdapters' && typeof path[2] === 'number') {
        const a = m.adapters[path[2]]
        if (a && (path.length === 3 || LAB_ADAPTER_KEYS.has(String(path[3])))) return labLocate(['spec', 'guests', m.entryIndex, 'networks', a.position, ...(path[3] === 'addresses' ? ['address'] : path[3] === 'gateway' || path[3] === 'dns' ? [path[3]] : [])])
        if (a) return locate(['spec', 'networkAdapters', a.position, ...path.slice(3)])
      }
      return locate(path)
    }
    return {spec: {...spec, networkAdapters}, locate: adjusted}
  }
}

// --------------------------------------------------------------------- dependencies

/**
 * The guests in the order they are created: each after the guests it depends on, otherwise in
 * file order. A name in dependsOn is a guest's expanded name (web1) or an entry's name as
 * written (web{{index}}: all its guests).
 */
function orderByDependencies(lab: Lab, members: LabMember[], at: At, problem: Problem): LabMember[] {
  const byLabName = new Map<string, LabMember[]>()
  const add = (key: string, m: LabMember) => byLabName.set(key, [...(byLabName.get(key) ?? []), m])
  for (const m of members) add(m.labName.toLowerCase(), m)
  for (const m of members) if (m.entry.name.toLowerCase() !== m.labName.toLowerCase() && !members.some((x) => x.labName.toLowerCase() === m.entry.name.toLowerCase())) add(m.entry.name.toLowerCase(), m)
  // every name the file declares, planned or not (a guest whose template failed is not "unknown")
  const declared = new Set(lab.spec.guests.map((g) => g.name.toLowerCase()))
  const edges = new Map<LabMember, LabMember[]>()
  for (const m of members) {
    const deps: LabMember[] = []
    m.entry.dependsOn?.forEach((name, k) => {
      const hit = byLabName.get(name.toLowerCase())
      if (hit) deps.push(...hit.filter((d) => d !== m))
      else if (!declared.has(name.toLowerCase()) && m.index === 1) {
        const close = suggest(
          name,
          members.map((x) => x.labName),
        )
        problem('lab-dependency-invalid', `guest ${m.entry.name}: dependsOn names "${name}", which is no guest of the lab${close ? `. Did you mean "${close}"?` : ''}`, at('spec', 'guests', m.entryIndex, 'dependsOn', k), m.vmName)
      }
      if (hit?.includes(m) && hit.length === 1) problem('lab-dependency-invalid', `guest ${m.labName}: depends on itself`, at('spec', 'guests', m.entryIndex, 'dependsOn', k), m.vmName)
    })
    edges.set(m, [...new Set(deps)])
    m.dependsOn = [...new Set(deps)].map((d) => d.vmName)
  }

  // Kahn's algorithm, always taking the earliest ready guest in file order: stable.
  const ordered: LabMember[] = []
  const done = new Set<LabMember>()
  const rest = [...members]
  while (rest.length > 0) {
    const next = rest.findIndex((m) => edges.get(m)!.every((d) => done.has(d)))
    if (next < 0) {
      const cycle = findCycle(rest, edges)
      const first = cycle[0]
      const k = first.entry.dependsOn?.findIndex((name) => byLabName.get(name.toLowerCase())?.includes(cycle[1] ?? first)) ?? -1
      problem(
        'lab-dependency-invalid',
        `dependsOn forms a cycle: ${[...cycle, first].map((m) => m.labName).join(' -> ')}; the guests of a cycle are created in file order`,
        k >= 0 ? at('spec', 'guests', first.entryIndex, 'dependsOn', k) : at('spec', 'guests', first.entryIndex, 'dependsOn'),
        first.vmName,
      )
      ordered.push(...rest)
      break
    }
    const [m] = rest.splice(next, 1)
    done.add(m)
    ordered.push(m)
  }
  return ordered
}

/** A cycle among guests none of which is ready: follow unfinished dependencies until one repeats. */
function findCycle(rest: LabMember[], edges: Map<LabMember, LabMember[]>): LabMember[] {
  const open = new Set(rest)
  const path: LabMember[] = []
  let cur = rest[0]
  while (!path.includes(cur)) {
    path.push(cur)
    cur = edges.get(cur)!.find((d) => open.has(d))!
  }
  return path.slice(path.indexOf(cur))
}
