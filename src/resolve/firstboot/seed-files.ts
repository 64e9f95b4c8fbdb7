/**
 * The seed media's files with the secrets in them. A plan (and everything printed or written
 * from it) carries the first-boot files with each secret shown as (secret); the real bytes are
 * rendered only here, when the media is written, by the renderer the planning run left with the
 * guest's first-boot record (render-files.ts). It lives in memory only: a WeakMap, never a
 * property, so no JSON of a plan can carry it.
 */
import type {PlannedFirstBoot, PlannedFirstBootFile, PlannedGuest} from '../../model/plan.js'
import type {SecretForm, SecretMode} from '../../render/secret-value.js'

export interface SecretUse {
  parameter: string
  description: string | null
  forms: SecretForm[]
}

export interface SeedRenderer {
  render: (mode: Exclude<SecretMode, 'redacted'>) => PlannedFirstBootFile[]
  /** The secret parameters the files use, and how. */
  parameters: SecretUse[]
}

const renderers = new WeakMap<PlannedFirstBoot, SeedRenderer>()

/** Called by the planning run for a guest whose first-boot files carry a secret. */
export function rememberSeedRenderer(firstBoot: PlannedFirstBoot, renderer: SeedRenderer): void {
  renderers.set(firstBoot, renderer)
}

/** The first-boot files with every secret filled in (hashes get a fresh random salt per call). */
export function seedFilesOf(guest: Pick<PlannedGuest, 'firstBoot'>): PlannedFirstBootFile[] {
  const fb = guest.firstBoot
  if (!fb) return []
  const renderer = renderers.get(fb)
  if (renderer) return renderer.render('real')
  if (fb.secret) throw new Error(`the seed media of this guest carries a secret, and this plan was not made in this process: plan it again to write the media`)
  return fb.files
}

/**
 * The first-boot files with each secret as a token `@@HVGUEST-SECRET:<parameter>:<form>@@`, for a
 * script that asks for the secrets when it runs (create --emit --no-secrets); `secrets` lists
 * each secret parameter the files use and in which forms. A hash of a value that is not a
 * secret parameter is computed here, as in the media.
 */
export function seedPlaceholderFilesOf(guest: Pick<PlannedGuest, 'firstBoot'>): {files: PlannedFirstBootFile[]; secrets: SecretUse[]} {
  const fb = guest.firstBoot
  if (!fb) return {files: [], secrets: []}
  const renderer = renderers.get(fb)
  if (renderer) return {files: renderer.render('placeholder'), secrets: renderer.parameters}
  if (fb.secret) throw new Error(`the seed media of this guest carries a secret, and this plan was not made in this process: plan it again to write the media`)
  return {files: fb.files, secrets: []}
}
