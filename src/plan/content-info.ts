/**
 * Summaries of templates and profiles for `template list|show` and `profile list|show`.
 */
import {readFileSync} from 'node:fs'
import type {Diagnostic} from '../model/diagnostic.js'
import {InputError} from '../model/diagnostic.js'
import {listContent, resolveContent, type ContentEntry} from '../load/library.js'
import {loadHardwareProfile} from '../load/load-files.js'
import {loadGuestTemplate} from '../render/template-file.js'
import type {HardwareProfile, ParameterDef} from '../model/schemas.js'

export interface TemplateInfo {
  name: string
  file: string
  origin: ContentEntry['origin']
  description: string | null
  os: string | null
  generation: number | null
  parameters: Record<string, ParameterDef>
  valid: boolean
  diagnostics: Diagnostic[]
}

export interface ProfileInfo {
  name: string
  file: string
  origin: ContentEntry['origin']
  description: string | null
  spec: HardwareProfile['spec'] | null
  valid: boolean
  diagnostics: Diagnostic[]
}

function templateInfo(e: ContentEntry): TemplateInfo {
  const {template, diagnostics} = loadGuestTemplate(e.file)
  const spec = template?.source.doc.toJS()?.spec as {os?: Record<string, unknown>; generation?: number} | undefined
  const os = spec?.os ? [spec.os.family, spec.os.distro, spec.os.version].filter((v) => v !== undefined).join(' ') : null
  return {
    name: e.name,
    file: e.file,
    origin: e.origin,
    description: template?.description ?? null,
    os,
    generation: typeof spec?.generation === 'number' ? spec.generation : spec ? 1 : null,
    parameters: template?.parameters ?? {},
    valid: !diagnostics.some((d) => d.severity === 'error'),
    diagnostics,
  }
}

function profileInfo(e: ContentEntry): ProfileInfo {
  const {profile, diagnostics} = loadHardwareProfile(e.file)
  return {
    name: e.name,
    file: e.file,
    origin: e.origin,
    description: profile?.metadata.description ?? null,
    spec: profile?.spec ?? null,
    valid: !diagnostics.some((d) => d.severity === 'error'),
    diagnostics,
  }
}

export const listTemplates = (cwd: string) => listContent('template', cwd).map(templateInfo)
export const listProfiles = (cwd: string) => listContent('profile', cwd).map(profileInfo)

function find(kind: 'template' | 'profile', ref: string, cwd: string): ContentEntry {
  const r = resolveContent(kind, ref, cwd)
  if (!r.file) throw new InputError(r.diagnostics)
  const e = listContent(kind, cwd).find((x) => x.file === r.file)
  return e ?? {name: ref, file: r.file, origin: 'project'}
}

export function showTemplate(ref: string, cwd: string): TemplateInfo & {text: string} {
  const e = find('template', ref, cwd)
  return {...templateInfo(e), text: readFileSync(e.file, 'utf8')}
}

export function showProfile(ref: string, cwd: string): ProfileInfo & {text: string} {
  const e = find('profile', ref, cwd)
  return {...profileInfo(e), text: readFileSync(e.file, 'utf8')}
}
