/**
 * Virtualized domain controller guidance (docs/hyperv-facts.md, 'Domain controllers in VMs' [VDC]): NTDS.DIT, logs and
 * SYSVOL on a virtual SCSI disk; fixed or pass-through disks, never dynamic or differencing;
 * the Time Synchronization IC off (the DC takes time from the domain hierarchy); no
 * checkpoints (restoring one rolls back the DC's update sequence numbers).
 */
import {report} from '../model/codes.js'
import type {GuestRule} from './types.js'
import type {Diagnostic} from '../model/diagnostic.js'
import {atLeast} from '../model/host-os.js'

export const domainControllerRule: GuestRule = ({guest, drives, host, locate}) => {
  if (!guest.roles.includes('domain-controller')) return []
  const out: Diagnostic[] = []
  const at = (path: Array<string | number>, message: string) =>
    out.push(report('dc-guidance', `domain controller: ${message}`, {guest: guest.name, source: locate(path)}))
  const label = (role: string, name: string) => (role === 'boot' ? 'the boot disk' : `data disk "${name}"`)

  const data = drives.filter((d) => d.drive.kind === 'hdd' && d.drive.role === 'data')
  const onScsi = data.filter((d) => d.slot?.type === 'SCSI')
  if (data.length === 0) {
    at(['spec', 'dataDisks'], 'put NTDS.DIT, its logs and SYSVOL on a data disk on a SCSI controller; add a dataDisks entry')
  } else if (onScsi.length === 0) {
    const where = data.map((d) => `"${d.drive.name}"${d.slot ? ` (${d.slot.type} ${d.slot.number}:${d.slot.location})` : ''}`).join(', ')
    at(data[0].path, `data disk ${where} is not on SCSI; put NTDS.DIT, its logs and SYSVOL on a SCSI disk (remove the IDE pin)`)
  }
  for (const d of drives) {
    const type = d.drive.kind === 'hdd' ? d.drive.create?.type : undefined
    if (type === 'Differencing' || type === 'Dynamic') {
      at(d.path, `${label(d.drive.role, d.drive.name)} is a ${type.toLowerCase()} disk; use a fixed or pass-through disk`)
    }
  }
  const timeSync = guest.integration.services.find((s) => s.key === 'timeSynchronization')
  if (timeSync?.enabled) {
    at(['spec', 'integration'], 'turn the Time Synchronization service off (integration.services.timeSynchronization: false); the DC takes time from the domain hierarchy')
  }
  if (!atLeast(host.os, 'windows-server-2016')) {
    // Checkpoint types (disabled among them) arrived with 2016: asking for one here is an error
    // (checkpoints-unsupported-host), so the guidance is only for a template that asks for them.
    if (guest.checkpoints === 'standard') {
      at(['spec', 'checkpoints'], `remove checkpoints: standard and take no checkpoints of this DC (a ${host.os} host cannot turn them off); restoring one rolls back its update sequence numbers`)
    }
  } else if (guest.checkpoints !== 'disabled') {
    at(['spec', 'checkpoints'], 'set checkpoints: disabled; restoring a checkpoint of a DC rolls back its update sequence numbers')
  }
  return out
}
