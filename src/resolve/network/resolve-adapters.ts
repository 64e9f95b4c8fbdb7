/**
 * Guest network adapters: names, jumbo frames and VMQ per adapter.
 *
 * Severity follows where a setting came from: a profile default that cannot apply to an
 * adapter is a warning and the adapter is built without it; the same setting written in the
 * template is an error. Adapters are returned one for one with the template's list (rules
 * address them by index), including adapters that carry errors.
 */
import type {Diagnostic, Severity} from '../../model/diagnostic.js'
import type {PlannedIpConfig, PlannedNetworkAdapter} from '../../model/plan.js'
import type {Locate} from '../../model/source.js'
import {report, type Code} from '../../model/codes.js'
import {atLeast, type HostOs} from '../../model/host-os.js'
import type {GuestOs, HardwareProfile, NetworkAdapter} from '../../model/schemas.js'

/** `*JumboPacket` default and minimum: 1500-byte MTU + 14-byte header (docs/hyperv-facts.md, 'Jumbo frames' [KW]). */
export const STANDARD_FRAME = 1514

/** The NAT switch of client Hyper-V: works over Wi-Fi, cannot be renamed (docs/hyperv-facts.md, 'Default Switch' [DS]). */
export const DEFAULT_SWITCH = 'Default Switch'

/**
 * Hyper-V R2 added jumbo frames and VMQ (docs/hyperv-facts.md, sections 5 and 6 [R2RTM]): a Windows
 * Server 2008 (R1) host has neither, for any guest or adapter.
 */
export function jumboAndVmqSupported(hostOs: HostOs): boolean {
  return atLeast(hostOs, 'windows-server-2008r2')
}

/** WS2016 allows 8 synthetic + 4 legacy adapters; WS2019 and later 64 + 4 (docs/hyperv-facts.md, 'Network adapters' [SCALE]). */
export function nicLimits(hostOs: HostOs): {synthetic: number; legacy: number} {
  return {synthetic: atLeast(hostOs, 'windows-server-2019') ? 64 : 8, legacy: 4}
}

/** The host adapter a switch gives the management OS: `vEthernet (<switch>)`. */
export const hostAdapterName = (switchName: string): string => `vEthernet (${switchName})`

/** 00-15-5d-01-02-03 / 00:15:5D:01:02:03 / 00155d010203 → 00155D010203 (Set-VMNetworkAdapter -StaticMacAddress). */
export function normalizeMac(mac: string): string {
  return mac.replace(/[-:]/g, '').toUpperCase()
}

export interface AdaptersInput {
  guest: string
  generation: 1 | 2
  os: GuestOs
  hostOs: HostOs
  profile: HardwareProfile
  adapters: NetworkAdapter[]
  locate: Locate
}

export function resolveAdapters(input: AdaptersInput): {adapters: PlannedNetworkAdapter[]; diagnostics: Diagnostic[]} {
  const {guest, generation, os, hostOs, profile, locate} = input
  const diagnostics: Diagnostic[] = []
  const caps = profile.spec.capabilities ?? {}
  const net = profile.spec.network ?? {}
  const names = adapterNames(input.adapters)
  const count = {synthetic: 0, legacy: 0}
  const limits = nicLimits(hostOs)
  const hostHasJumboAndVmq = jumboAndVmqSupported(hostOs)

  const adapters = input.adapters.map((a, i): PlannedNetworkAdapter => {
    const at = (key?: keyof NetworkAdapter) => locate(key ? ['spec', 'networkAdapters', i, key] : ['spec', 'networkAdapters', i])
    const legacy = a.legacy ?? false
    const name = names[i]
    const label = `adapter "${name}"`
    /** An explicit template value → error at the value; a profile default → warning at the adapter. */
    const cannot = (code: Code, explicit: boolean, key: keyof NetworkAdapter, message: string) => {
      const severity: Severity = explicit ? 'error' : 'warning'
      const suffix = explicit ? '' : ` (profile ${profile.metadata.name} default; the adapter is built without it)`
      diagnostics.push(report(code, `${label}: ${message}${suffix}`, {guest, severity, source: explicit ? at(key) : at()}))
    }

    if (names.duplicate[i]) {
      diagnostics.push(report('nic-name-duplicate', `two adapters are named "${name}"; the run addresses adapters by name, so give each a different name`, {guest, source: at('name')}))
    }
    if (legacy && generation === 2) {
      diagnostics.push(
        report('legacy-nic-gen2', `${label}: Generation 2 VMs have no legacy network adapter (they PXE-boot with the synthetic adapter); remove legacy: true`, {
          guest,
          source: at('legacy'),
        }),
      )
    } else {
      // Counted per kind against the host's limits; the adapters past the limit are reported.
      const kind = legacy ? 'legacy' : 'synthetic'
      if (++count[kind] > limits[kind]) {
        diagnostics.push(
          report(
            'nic-limit-exceeded',
            `${label}: a VM on ${hostOs} can have at most ${limits.synthetic} synthetic and ${limits.legacy} legacy adapters; this is ${kind} adapter number ${count[kind]}`,
            {guest, source: at()},
          ),
        )
      }
    }
    if (caps.wireless && a.switch.toLowerCase() !== DEFAULT_SWITCH.toLowerCase()) {
      diagnostics.push(
        report(
          'wireless-adapter-switch',
          `${label} uses switch "${a.switch}", but profile ${profile.metadata.name} has a wireless NIC, which cannot back an External switch; use "${DEFAULT_SWITCH}" (NAT, works over Wi-Fi) or an Internal/NAT switch`,
          {guest, source: at('switch')},
        ),
      )
    }

    // -- jumbo frames: a template value, else the profile's; 1514 is standard frames, not jumbo.
    const jumboExplicit = a.jumboPacket !== undefined
    const jumboWanted = a.jumboPacket ?? net.jumboPacket
    let jumboPacket: number | null = jumboWanted ?? null
    if (jumboWanted !== undefined && jumboWanted === STANDARD_FRAME) {
      // The profile's 1514 is the driver default: nothing to set. A template's 1514 is kept
      // (it resets a NIC explicitly), except on a legacy adapter, which has no such setting.
      jumboPacket = jumboExplicit && !legacy ? STANDARD_FRAME : null
    } else if (jumboWanted !== undefined) {
      const problems: Array<[Code, string]> = []
      if (!hostHasJumboAndVmq) {
        // The host cannot do jumbo frames at all, so the adapter kind, the NIC's values and the
        // Linux host rule do not matter: one report says what would have to change.
        problems.push(['jumbo-unsupported-host', `jumbo frames (${jumboWanted}) need a Windows Server 2008 R2 or later host (Hyper-V R2 added them); this host runs ${hostOs}`])
      } else if (legacy) {
        problems.push(['jumbo-legacy-adapter', `jumbo frames (${jumboWanted}) do not apply to a legacy (emulated) adapter`])
      } else {
        if (caps.jumboPacketValues && !caps.jumboPacketValues.includes(jumboWanted)) {
          problems.push([
            'jumbo-unsupported',
            `jumbo packet ${jumboWanted} is not a value profile ${profile.metadata.name}'s NIC offers (${caps.jumboPacketValues.join(', ')})`,
          ])
        }
        if (os.family === 'linux' && !atLeast(hostOs, 'windows-server-2012r2')) {
          // docs/hyperv-facts.md, 'Jumbo frames' [FD][UBU]
          problems.push(['jumbo-linux-host-too-old', `Linux guests get jumbo frames only on Windows Server 2012 R2 and later hosts, not ${hostOs}`])
        }
      }
      for (const [code, message] of problems) cannot(code, jumboExplicit, 'jumboPacket', message)
      if (problems.length > 0) jumboPacket = null
    }

    // -- VMQ: a template value, else the profile's. Synthetic adapters on 2008 R2 and later hosts
    // only (R2 added VMQ for the synthetic path, docs/hyperv-facts.md, 'VMQ and TCP Chimney' [R2RTM]).
    const vmqExplicit = a.vmq !== undefined
    let vmq = a.vmq ?? net.vmq ?? false
    if (vmq && !hostHasJumboAndVmq) {
      cannot('vmq-unsupported-host', vmqExplicit, 'vmq', `VMQ needs a Windows Server 2008 R2 or later host (Hyper-V R2 added it); this host runs ${hostOs}`)
      vmq = false
    } else if (vmq && legacy) {
      cannot('vmq-legacy-adapter', vmqExplicit, 'vmq', 'VMQ does not apply to a legacy (emulated) adapter')
      vmq = false
    } else if (vmq && caps.vmq === false) {
      cannot('vmq-unsupported-nic', vmqExplicit, 'vmq', `profile ${profile.metadata.name}'s NIC does not support VMQ`)
      vmq = false
    }

    return {
      name,
      switch: a.switch,
      legacy,
      vlan: a.vlan ?? null,
      jumboPacket,
      vmq,
      macAddress: a.macAddress === undefined ? null : normalizeMac(a.macAddress),
      macSpoofing: a.macSpoofing ?? false,
      ipConfig: ipConfigOf(a),
    }
  })
  return {adapters, diagnostics}
}

/** The adapter's static IPv4 settings; null when it has none (DHCP). */
function ipConfigOf(a: NetworkAdapter): PlannedIpConfig | null {
  if (a.addresses === undefined && a.gateway === undefined && a.dns === undefined) return null
  return {addresses: a.addresses ?? [], gateway: a.gateway ?? null, dns: a.dns ?? []}
}

/**
 * Adapter names, unique per guest (case-insensitively, as Hyper-V compares them). Written
 * names are kept; unnamed adapters get `Network Adapter`, `Network Adapter 2`, … or
 * `Legacy Network Adapter`, … skipping any name already taken.
 */
function adapterNames(adapters: NetworkAdapter[]): string[] & {duplicate: boolean[]} {
  const taken = new Set<string>()
  const duplicate = adapters.map((a) => {
    if (a.name === undefined) return false
    const key = a.name.toLowerCase()
    const dup = taken.has(key)
    taken.add(key)
    return dup
  })
  const next = {legacy: 1, synthetic: 1}
  const names = adapters.map((a) => {
    if (a.name !== undefined) return a.name
    const kind = a.legacy ? 'legacy' : 'synthetic'
    const base = a.legacy ? 'Legacy Network Adapter' : 'Network Adapter'
    for (;;) {
      const n = next[kind]++
      const candidate = n === 1 ? base : `${base} ${n}`
      if (!taken.has(candidate.toLowerCase())) {
        taken.add(candidate.toLowerCase())
        return candidate
      }
    }
  })
  return Object.assign(names, {duplicate})
}
