/**
 * Turns the template's disks and DVDs, plus the IC and first-boot media the resolver adds,
 * into planned drives: what each is, where its file lives on the host, and how it is made.
 * Controller slots are assigned afterwards by layout/allocate-slots.ts, in the order of the
 * list returned here: boot, integration media, first-boot media, template DVDs, data disks.
 */
import type {Diagnostic} from '../model/diagnostic.js'
import type {DiskCreation, PlannedDrive, PlannedFirstBoot, PlannedIntegration} from '../model/plan.js'
import type {Locate} from '../model/source.js'
import {report} from '../model/codes.js'
import type {BootDisk, ControllerPin, DataDisk, GuestSpec} from '../model/schemas.js'
import {atLeast, type HostOs} from '../model/host-os.js'
import {winExtension, winJoin} from '../util/windows-path.js'
import type {SlotRequest} from './layout/allocate-slots.js'

export interface DriveDraft {
  drive: Omit<PlannedDrive, 'controller'>
  request: SlotRequest
  /** Where the drive was written in the template (for rules). */
  path: Array<string | number>
}

type Format = 'vhdx' | 'vhd'

function creation(type: DiskCreation['type'], format: Format, d: {size?: number; blockSize?: number; sectorSize?: number}, parentPath: string | null = null): DiskCreation {
  return {
    type,
    sizeBytes: d.size ?? null,
    parentPath,
    blockSizeBytes: d.blockSize ?? null,
    sectorSizeBytes: d.sectorSize ?? null,
    format,
  }
}

/**
 * The format a disk with no `format:` gets: what the host can use. VHDX arrived with Windows
 * Server 2012, so 2008 and 2008 R2 hosts get VHD.
 */
export function defaultDiskFormat(hostOs: HostOs): Format {
  return atLeast(hostOs, 'windows-server-2012') ? 'vhdx' : 'vhd'
}

/** A differencing disk (or a copy) has its source's format; a new disk the host's default. */
function formatOf(explicit: Format | undefined, hostDefault: Format, source?: string): Format {
  if (explicit) return explicit
  if (source) {
    const ext = winExtension(source)
    if (ext === 'vhd' || ext === 'vhdx') return ext
  }
  return hostDefault
}

function emptyDrive(kind: 'hdd' | 'dvd', role: PlannedDrive['role'], name: string): Omit<PlannedDrive, 'controller'> {
  return {kind, role, name, path: null, create: null, copyFrom: null, diskNumber: null, pinned: false}
}

function bootDraft(guest: string, dir: string, b: BootDisk, hostDefault: Format, locate: Locate, diagnostics: Diagnostic[]): DriveDraft {
  const path = ['spec', 'bootDisk']
  const drive = emptyDrive('hdd', 'boot', 'boot')
  const fileName = (fmt: string) => winJoin(dir, `${guest}-boot.${fmt}`)
  if (b.parent !== undefined) {
    if (b.type && b.type !== 'differencing') {
      diagnostics.push(
        report('disk-spec-invalid', `bootDisk has a parent, so it is a differencing disk, not ${b.type}`, {guest, source: locate([...path, 'type'])}),
      )
    }
    const fmt = formatOf(b.format, hostDefault, b.parent)
    drive.path = fileName(fmt)
    drive.create = creation('Differencing', fmt, b, b.parent)
  } else if (b.size !== undefined) {
    if (b.type === 'differencing') {
      diagnostics.push(report('disk-spec-invalid', 'a differencing bootDisk needs parent:, not size:', {guest, source: locate([...path, 'type'])}))
    }
    const fmt = formatOf(b.format, hostDefault)
    drive.path = fileName(fmt)
    drive.create = creation(b.type === 'fixed' ? 'Fixed' : 'Dynamic', fmt, b)
  } else if (b.copyFrom !== undefined) {
    const fmt = formatOf(b.format, hostDefault, b.copyFrom)
    drive.path = fileName(fmt)
    drive.copyFrom = b.copyFrom
  } else if (b.path !== undefined) {
    drive.path = b.path
  }
  return {drive, path, request: {kind: 'hdd', role: 'boot', label: 'boot disk', pin: b.controller, source: locate(b.controller ? [...path, 'controller'] : path)}}
}

function dataDraft(guest: string, dir: string, d: DataDisk, i: number, hostDefault: Format, locate: Locate, diagnostics: Diagnostic[]): DriveDraft {
  const path = ['spec', 'dataDisks', i]
  const src = locate(path)
  const drive = emptyDrive('hdd', 'data', d.name)
  const type =
    d.type ?? (d.parent !== undefined ? 'differencing' : d.path !== undefined ? 'existing' : d.diskNumber !== undefined ? 'passthrough' : 'dynamic')
  const bad = (msg: string) => diagnostics.push(report('disk-spec-invalid', `data disk "${d.name}": ${msg}`, {guest, source: src}))
  const fmt = formatOf(d.format, hostDefault, d.parent ?? d.path)
  switch (type) {
    case 'dynamic':
    case 'fixed':
      if (d.size === undefined) bad(`a ${type} disk needs size:`)
      if (d.parent !== undefined || d.path !== undefined || d.diskNumber !== undefined) bad(`a ${type} disk takes no parent:, path: or diskNumber:`)
      drive.path = winJoin(dir, `${d.name}.${fmt}`)
      drive.create = creation(type === 'fixed' ? 'Fixed' : 'Dynamic', fmt, d)
      break
    case 'differencing':
      if (d.parent === undefined) bad('a differencing disk needs parent:')
      drive.path = winJoin(dir, `${d.name}.${fmt}`)
      drive.create = creation('Differencing', fmt, d, d.parent ?? null)
      break
    case 'existing':
      if (d.path === undefined) bad('an existing disk needs path:')
      if (d.size !== undefined) bad('an existing disk keeps its own size; remove size:')
      drive.path = d.path ?? null
      break
    case 'passthrough':
      if (d.diskNumber === undefined) bad('a pass-through disk needs diskNumber: (the host disk, which must be offline)')
      if (d.size !== undefined || d.path !== undefined) bad('a pass-through disk is a physical disk: remove size: and path:')
      drive.diskNumber = d.diskNumber ?? null
      break
  }
  return {drive, path, request: {kind: 'hdd', role: 'data', label: `data disk "${d.name}"`, pin: d.controller, source: locate(d.controller ? [...path, 'controller'] : path)}}
}

function dvdDraft(role: PlannedDrive['role'], name: string, iso: string | null, pin: ControllerPin | undefined, source: ReturnType<Locate>, path: Array<string | number>): DriveDraft {
  const drive = emptyDrive('dvd', role, name)
  drive.path = iso
  return {drive, path, request: {kind: 'dvd', role, label: `${role === 'media' ? 'DVD drive' : role} "${name}"`, pin, source}}
}

export function draftDrives(input: {
  guest: string
  guestDir: string
  spec: GuestSpec
  integration: PlannedIntegration
  firstBoot: PlannedFirstBoot | null
  locate: Locate
  /** The target host's OS: a disk with no format gets the one this host can use. */
  hostOs: HostOs
}): {drafts: DriveDraft[]; diagnostics: Diagnostic[]} {
  const {guest, guestDir, spec, locate} = input
  const hostDefault = defaultDiskFormat(input.hostOs)
  const diagnostics: Diagnostic[] = []
  const drafts: DriveDraft[] = [bootDraft(guest, guestDir, spec.bootDisk, hostDefault, locate, diagnostics)]
  if (input.integration.media) {
    drafts.push(dvdDraft('integration-media', 'integration-media', input.integration.media, undefined, locate(['spec', 'integration']), ['spec', 'integration']))
  }
  if (input.firstBoot) {
    drafts.push(dvdDraft('firstboot-media', 'firstboot-media', input.firstBoot.media, undefined, locate(['spec', 'firstBoot']), ['spec', 'firstBoot']))
  }
  ;(spec.dvdDrives ?? []).forEach((d, i) => {
    const path = ['spec', 'dvdDrives', i]
    drafts.push(dvdDraft('media', `dvd${i + 1}`, d.iso ?? null, d.controller, locate(d.controller ? [...path, 'controller'] : path), path))
  })
  ;(spec.dataDisks ?? []).forEach((d, i) => drafts.push(dataDraft(guest, guestDir, d, i, hostDefault, locate, diagnostics)))
  return {drafts, diagnostics}
}
