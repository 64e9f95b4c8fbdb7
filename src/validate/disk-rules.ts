/**
 * Virtual disk limits (docs/hyperv-facts.md, sections 2 and 3): VHD 2040 GB, VHDX 64 TB, at least 3 MB; a
 * Gen1 boot volume is usable up to 2 TB; VHDX blocks are powers of 2 from 1 MB to 256 MB; Gen2
 * boots VHDX only. These rules look at every drive the template asked for, placed or not,
 * and point at the line it was written on.
 */
import {report} from '../model/codes.js'
import type {GuestRule} from './types.js'
import {formatSize, GB, MB, TB} from '../model/sizes.js'
import type {Diagnostic} from '../model/diagnostic.js'
import type {DriveFact} from '../resolve/guest.js'

export const FORMAT_LIMIT_BYTES = {vhd: 2040 * GB, vhdx: 64 * TB} as const
/** New-VHD refuses anything smaller. */
export const MIN_DISK_BYTES = 3 * MB
export const GEN1_BOOT_LIMIT_BYTES = 2 * TB

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0

const label = (d: DriveFact['drive']) => (d.role === 'boot' ? 'the boot disk' : `data disk "${d.name}"`)

export const diskSizeRule: GuestRule = ({guest, drives, locate}) => {
  const out: Diagnostic[] = []
  for (const {drive: d, path} of drives) {
    const c = d.create
    if (!c || c.sizeBytes === null) continue
    const limit = FORMAT_LIMIT_BYTES[c.format]
    const source = locate([...path, 'size'])
    if (c.sizeBytes < MIN_DISK_BYTES) {
      out.push(
        report('disk-size-too-small', `${label(d)} is ${formatSize(c.sizeBytes)}; a virtual disk must be at least 3MB${c.sizeBytes < MB ? ' (a bare number is bytes: write 40GB, not 40)' : ''}`, {
          guest: guest.name,
          source,
        }),
      )
    } else if (c.sizeBytes > limit) {
      out.push(
        report(
          'disk-size-exceeds-format',
          `${label(d)} is ${formatSize(c.sizeBytes)}, over the ${c.format.toUpperCase()} limit of ${formatSize(limit)}${c.format === 'vhd' ? '; use format: vhdx (up to 64TB)' : ''}`,
          {guest: guest.name, source},
        ),
      )
    } else if (d.role === 'boot' && guest.generation === 1 && c.sizeBytes > GEN1_BOOT_LIMIT_BYTES) {
      out.push(
        report('boot-disk-exceeds-gen1', `the boot disk is ${formatSize(c.sizeBytes)}; a Generation 1 (BIOS, MBR) boot volume can use only 2TB of it`, {guest: guest.name, source}),
      )
    }
  }
  return out
}

export const blockSizeRule: GuestRule = ({guest, drives, locate}) => {
  const out: Diagnostic[] = []
  for (const {drive: d, path} of drives) {
    const b = d.create?.blockSizeBytes
    if (b === null || b === undefined || d.create!.format !== 'vhdx') continue
    if (!isPowerOfTwo(b) || b < 1 * MB || b > 256 * MB) {
      out.push(
        report('block-size-invalid', `${label(d)}: block size ${formatSize(b)} is not a power of 2 between 1MB and 256MB`, {
          guest: guest.name,
          source: locate([...path, 'blockSize']),
        }),
      )
    }
  }
  return out
}

export const gen2VhdBootRule: GuestRule = ({guest, drives, locate}) => {
  const boot = drives.find((d) => d.drive.role === 'boot')
  if (guest.generation !== 2 || !boot) return []
  const fmt = boot.drive.create?.format ?? (boot.drive.path?.toLowerCase().endsWith('.vhd') ? 'vhd' : 'vhdx')
  if (fmt !== 'vhd') return []
  return [report('vhd-format-gen2', 'a Generation 2 VM boots only from a VHDX; convert the disk or use generation: 1', {guest: guest.name, source: locate(boot.path)})]
}

export const duplicatePathRule: GuestRule = ({guest, drives, locate}) => {
  const seen = new Map<string, string>()
  const out: Diagnostic[] = []
  for (const {drive: d, path} of drives) {
    if (d.kind !== 'hdd' || !d.path) continue
    const key = d.path.toLowerCase()
    const first = seen.get(key)
    if (first) {
      out.push(
        report('disk-path-duplicate', `${label(d)} and ${first} resolve to the same file ${d.path}; give the disks distinct names`, {
          guest: guest.name,
          source: locate(path),
        }),
      )
    } else seen.set(key, label(d))
  }
  return out
}
