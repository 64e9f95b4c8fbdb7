/**
 * Seed media: a guest's rendered first-boot files as the ISO 9660 + Joliet image the run
 * writes next to the guest's disks and attaches on the plan's firstboot-media DVD slot. The
 * volume label is what the guest looks for (cidata, OEMDRV, UNATTEND). Built in-process, so
 * it works the same on a Windows admin box with nothing installed and on Linux.
 */
import {createHash} from 'node:crypto'
import {gzipSync} from 'node:zlib'
import type {PlannedGuest} from '../../model/plan.js'
import {buildIso} from '../../media/iso9660.js'
import {seedFilesOf} from './seed-files.js'

/**
 * The image as a request carries it: gzip-compressed, with the image's own size and SHA-256,
 * which the host checks before it writes a byte (Write-HvMediaFile in ps/HvGuest/Private/Guest.ps1).
 * An ISO 9660 image is mostly zeros (16 sectors of system area, sector padding, 150 sectors of
 * tail): a cloud-init seed of 350 KB is 2 KB compressed. Sent as it is, base64 inside a base64
 * request line, it made every create-guest request 655 KB, which pwsh takes 165 ms to read.
 */
export interface SeedMedia {
  /** Windows path on the host: the plan's firstBoot.media. */
  path: string
  gzipBase64: string
  sizeBytes: number
  sha256: string
}

export function seedMediaFor(guest: Pick<PlannedGuest, 'firstBoot'>, date: Date = new Date()): SeedMedia | null {
  const fb = guest.firstBoot
  if (!fb || fb.files.length === 0) return null
  const image = buildIso({volumeId: fb.label, files: seedFilesOf(guest).map((f) => ({name: f.name, content: f.content})), date})
  return {path: fb.media, gzipBase64: gzipSync(image).toString('base64'), sizeBytes: image.length, sha256: createHash('sha256').update(image).digest('hex')}
}

/** The `media` list of a create-guest request: the seed image, written before its DVD is attached. */
export function seedMediaList(guest: Pick<PlannedGuest, 'firstBoot'>): SeedMedia[] {
  const media = seedMediaFor(guest)
  return media ? [media] : []
}
