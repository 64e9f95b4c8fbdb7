/**
 * The guest side of TCP Chimney: chimney is host-global and, for Windows
 * guests on 2008 R2 hosts, also a guest setting. Only 2008 R2 gives VMs chimney: WS2008 R1 VMs
 * never use it [KB951037], R2 added it [R2RTM], and from 2012 on it is not supported for VMs
 * [NDIS630] (docs/hyperv-facts.md, 'VMQ and TCP Chimney'). Linux guests have no such setting.
 *
 * Pure: no diagnostics. A profile value that cannot apply is reported once per host by
 * resolveHostNetwork (chimney-unsupported-host / chimney-unsupported-nic).
 */
import type {HostOs} from '../../model/host-os.js'
import type {ChimneySetting, GuestOs, HardwareProfile} from '../../model/schemas.js'

/**
 * The profile's chimney value for a Windows guest on a windows-server-2008r2 host, when the
 * profile NIC supports chimney (`capabilities.chimney: true`) or the value is `disabled` (which
 * always applies); null otherwise, i.e. the guest's setting is left alone.
 */
export function guestChimney(input: {os: GuestOs; hostOs: HostOs; profile: HardwareProfile}): ChimneySetting | null {
  const {os, hostOs, profile} = input
  const wanted = profile.spec.network?.chimney
  if (wanted === undefined) return null
  if (os.family !== 'windows' || hostOs !== 'windows-server-2008r2') return null
  if (wanted === 'disabled' || profile.spec.capabilities?.chimney === true) return wanted
  return null
}
