/**
 * `create --dry-run`: what the runtime would do for a plan, step by step, in words an
 * administrator can check against Hyper-V Manager. Derived from the plan alone; nothing runs.
 */
import type {Plan, PlannedGuest, PlannedHost} from '../model/plan.js'
import {formatSize} from '../model/sizes.js'
import {hostAdapterName} from '../resolve/network/resolve-adapters.js'

const slot = (c: {type: string; number: number; location: number}) => `${c.type} ${c.number}:${c.location}`

export function describeHost(h: PlannedHost): string[] {
  const out: string[] = []
  for (const j of h.network.jumbo) {
    if (j.targets.includes('physical-nic')) out.push(`set *JumboPacket ${j.value} on the physical NIC bound to switch "${j.switch}" (previous value recorded)`)
    if (j.targets.includes('host-vethernet')) out.push(`set *JumboPacket ${j.value} on "${hostAdapterName(j.switch)}" (previous value recorded)`)
  }
  if (h.network.chimney) out.push(`Set-NetOffloadGlobalSetting -Chimney ${h.network.chimney} (previous value recorded)`)
  return out
}

export function describeGuest(g: PlannedGuest): string[] {
  const out: string[] = []
  for (const d of g.drives) {
    if (d.create) {
      const c = d.create
      out.push(
        c.type === 'Differencing'
          ? `New-VHD -Differencing ${d.path} (parent ${c.parentPath})`
          : `New-VHD -${c.type} ${d.path} ${c.sizeBytes !== null ? formatSize(c.sizeBytes) : ''}${c.blockSizeBytes ? ` block ${formatSize(c.blockSizeBytes)}` : ''}`.trimEnd(),
      )
    } else if (d.copyFrom) out.push(`copy ${d.copyFrom} to ${d.path}`)
  }
  if (g.firstBoot) out.push(`write ${g.firstBoot.media} (ISO 9660 + Joliet, label ${g.firstBoot.label}: ${g.firstBoot.files.map((f) => f.name).join(', ')})`)
  out.push(`New-VM ${g.name} -Generation ${g.generation} -NoVHD -Path ${g.path}`)
  out.push(`Set-VMProcessor -Count ${g.processors}; Set-VMMemory ${formatSize(g.memory.startupBytes)}${g.memory.dynamic ? ` dynamic ${formatSize(g.memory.minimumBytes ?? 0)}-${formatSize(g.memory.maximumBytes ?? 0)}` : ''}`)
  out.push("remove the network adapter and DVD drive Hyper-V adds by default")
  const scsi = Math.max(-1, ...g.drives.filter((d) => d.controller.type === 'SCSI').map((d) => d.controller.number))
  if (scsi >= 0) out.push(`Add-VMScsiController until there are ${scsi + 1} SCSI controller${scsi ? 's' : ''}`)
  for (const d of g.drives) {
    const what = d.kind === 'dvd' ? `Add-VMDvdDrive ${d.path ?? '(empty)'}` : d.diskNumber !== null ? `Add-VMHardDiskDrive -DiskNumber ${d.diskNumber}` : `Add-VMHardDiskDrive ${d.path}`
    out.push(`${what} at ${slot(d.controller)}`)
  }
  for (const a of g.networkAdapters) {
    const extras = [a.vlan !== null && `VLAN ${a.vlan}`, a.vmq && 'VMQ', a.macAddress && `MAC ${a.macAddress}`, a.jumboPacket && `jumbo ${a.jumboPacket} in the guest`].filter(Boolean)
    out.push(`Add-VMNetworkAdapter "${a.name}"${a.legacy ? ' -IsLegacy' : ''} on switch "${a.switch}"${extras.length ? ` (${extras.join(', ')})` : ''}`)
  }
  out.push(g.generation === 1 ? `Set-VMBios -StartupOrder ${g.bootOrder.join(',')}` : `Set-VMFirmware boot order ${g.bootOrder.join(', ')}`)
  for (const s of g.integration.services) out.push(`${s.enabled ? 'Enable' : 'Disable'}-VMIntegrationService ${s.name} (by GUID ${s.id})`)
  if (g.integration.strategy === 'windows-offline') {
    out.push(`Mount-VHD the boot disk; Add-WindowsPackage ${g.integration.offlinePackages.join(', ')}; Dismount-VHD (always)`)
  }
  if (g.start) out.push('Start-VM')
  return out
}

export function describePlan(plan: Plan): {hosts: Record<string, string[]>; guests: Record<string, string[]>} {
  return {
    hosts: Object.fromEntries(plan.hosts.map((h) => [h.name, describeHost(h)])),
    guests: Object.fromEntries(plan.guests.map((g) => [`${g.host}/${g.name}`, describeGuest(g)])),
  }
}
