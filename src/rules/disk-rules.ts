/**
 * Virtual disk limits (HYPERV-FACTS section 1-2): VHD 2040 GB, VHDX 64 TB; a Gen1 boot volume
 * is usable up to 2 TB; VHDX blocks are powers of 2 from 1 MB to 256 MB; Gen2 boots VHDX only.
 */
import {report} from './codes.js'
import type {GuestRule} from './types.js'
import {formatSize, GB, MB, TB} from '../spec/sizes.js'
import type {Diagnostic} from '../model/diagnostic.js'

export const FORMAT_LIMIT_BYTES = {vhd: 2040 * GB, vhdx: 64 * TB} as const
export const GEN1_BOOT_LIMIT_BYTES = 2 * TB

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0

export const diskSizeRule: GuestRule = ({guest, locate}) => {
  const out: Diagnostic[] = []
  guest.drives.forEach((d, i) => {
    const c = d.create
    if (!c || c.sizeBytes === null) return
    const limit = FORMAT_LIMIT_BYTES[c.format]
    const where = d.role === 'boot' ? ['spec', 'bootDisk', 'size'] : ['spec', 'dataDisks', dataIndex(guest.drives, i), 'size']
    if (c.sizeBytes > limit) {
      out.push(
        report(
          'disk-size-exceeds-format',
          `${label(d)} is ${formatSize(c.sizeBytes)}, over the ${c.format.toUpperCase()} limit of ${formatSize(limit)}${c.format === 'vhd' ? '; use format: vhdx (up to 64TB)' : ''}`,
          {guest: guest.name, source: locate(where)},
        ),
      )
    } else if (d.role === 'boot' && guest.generation === 1 && c.sizeBytes > GEN1_BOOT_LIMIT_BYTES) {
      out.push(
        report('boot-disk-exceeds-gen1', `the boot disk is ${formatSize(c.sizeBytes)}; a Generation 1 (BIOS, MBR) boot volume can use only 2TB of it`, {
          guest: guest.name,
          source: locate(where),
        }),
      )
    }
  })
  return out
}

export const blockSizeRule: GuestRule = ({guest, locate}) => {
  const out: Diagnostic[] = []
  guest.drives.forEach((d, i) => {
    const b = d.create?.blockSizeBytes
    if (b === null || b === undefined) return
    const where = d.role === 'boot' ? ['spec', 'bootDisk', 'blockSize'] : ['spec', 'dataDisks', dataIndex(guest.drives, i), 'blockSize']
    if (d.create!.format === 'vhdx' && (!isPowerOfTwo(b) || b < 1 * MB || b > 256 * MB)) {
      out.push(
        report('block-size-invalid', `${label(d)}: block size ${formatSize(b)} is not a power of 2 between 1MB and 256MB`, {guest: guest.name, source: locate(where)}),
      )
    }
  })
  return out
}

export const gen2VhdBootRule: GuestRule = ({guest, locate}) => {
  const boot = guest.drives.find((d) => d.role === 'boot')
  const fmt = boot?.create?.format ?? (boot?.path?.toLowerCase().endsWith('.vhd') ? 'vhd' : 'vhdx')
  if (guest.generation !== 2 || !boot || fmt !== 'vhd') return []
  return [report('vhd-format-gen2', 'a Generation 2 VM boots only from a VHDX; convert the disk or use generation: 1', {guest: guest.name, source: locate(['spec', 'bootDisk'])})]
}

export const duplicatePathRule: GuestRule = ({guest, locate}) => {
  const seen = new Map<string, string>()
  const out: Diagnostic[] = []
  guest.drives.forEach((d, i) => {
    if (d.kind !== 'hdd' || !d.path) return
    const key = d.path.toLowerCase()
    const first = seen.get(key)
    if (first) {
      out.push(
        report('disk-path-duplicate', `${label(d)} and ${first} resolve to the same file ${d.path}; give the disks distinct names`, {
          guest: guest.name,
          source: locate(d.role === 'boot' ? ['spec', 'bootDisk'] : ['spec', 'dataDisks', dataIndex(guest.drives, i)]),
        }),
      )
    } else seen.set(key, label(d))
  })
  return out
}

function label(d: {role: string; name: string}): string {
  return d.role === 'boot' ? 'the boot disk' : `data disk "${d.name}"`
}

/** Index among data disks, which is the index in spec.dataDisks after expansion. */
function dataIndex(drives: ReadonlyArray<{role: string}>, i: number): number {
  let n = 0
  for (let k = 0; k < i; k++) if (drives[k].role === 'data') n++
  return n
}
