/**
 * Virtualized domain controller guidance (HYPERV-FACTS section 6, [VDC]): NTDS.DIT, logs and
 * SYSVOL on a virtual SCSI disk; fixed or pass-through disks, never differencing; the Time
 * Synchronization IC off (the DC syncs from the domain hierarchy); no checkpoints.
 */
import {report} from './codes.js'
import type {GuestRule} from './types.js'
import type {Diagnostic} from '../model/diagnostic.js'

export const domainControllerRule: GuestRule = ({guest, locate}) => {
  if (!guest.roles.includes('domain-controller')) return []
  const out: Diagnostic[] = []
  const at = (path: Array<string | number>, message: string) =>
    out.push(report('dc-guidance', `domain controller: ${message}`, {guest: guest.name, source: locate(path)}))

  const scsiData = guest.drives.filter((d) => d.kind === 'hdd' && d.role === 'data' && d.controller.type === 'SCSI')
  if (scsiData.length === 0) {
    at(['spec', 'dataDisks'], 'put NTDS.DIT, its logs and SYSVOL on a data disk on a SCSI controller (not IDE); add a dataDisks entry')
  }
  guest.drives.forEach((d) => {
    if (d.kind === 'hdd' && d.create?.type === 'Differencing') {
      at(d.role === 'boot' ? ['spec', 'bootDisk'] : ['spec', 'dataDisks'], `${d.role === 'boot' ? 'the boot disk' : `data disk "${d.name}"`} is a differencing disk; use a fixed or pass-through disk`)
    }
  })
  const timeSync = guest.integration.services.find((s) => s.key === 'timeSynchronization')
  if (timeSync?.enabled) {
    at(['spec', 'integration'], 'turn the Time Synchronization service off (integration.services.timeSynchronization: false); the DC takes time from the domain hierarchy')
  }
  if (guest.checkpoints !== 'disabled') {
    at(['spec', 'checkpoints'], 'set checkpoints: disabled; restoring a checkpoint of a DC rolls back its USNs')
  }
  return out
}
