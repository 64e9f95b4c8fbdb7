/**
 * Controller slot allocation (the layout of docs/plan-checks.md).
 *
 * Generation 1: 2 IDE controllers x 2 locations, and DVD drives take IDE slots too
 * (docs/hyperv-facts.md, 'IDE controllers': Get-VMIdeController accepts 0 and 1; at most 4 IDE devices [SCALE];
 * Gen1 has an "IDE CD-ROM" [GEN]). The boot disk must be IDE, because Gen1 cannot boot from
 * SCSI [SCALE][GEN]. SCSI: 4 controllers x 64 locations = 256 disks [SCALE].
 * Generation 2 has no IDE at all: everything is SCSI, DVDs included [GEN].
 *
 * Pinned devices are placed first and are honoured or rejected, never moved; the rest fill
 * the free slots in the orders below. Slots are always explicit (type, number, location),
 * because Add-VMHardDiskDrive without -ControllerType tries IDE first (docs/hyperv-facts.md, 'Adding a drive').
 *
 * Runs in O(requests + slots) per guest: a 256-disk guest costs one pass over 260 slots.
 */
import type {Diagnostic, SourceRef} from '../../model/diagnostic.js'
import type {ControllerSlot, ControllerType, DriveRole} from '../../model/plan.js'
import {report, type Code} from '../../model/codes.js'
import type {ControllerPin} from '../../model/schemas.js'

export interface SlotRequest {
  kind: 'hdd' | 'dvd'
  role: DriveRole
  /** For messages, e.g. `data disk "data3"`. */
  label: string
  pin?: ControllerPin
  source?: SourceRef
}

export const IDE_CONTROLLERS = 2
export const IDE_LOCATIONS = 2
export const SCSI_CONTROLLERS = 4
export const SCSI_LOCATIONS = 64

const IDE_SLOTS = IDE_CONTROLLERS * IDE_LOCATIONS
const SCSI_SLOTS = SCSI_CONTROLLERS * SCSI_LOCATIONS
const ALL_SLOTS = IDE_SLOTS + SCSI_SLOTS

/** Flat slot index: IDE n:l at n*2+l (0-3), SCSI n:l at 4 + n*64 + l. */
const ideIndex = (number: number, location: number) => number * IDE_LOCATIONS + location
const scsiIndex = (number: number, location: number) => IDE_SLOTS + number * SCSI_LOCATIONS + location

function slotAt(index: number): ControllerSlot {
  if (index < IDE_SLOTS) return {type: 'IDE', number: Math.floor(index / IDE_LOCATIONS), location: index % IDE_LOCATIONS}
  const s = index - IDE_SLOTS
  return {type: 'SCSI', number: Math.floor(s / SCSI_LOCATIONS), location: s % SCSI_LOCATIONS}
}

const describe = (type: ControllerType, number: number, location: number) => `${type} ${number}:${location}`
const describeIndex = (index: number) => {
  const s = slotAt(index)
  return describe(s.type, s.number, s.location)
}

/** Gen1 boot disk: IDE 0:0, and only if a pin took it, the next free IDE slot. */
const GEN1_BOOT_ORDER = [ideIndex(0, 0), ideIndex(0, 1), ideIndex(1, 0), ideIndex(1, 1)]
/** Gen1 DVDs: IDE 1:0, 1:1, 0:1 (docs/plan-checks.md), then 0:0 when the boot disk is elsewhere. */
const GEN1_DVD_ORDER = [ideIndex(1, 0), ideIndex(1, 1), ideIndex(0, 1), ideIndex(0, 0)]

/**
 * Gen1 only needs the startup disk on IDE (docs/hyperv-facts.md, 'Booting Generation 1' [SCALE]), so another IDE slot
 * still boots; 0:0 is where every tool and person looks for it, hence a warning, not an error.
 * But when another hard disk holds IDE 0:0, BIOS boot tries that disk first and the VM does not
 * start from the boot disk: an error.
 */
const NOT_IDE00 = 'it still boots from IDE, but Gen1 boot disks are expected at IDE 0:0 (first controller, first location); move the pin unless this is intended'
const notIde00Blocked = (other: string) =>
  `${other} is on IDE 0:0, and BIOS boot tries the IDE 0:0 hard disk first, so the VM would not start from the boot disk; put the boot disk on IDE 0:0 and ${other} elsewhere`

type Phase = 'boot' | 'dvd' | 'data'
const phaseOf = (r: SlotRequest): Phase => (r.kind === 'dvd' ? 'dvd' : r.role === 'boot' ? 'boot' : 'data')

export function allocateSlots(
  generation: 1 | 2,
  requests: SlotRequest[],
  guest?: string,
): {slots: Array<ControllerSlot | null>; diagnostics: Diagnostic[]} {
  const slots: Array<ControllerSlot | null> = new Array(requests.length).fill(null)
  const diagnostics: Diagnostic[] = []
  /** Request index occupying each flat slot, -1 when free. */
  const owner = new Int32Array(ALL_SLOTS).fill(-1)
  const problem = (i: number, code: Code, message: string) =>
    diagnostics.push(report(code, message, {guest, source: requests[i].source}))
  /**
   * boot-disk-not-ide00 reports, kept at their place among the diagnostics but written at the
   * end: whether one is an error depends on what holds IDE 0:0 once every device is placed.
   */
  const bootNotIde00: Array<{at: number; i: number; why: string}> = []
  const bootOffIde00 = (i: number, why: string) => {
    bootNotIde00.push({at: diagnostics.length, i, why})
    diagnostics.push(report('boot-disk-not-ide00', why, {guest, source: requests[i].source}))
  }
  const take = (i: number, index: number) => {
    owner[index] = i
    slots[i] = slotAt(index)
  }

  // 1. Pinned devices, in request order: the first pin on a slot wins, later ones conflict.
  requests.forEach((r, i) => {
    if (!r.pin) return
    const index = pinnedIndex(generation, r, (code, message) => problem(i, code, message), (why) => bootOffIde00(i, why))
    if (index === null) return
    const other = owner[index]
    if (other >= 0) {
      problem(
        i,
        'controller-slot-conflict',
        `${r.label} and ${requests[other].label} are both pinned to ${describeIndex(index)}; a pinned slot is never moved, so pin one of them elsewhere or drop its pin`,
      )
      return
    }
    take(i, index)
  })

  /** Unpinned boot disk and DVDs that found no IDE slot, in placement order (one report). */
  const misfits: number[] = []

  // 2. Unpinned devices fill what is left: boot disk, then DVDs, then data disks.
  const unpinned: Record<Phase, number[]> = {boot: [], dvd: [], data: []}
  requests.forEach((r, i) => {
    if (!r.pin) unpinned[phaseOf(r)].push(i)
  })

  if (generation === 2) {
    // Gen2: one SCSI sequence, 64 per controller: boot disk, then DVDs, then data disks.
    let cursor = IDE_SLOTS
    for (const i of [...unpinned.boot, ...unpinned.dvd, ...unpinned.data]) {
      while (cursor < ALL_SLOTS && owner[cursor] >= 0) cursor++
      if (cursor < ALL_SLOTS) take(i, cursor)
      else scsiFull(i)
    }
    finishBootNotIde00()
    return {slots, diagnostics}
  }

  for (const i of unpinned.boot) {
    const index = GEN1_BOOT_ORDER.find((x) => owner[x] < 0)
    if (index === undefined) {
      misfits.push(i)
      continue
    }
    take(i, index)
    if (index !== ideIndex(0, 0)) {
      bootOffIde00(i, `${requests[i].label} goes to ${describeIndex(index)} because ${requests[owner[ideIndex(0, 0)]].label} is pinned to IDE 0:0`)
    }
  }
  for (const i of unpinned.dvd) {
    const index = GEN1_DVD_ORDER.find((x) => owner[x] < 0)
    if (index === undefined) misfits.push(i)
    else take(i, index)
  }
  if (misfits.length > 0) ideFull(misfits)
  // Unpinned data disks never go to IDE: SCSI 0:0 ... 3:63.
  let cursor = IDE_SLOTS
  for (const i of unpinned.data) {
    while (cursor < ALL_SLOTS && owner[cursor] >= 0) cursor++
    if (cursor < ALL_SLOTS) take(i, cursor)
    else scsiFull(i)
  }
  finishBootNotIde00()
  return {slots, diagnostics}

  /**
   * One report per guest for every unpinned boot disk or DVD left without an IDE slot, at the
   * first of them. They are left over only when all 4 IDE slots are taken.
   */
  function ideFull(left: number[]) {
    const holders = GEN1_BOOT_ORDER.map((x) => `${describeIndex(x)} ${requests[owner[x]].label}`).join(', ')
    const needed = IDE_SLOTS + left.length
    problem(
      left[0],
      'ide-slots-exhausted',
      `${needed} devices need IDE slots, but Generation 1 has ${IDE_CONTROLLERS} IDE controllers x ${IDE_LOCATIONS} locations (${IDE_SLOTS} slots; the boot disk and DVD drives count against them): no slot left for ${left.map((i) => requests[i].label).join(', ')}. Taken: ${holders}. Drop a DVD drive or move media to fewer drives`,
    )
  }

  /** Severity and wording of each boot-disk-not-ide00, now that IDE 0:0 is settled. */
  function finishBootNotIde00() {
    const holder = owner[ideIndex(0, 0)]
    for (const {at, i, why} of bootNotIde00) {
      const blocker = holder >= 0 && holder !== i && requests[holder].kind === 'hdd' ? requests[holder] : undefined
      diagnostics[at] = blocker
        ? report('boot-disk-not-ide00', `${why}; ${notIde00Blocked(blocker.label)}`, {guest, severity: 'error', source: requests[i].source})
        : report('boot-disk-not-ide00', `${why}; ${NOT_IDE00}`, {guest, source: requests[i].source})
    }
  }

  function scsiFull(i: number) {
    problem(
      i,
      'scsi-controllers-exceeded',
      `${requests[i].label} does not fit: a VM has at most ${SCSI_CONTROLLERS} SCSI controllers x ${SCSI_LOCATIONS} locations (${SCSI_SLOTS} devices${generation === 2 ? ', DVD drives included on Generation 2' : ''}), and all are taken`,
    )
  }
}

/**
 * Flat index of a pinned slot, or null when the pin cannot be honoured (reported through
 * `fail`). A Gen1 boot disk on another IDE slot is allowed, and passed to `offIde00` (a warning,
 * or an error when another hard disk ends up on IDE 0:0).
 */
function pinnedIndex(
  generation: 1 | 2,
  r: SlotRequest,
  fail: (code: Code, message: string) => void,
  offIde00: (why: string) => void,
): number | null {
  const {type, number, location} = r.pin!
  const where = describe(type, number, location)
  if (type === 'IDE') {
    if (generation === 2) {
      fail('ide-on-gen2', `${r.label} is pinned to ${where}, but Generation 2 VMs have no IDE controller; pin it to SCSI or drop the pin`)
      return null
    }
    if (number >= IDE_CONTROLLERS || location >= IDE_LOCATIONS) {
      fail('ide-location-out-of-range', `${r.label} is pinned to ${where}; Generation 1 IDE controllers are 0-1 with locations 0-1`)
      return null
    }
    if (r.role === 'boot' && r.kind === 'hdd' && (number !== 0 || location !== 0)) {
      offIde00(`${r.label} is pinned to ${where} rather than IDE 0:0`)
    }
    return ideIndex(number, location)
  }
  if (generation === 1 && r.kind === 'dvd') {
    fail('dvd-scsi-gen1', `${r.label} is pinned to ${where}, but Generation 1 DVD drives are IDE devices (there is no SCSI DVD before Generation 2); pin it to IDE or drop the pin`)
    return null
  }
  if (generation === 1 && r.role === 'boot') {
    fail('scsi-boot-gen1', `${r.label} is pinned to ${where}, but a Generation 1 VM boots only from IDE; pin it to IDE 0:0 or drop the pin`)
    return null
  }
  if (number >= SCSI_CONTROLLERS) {
    fail('scsi-controllers-exceeded', `${r.label} is pinned to ${where}; a VM has at most ${SCSI_CONTROLLERS} SCSI controllers (0-${SCSI_CONTROLLERS - 1})`)
    return null
  }
  if (location >= SCSI_LOCATIONS) {
    fail('scsi-location-out-of-range', `${r.label} is pinned to ${where}; SCSI locations are 0-${SCSI_LOCATIONS - 1}`)
    return null
  }
  return scsiIndex(number, location)
}
