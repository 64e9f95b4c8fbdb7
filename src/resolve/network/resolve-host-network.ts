/**
 * Host-level network settings a run applies (PlannedHost.network).
 *
 * Jumbo frames must match end to end (docs/hyperv-facts.md, 'Jumbo frames' [HCI]): every switch that carries a
 * jumbo guest adapter gets the largest value on the physical NIC bound to it and on the host's
 * `vEthernet (<switch>)`. TCP Chimney is host-global (Set-NetOffloadGlobalSetting -Chimney,
 * docs/hyperv-facts.md, 'VMQ and TCP Chimney'), and VMs can use it only on 2008 R2 hosts: WS2008 R1 VMs never use it
 * [KB951037], R2 added it [R2RTM], 2012 dropped it for VMs [NDIS630], 1703 deprecated it [DEP].
 * `disabled` is the cmdlet's default and may always be applied. Jumbo frames and VMQ need a 2008 R2
 * or later host [R2RTM]; on a 2008 (R1) host both are left alone (the adapters report why).
 * The guest side of chimney (Windows guests on 2008 R2 hosts) is guestChimney in guest-chimney.ts.
 */
import type {Diagnostic} from '../../model/diagnostic.js'
import type {HostJumboSetting, PlannedHost, PlannedNetworkAdapter} from '../../model/plan.js'
import {report} from '../../model/codes.js'
import {atLeast, type HostOs} from '../../model/host-os.js'
import type {GuestOs, HardwareProfile} from '../../model/schemas.js'
import {DEFAULT_SWITCH, STANDARD_FRAME, jumboAndVmqSupported} from './resolve-adapters.js'

export interface HostNetworkInput {
  host: string
  hostOs: HostOs
  profile: HardwareProfile
  guests: Array<{name: string; os: GuestOs; adapters: PlannedNetworkAdapter[]}>
}

export function resolveHostNetwork(input: HostNetworkInput): {network: PlannedHost['network']; diagnostics: Diagnostic[]} {
  const diagnostics: Diagnostic[] = []
  return {
    network: {
      jumbo: hostJumbo(input),
      chimney: hostChimney(input, diagnostics),
      vmq: hostVmq(input),
    },
    diagnostics,
  }
}

function hostJumbo({hostOs, guests}: HostNetworkInput): HostJumboSetting[] {
  // Jumbo frames need a 2008 R2+ host [R2RTM], and Linux guests get them only on 2012 R2+ hosts
  // [FD]; resolveAdapters already leaves those values out (and reports them), and this keeps the
  // host side right on its own.
  if (!jumboAndVmqSupported(hostOs)) return []
  const linuxJumboOk = atLeast(hostOs, 'windows-server-2012r2')
  const largest = new Map<string, {switch: string; value: number}>()
  for (const g of guests) {
    if (g.os.family === 'linux' && !linuxJumboOk) continue
    for (const a of g.adapters) {
      if (a.legacy || a.jumboPacket === null || a.jumboPacket <= STANDARD_FRAME) continue
      const key = a.switch.toLowerCase()
      const seen = largest.get(key)
      if (!seen || a.jumboPacket > seen.value) largest.set(key, {switch: seen?.switch ?? a.switch, value: a.jumboPacket})
    }
  }
  return [...largest.values()]
    .sort((x, y) => x.switch.localeCompare(y.switch))
    .map((s) => ({
      switch: s.switch,
      value: s.value,
      // The Default Switch is NAT: no physical NIC is bound to it [DS].
      targets: s.switch.toLowerCase() === DEFAULT_SWITCH.toLowerCase() ? ['host-vethernet'] : ['physical-nic', 'host-vethernet'],
    }))
}

export function hostChimney({host, hostOs, profile}: HostNetworkInput, diagnostics: Diagnostic[]): PlannedHost['network']['chimney'] {
  const wanted = profile.spec.network?.chimney
  if (wanted === undefined) return null
  if (wanted === 'disabled') return 'disabled'
  if (hostOs !== 'windows-server-2008r2') {
    const why = atLeast(hostOs, 'windows-server-2012')
      ? 'from Windows Server 2012 on, TCP Chimney is not supported for VMs (and it is deprecated since 2016/1703)'
      : 'on Windows Server 2008 no VM uses TCP Chimney'
    diagnostics.push(
      report(
        'chimney-unsupported-host',
        `profile ${profile.metadata.name} asks for chimney: ${wanted}, but host ${host} runs ${hostOs}: ${why}; chimney is left alone`,
      ),
    )
    return null
  }
  if (wanted === 'enabled' && profile.spec.capabilities?.chimney === false) {
    diagnostics.push(
      report(
        'chimney-unsupported-nic',
        `profile ${profile.metadata.name} asks for chimney: enabled, but its NIC has no TCP Chimney offload (it must also be on in the NIC's advanced properties); chimney is left alone on host ${host}`,
      ),
    )
    return null
  }
  return wanted
}

/**
 * VMQ from the profile when its NIC and the host support it. A profile asking for VMQ on a NIC
 * without it, or on a 2008 (R1) host, which has no VMQ at all [R2RTM], is already reported on
 * every adapter it would have applied to (vmq-unsupported-nic / vmq-unsupported-host in
 * resolve-adapters.ts), so the host side is left alone without a second report.
 */
export function hostVmq({hostOs, profile}: HostNetworkInput): boolean | null {
  const wanted = profile.spec.network?.vmq
  if (wanted === undefined) return null
  if (!jumboAndVmqSupported(hostOs)) return null
  if (wanted && profile.spec.capabilities?.vmq === false) return null
  return wanted
}
