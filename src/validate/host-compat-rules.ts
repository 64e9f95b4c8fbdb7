/**
 * What the host's Hyper-V release can run (docs/hyperv-facts.md, 'Configuration versions'; docs/host-versions.md): VHDX arrived with
 * Windows Server 2012, Generation 2 VMs with 2012 R2, and a host supports Windows guests up to
 * its own release (configuration versions: 2008 R2 = 3.0 … 2019 = 9.0).
 */
import {report} from '../model/codes.js'
import type {GuestRule} from './types.js'
import {atLeast, hostLevel} from '../model/host-os.js'
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

/** The value written at `path` of the template's spec (undefined when the key is not there). */
function written(spec: unknown, path: Array<string | number>): unknown {
  let at: unknown = {spec}
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<string | number, unknown>)[key]
  }
  return at
}

/**
 * A disk with no format is already VHD on these hosts (resolve-drives.ts), so what is left is a
 * VHDX the template asked for: `format: vhdx` (reported at that line), or a parent or copy
 * source that is a .vhdx (reported at the disk, since its file decides the format).
 */
export const vhdxHostRule: GuestRule = ({guest, drives, host, spec, locate}) => {
  if (atLeast(host.os, 'windows-server-2012')) return []
  const isVhdx = (d: (typeof drives)[number]['drive']) =>
    d.kind === 'hdd' && (d.create ? d.create.format === 'vhdx' : (d.copyFrom ?? d.path ?? '').toLowerCase().endsWith('.vhdx'))
  return drives
    .filter((f) => isVhdx(f.drive))
    .map(({drive: d, path}) => {
      const explicit = written(spec, [...path, 'format']) !== undefined
      const what = d.role === 'boot' ? 'the boot disk' : `data disk "${d.name}"`
      const why = explicit ? 'format: vhdx' : `its ${d.create?.parentPath ? 'parent' : 'source'} ${d.create?.parentPath ?? d.copyFrom ?? d.path} is a VHDX`
      return report(
        'vhdx-unsupported-host',
        `${what} is a VHDX (${why}), which ${host.os} hosts cannot use (VHDX arrived with Windows Server 2012); ${explicit ? 'remove format: (VHD is the default there) or write format: vhd' : 'use a VHD parent or source'}`,
        {guest: guest.name, source: locate(explicit ? [...path, 'format'] : path)},
      )
    })
}

/** Checkpoint types (Set-VM -CheckpointType) arrived with Windows Server 2016 and Windows 10. */
export const checkpointsHostRule: GuestRule = ({guest, host, locate}) => {
  const c = guest.checkpoints
  if (c === null || c === 'standard' || atLeast(host.os, 'windows-server-2016')) return []
  const what = c === 'disabled' ? 'cannot turn checkpoints off' : 'has no production checkpoints'
  return [
    report(
      'checkpoints-unsupported-host',
      `checkpoints: ${c}: a ${host.os} host ${what} (Set-VM has no -CheckpointType before Windows Server 2016 / Windows 10; it takes standard checkpoints only); remove checkpoints: or use a 2016 or later host`,
      {guest: guest.name, source: locate(['spec', 'checkpoints'])},
    ),
  ]
}

/** Set-VMFirmware -SecureBootTemplate arrived with Windows Server 2016; 2012 R2 Gen2 has the Windows template only. */
export const secureBootTemplateHostRule: GuestRule = ({guest, host, locate}) =>
  guest.generation === 2 && guest.firmware.secureBootTemplate !== null && !atLeast(host.os, 'windows-server-2016')
    ? [
        report(
          'secure-boot-template-unsupported-host',
          `firmware.secureBootTemplate: ${guest.firmware.secureBootTemplate}: a ${host.os} host has no Secure Boot templates (Set-VMFirmware -SecureBootTemplate arrived with Windows Server 2016; 2012 R2 boots Gen2 guests with the Microsoft Windows template only); remove it, or for a Linux guest set firmware.secureBoot: off`,
          {guest: guest.name, source: locate(['spec', 'firmware', 'secureBootTemplate'])},
        ),
      ]
    : []

/** Set-VMProcessor -ExposeVirtualizationExtensions arrived with Windows Server 2016 and Windows 10. */
export const nestedVirtHostRule: GuestRule = ({guest, host, locate}) =>
  guest.nestedVirtualization && !atLeast(host.os, 'windows-server-2016')
    ? [
        report(
          'nested-virt-unsupported-host',
          `nestedVirtualization: true needs a Windows Server 2016 or Windows 10 or later host (Set-VMProcessor -ExposeVirtualizationExtensions); ${host.name} is ${host.os}`,
          {guest: guest.name, source: locate(['spec', 'nestedVirtualization'])},
        ),
      ]
    : []

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
