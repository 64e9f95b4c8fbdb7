/**
 * A guest without integration components cannot see synthetic devices: SCSI disks and
 * synthetic network adapters stay invisible until the ICs (or in-kernel hv_* drivers) load.
 */
import {report} from '../model/codes.js'
import type {GuestRule} from './types.js'
import type {Diagnostic} from '../model/diagnostic.js'

export const syntheticDevicesRule: GuestRule = ({guest, guestHasDrivers, locate}) => {
  if (guestHasDrivers) return []
  const out: Diagnostic[] = []
  const scsi = guest.drives.filter((d) => d.controller.type === 'SCSI').map((d) => d.name)
  const nics = guest.networkAdapters.filter((a) => !a.legacy).map((a) => a.name)
  if (scsi.length + nics.length === 0) return out
  const what = [scsi.length > 0 ? `SCSI drives (${scsi.join(', ')})` : '', nics.length > 0 ? `synthetic adapters (${nics.join(', ')})` : '']
    .filter(Boolean)
    .join(' and ')
  out.push(
    report(
      'ic-required-for-synthetic-devices',
      `the guest will not see its ${what} until integration components are installed (strategy ${guest.integration.strategy}); set integration.install to auto, or use IDE disks and a legacy adapter`,
      {guest: guest.name, source: locate(['spec', 'integration'])},
    ),
  )
  return out
}
