/**
 * Seed media: a guest's rendered first-boot files as the ISO 9660 + Joliet image the run
 * writes next to the guest's disks and attaches on the plan's firstboot-media DVD slot. The
 * volume label is what the guest looks for (cidata, OEMDRV, UNATTEND). Built in-process, so
 * it works the same on a Windows admin box with nothing installed and on Linux.
 */
import type {PlannedGuest} from '../../model/plan.js'
import {buildIso} from '../../media/iso9660.js'
import {seedFilesOf} from './seed-files.js'

export interface SeedMedia {
  /** Windows path on the host: the plan's firstBoot.media. */
  path: string
  contentBase64: string
}

export function seedMediaFor(guest: Pick<PlannedGuest, 'firstBoot'>, date: Date = new Date()): SeedMedia | null {
  const fb = guest.firstBoot
  if (!fb || fb.files.length === 0) return null
  const image = buildIso({volumeId: fb.label, files: seedFilesOf(guest).map((f) => ({name: f.name, content: f.content})), date})
  return {path: fb.media, contentBase64: image.toString('base64')}
}

/** The `media` list of a create-guest request: the seed image, written before its DVD is attached. */
export function seedMediaList(guest: Pick<PlannedGuest, 'firstBoot'>): SeedMedia[] {
  const media = seedMediaFor(guest)
  return media ? [media] : []
}
