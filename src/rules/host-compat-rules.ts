/**
 * What the host's Hyper-V release can run (HYPERV-FACTS section 1): VHDX arrived with
 * Windows Server 2012, Generation 2 VMs with 2012 R2, and a host supports Windows guests up to
 * its own release (configuration versions: 2008 R2 = 3.0 … 2019 = 9.0).
 */
import {report} from './codes.js'
import type {GuestRule} from './types.js'
import {atLeast, hostLevel} from '../spec/host-os.js'
import type {Diagnostic} from '../model/diagnostic.js'

/** The Hyper-V platform each Windows guest release belongs to, on the host-os.ts scale. */
const WINDOWS_GUEST_LEVEL: Record<string, number> = {
  '2008': 2008.0,
  '2008r2': 2008.5,
  '7': 2008.5,
  '2012': 2012.0,
  '8': 2012.0,
  '2012r2': 2012.5,
  '8.1': 2012.5,
  '2016': 2016.0,
  '10': 2016.0,
  '2019': 2019.0,
  '2022': 2022.0,
  '11': 2022.0,
  '2025': 2025.0,
}

export const vhdxHostRule: GuestRule = ({guest, drives, host, locate}) => {
  if (atLeast(host.os, 'windows-server-2012')) return []
  const isVhdx = (d: (typeof drives)[number]['drive']) =>
    d.kind === 'hdd' && (d.create ? d.create.format === 'vhdx' : (d.copyFrom ?? d.path ?? '').toLowerCase().endsWith('.vhdx'))
  return drives
    .filter((f) => isVhdx(f.drive))
    .map(({drive: d, path}) =>
      report('vhdx-unsupported-host', `${d.role === 'boot' ? 'the boot disk' : `data disk "${d.name}"`} is a VHDX, which ${host.os} hosts cannot use (VHDX arrived with Windows Server 2012); use format: vhd`, {
        guest: guest.name,
        source: locate(path),
      }),
    )
}

export const generationHostRule: GuestRule = ({guest, host, locate}) =>
  guest.generation === 2 && !atLeast(host.os, 'windows-server-2012r2')
    ? [report('generation-unsupported-host', `Generation 2 VMs need a Windows Server 2012 R2 or later host; ${host.name} is ${host.os}`, {guest: guest.name, source: locate(['spec', 'generation'])})]
    : []

export const guestNewerThanHostRule: GuestRule = ({guest, host, locate}) => {
  const out: Diagnostic[] = []
  if (guest.os.family !== 'windows') return out
  const level = WINDOWS_GUEST_LEVEL[guest.os.version.toLowerCase().replace(/\s+/g, '')]
  if (level !== undefined && level > hostLevel(host.os)) {
    out.push(
      report('guest-newer-than-host', `Windows ${guest.os.version} is newer than host ${host.name} (${host.os}); Hyper-V supports Windows guests up to the host's own release`, {
        guest: guest.name,
        source: locate(['spec', 'os']),
      }),
    )
  }
  return out
}
