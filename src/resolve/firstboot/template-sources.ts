/**
 * Where each file of a guest's seed media is rendered from. A `firstBoot:` reference is looked
 * up next to the guest template, then in the project folder, then among the built-ins
 * (`templates/`), so `firstboot/cloud-init` names the built-in set.
 *
 * - cloudInit: `user-data`, `meta-data`, `network-config`. The reference names a user-data
 *   template, or a folder holding `user-data.yaml.hbs` and, when a team wants its own,
 *   `meta-data.yaml.hbs` / `network-config.yaml.hbs`; missing ones come from the built-in
 *   `templates/firstboot/cloud-init/`.
 * - kickstart: `ks.cfg`.
 * - unattend: `autounattend.xml` and `unattend.xml`, the same document under both names:
 *   Windows Setup looks for the first on removable media, a generalized image's
 *   specialize/oobe passes for either, depending on version.
 */
import {existsSync, statSync} from 'node:fs'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import type {PlannedFirstBoot} from '../../model/plan.js'
import {BUILTIN_ROOT} from '../../load/library.js'

/** The built-in cloud-init set, for the files a team's own set leaves out. */
const CLOUD_INIT_DEFAULTS = join(BUILTIN_ROOT, 'firstboot', 'cloud-init')
const CLOUD_INIT_FILES = ['user-data', 'meta-data', 'network-config'] as const

/** One file of the media (`media`: its name there) and the template it is rendered from. */
export interface MediaSource {
  media: string
  file: string
}

/** The template a `firstBoot:` reference names, or undefined when there is none. */
export function findTemplate(ref: string, templateFile: string | null, cwd: string): string | undefined {
  const candidates = isAbsolute(ref) ? [ref] : [templateFile && resolve(dirname(templateFile), ref), resolve(cwd, ref), join(BUILTIN_ROOT, ref)]
  return candidates.find((c): c is string => !!c && existsSync(c))
}

/** The media's files, in media order; `missing` when a cloud-init folder has no user-data template. */
export function mediaSources(kind: PlannedFirstBoot['kind'], found: string): {files: MediaSource[]} | {missing: true} {
  if (kind === 'kickstart') return {files: [{media: 'ks.cfg', file: found}]}
  if (kind === 'unattend') return {files: [{media: 'autounattend.xml', file: found}, {media: 'unattend.xml', file: found}]}
  if (!statSync(found).isDirectory()) {
    return {files: CLOUD_INIT_FILES.map((media) => ({media, file: media === 'user-data' ? found : join(CLOUD_INIT_DEFAULTS, `${media}.yaml.hbs`)}))}
  }
  if (!existsSync(join(found, 'user-data.yaml.hbs'))) return {missing: true}
  return {
    files: CLOUD_INIT_FILES.map((media) => {
      const own = join(found, `${media}.yaml.hbs`)
      return {media, file: existsSync(own) ? own : join(CLOUD_INIT_DEFAULTS, `${media}.yaml.hbs`)}
    }),
  }
}
