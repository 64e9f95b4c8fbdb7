/**
 * Boot order.
 *
 * Generation 1: BootDevice names for `Set-VMBios -StartupOrder`, which takes the whole list of
 * CD, IDE, LegacyNetworkAdapter and Floppy (docs/hyperv-facts.md, 'Boot order' [PS:Set-VMBios]); so the
 * result always holds all four, the requested ones first. On Gen1 `vhd` means IDE and
 * `networkAdapter` means LegacyNetworkAdapter [PS:New-VM]: a Gen1 VM PXE-boots only through a
 * legacy adapter [GEN].
 *
 * Generation 2: device references for `Set-VMFirmware -BootOrder` [PS:Set-VMFirmware]: the boot
 * disk (`SCSI n:m`), the DVD drives, then the synthetic adapters (`network:<name>`), with a
 * requested order honoured class by class. Gen2 has no floppy and no legacy adapter [GEN].
 */
import type {Diagnostic, SourceRef} from '../../model/diagnostic.js'
import type {PlannedDrive, PlannedNetworkAdapter} from '../../model/plan.js'
import {report} from '../../model/codes.js'

export type Gen1BootDevice = 'CD' | 'IDE' | 'LegacyNetworkAdapter' | 'Floppy'

/** Template names (firmware.bootOrder, BOOT_DEVICES in spec/schemas.ts) → Gen1 BootDevice. */
const GEN1_DEVICE: Record<string, Gen1BootDevice> = {
  cd: 'CD',
  ide: 'IDE',
  vhd: 'IDE',
  legacyNetworkAdapter: 'LegacyNetworkAdapter',
  networkAdapter: 'LegacyNetworkAdapter',
  floppy: 'Floppy',
}

/** Installing onto a blank disk boots the media first; anything else boots its disk first. */
const GEN1_DEFAULT_BLANK: readonly Gen1BootDevice[] = ['CD', 'IDE', 'LegacyNetworkAdapter', 'Floppy']
const GEN1_DEFAULT: readonly Gen1BootDevice[] = ['IDE', 'CD', 'LegacyNetworkAdapter', 'Floppy']

type Gen2Class = 'disk' | 'dvd' | 'network'
/**
 * Gen2 has no IDE; `ide` and `vhd` both mean "the boot disk" there, which is what a template
 * moved from Gen1 means by them. Floppy and legacy adapters have no Gen2 equivalent.
 */
const GEN2_CLASS: Record<string, Gen2Class | undefined> = {
  cd: 'dvd',
  ide: 'disk',
  vhd: 'disk',
  networkAdapter: 'network',
}
const GEN2_DEFAULT: readonly Gen2Class[] = ['disk', 'dvd', 'network']

export interface BootOrderInput {
  generation: 1 | 2
  /** Template firmware.bootOrder: cd | ide | legacyNetworkAdapter | floppy | networkAdapter | vhd. */
  requested?: string[]
  drives: PlannedDrive[]
  adapters: PlannedNetworkAdapter[]
  hasFloppy: boolean
  bootDiskIsBlank: boolean
  guest?: string
  source?: SourceRef
}

export function resolveBootOrder(input: BootOrderInput): {bootOrder: string[]; diagnostics: Diagnostic[]} {
  return input.generation === 1 ? gen1(input) : gen2(input)
}

function gen1(input: BootOrderInput): {bootOrder: string[]; diagnostics: Diagnostic[]} {
  const diagnostics: Diagnostic[] = []
  const has: Record<Gen1BootDevice, boolean> = {
    CD: input.drives.some((d) => d.kind === 'dvd'),
    IDE: input.drives.some((d) => d.kind === 'hdd' && d.controller.type === 'IDE'),
    LegacyNetworkAdapter: input.adapters.some((a) => a.legacy),
    Floppy: input.hasFloppy,
  }
  const lacking: Record<Gen1BootDevice, string> = {
    CD: 'no DVD drive',
    IDE: 'no IDE hard disk',
    LegacyNetworkAdapter:
      'no legacy network adapter (a Generation 1 VM PXE-boots only through a legacy adapter; set legacy: true on one adapter)',
    Floppy: 'no floppy disk (spec.floppy)',
  }
  const order: Gen1BootDevice[] = []
  for (const name of input.requested ?? []) {
    const device = GEN1_DEVICE[name]
    if (!device || order.includes(device)) continue
    order.push(device)
    if (!has[device]) {
      diagnostics.push(
        report('boot-order-device-missing', `boot order names ${name} (${device}), but the VM has ${lacking[device]}; the firmware skips it`, {
          guest: input.guest,
          source: input.source,
        }),
      )
    }
  }
  for (const device of input.bootDiskIsBlank ? GEN1_DEFAULT_BLANK : GEN1_DEFAULT) {
    if (!order.includes(device)) order.push(device)
  }
  return {bootOrder: order, diagnostics}
}

function gen2(input: BootOrderInput): {bootOrder: string[]; diagnostics: Diagnostic[]} {
  const diagnostics: Diagnostic[] = []
  const ref = (d: PlannedDrive) => `${d.controller.type} ${d.controller.number}:${d.controller.location}`
  const devices: Record<Gen2Class, string[]> = {
    disk: input.drives.filter((d) => d.kind === 'hdd' && d.role === 'boot').map(ref),
    dvd: input.drives.filter((d) => d.kind === 'dvd').map(ref),
    network: input.adapters.filter((a) => !a.legacy).map((a) => `network:${a.name}`),
  }
  const lacking: Record<Gen2Class, string> = {disk: 'no boot disk', dvd: 'no DVD drive', network: 'no network adapter'}
  const classes: Gen2Class[] = []
  const warned = new Set<string>()
  const missing = (name: string, why: string) => {
    if (warned.has(name)) return
    warned.add(name)
    diagnostics.push(report('boot-order-device-missing', `boot order names ${name}, but ${why}; it is left out`, {guest: input.guest, source: input.source}))
  }
  for (const name of input.requested ?? []) {
    const cls = GEN2_CLASS[name]
    if (!cls) {
      missing(name, `a Generation 2 VM has no ${name === 'floppy' ? 'floppy drive' : name === 'legacyNetworkAdapter' ? 'legacy network adapter' : name}`)
      continue
    }
    if (classes.includes(cls)) continue
    classes.push(cls)
    if (devices[cls].length === 0) missing(name, `the VM has ${lacking[cls]}`)
  }
  for (const cls of GEN2_DEFAULT) if (!classes.includes(cls)) classes.push(cls)
  return {bootOrder: classes.flatMap((c) => devices[c]), diagnostics}
}
