/**
 * A guest template's `firstBoot:` as the plan's first-boot record: which kind of document, the
 * template that renders it, and the seed media it is written to (its path next to the guest's
 * disks and the volume label the guest looks for). The files are rendered later, once the guest
 * is resolved (render-files.ts), because a first-boot template sees the resolved guest.
 */
import type {PlannedFirstBoot} from '../../model/plan.js'
import type {GuestSpec} from '../../model/schemas.js'
import {winJoin} from '../../util/windows-path.js'

/** The label each reader looks for: cloud-init NoCloud `cidata`, Anaconda `OEMDRV`, and `UNATTEND` for Windows Setup. */
const FIRSTBOOT_LABEL = {cloudInit: 'cidata', kickstart: 'OEMDRV', unattend: 'UNATTEND'} as const

/** First-boot configuration: which template renders it and the seed media it is written to. */
export function resolveFirstBoot(guest: string, guestDir: string, spec: GuestSpec): PlannedFirstBoot | null {
  const fb = spec.firstBoot
  if (!fb) return null
  const kind = fb.cloudInit !== undefined ? 'cloudInit' : fb.kickstart !== undefined ? 'kickstart' : 'unattend'
  return {
    kind,
    template: (fb.cloudInit ?? fb.kickstart ?? fb.unattend)!,
    media: winJoin(guestDir, `${guest}-firstboot.iso`),
    label: FIRSTBOOT_LABEL[kind],
    values: fb.values ?? {},
    // rendered after the guest is resolved (planFirstBoot, render-files.ts)
    files: [],
    bootHint: null,
    secret: false, // set when the files are rendered
    keepMedia: fb.keepMedia ?? false,
  }
}
