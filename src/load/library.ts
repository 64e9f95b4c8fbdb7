/**
 * Where templates and profiles come from. A reference is either a path to a file, or a name
 * looked up first in the project (`./templates/NAME.yaml`, `./profiles/NAME.yaml`) and then
 * among the built-ins shipped in this package (`templates/guests`, `templates/profiles`).
 * A project file of the same name shadows the built-in one, so a team can adjust a built-in.
 */
import {existsSync, readdirSync} from 'node:fs'
import {basename, extname, isAbsolute, join, resolve} from 'node:path'
import {report} from '../model/codes.js'
import type {Diagnostic} from '../model/diagnostic.js'
import {suggest} from '../util/did-you-mean.js'
import {packageRoot} from '../util/package-root.js'

/** The package's own `templates/` folder. */
export const BUILTIN_ROOT = join(packageRoot(), 'templates')

export type ContentKind = 'template' | 'profile'

const FOLDERS: Record<ContentKind, {builtin: string; project: string}> = {
  template: {builtin: join(BUILTIN_ROOT, 'guests'), project: 'templates'},
  profile: {builtin: join(BUILTIN_ROOT, 'profiles'), project: 'profiles'},
}

export interface ContentEntry {
  name: string
  file: string
  origin: 'project' | 'builtin'
}

const isYaml = (f: string) => /\.ya?ml$/i.test(f)

function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return []
  try {
    return readdirSync(dir, {withFileTypes: true})
      .filter((e) => e.isFile() && isYaml(e.name))
      .map((e) => join(dir, e.name))
      .sort()
  } catch {
    return []
  }
}

/** Every template or profile visible from `cwd`, project entries first; shadowed built-ins are left out. */
export function listContent(kind: ContentKind, cwd: string): ContentEntry[] {
  const out: ContentEntry[] = []
  const seen = new Set<string>()
  const add = (file: string, origin: ContentEntry['origin']) => {
    const name = basename(file, extname(file))
    if (seen.has(name.toLowerCase())) return
    seen.add(name.toLowerCase())
    out.push({name, file, origin})
  }
  for (const f of yamlFilesIn(resolve(cwd, FOLDERS[kind].project))) add(f, 'project')
  for (const f of yamlFilesIn(FOLDERS[kind].builtin)) add(f, 'builtin')
  return out
}

/** A reference that names a file (a path), not a template or profile name. */
export function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || isYaml(ref) || isAbsolute(ref)
}

/** Resolve a name or path to a file, or say what is available. */
export function resolveContent(
  kind: ContentKind,
  ref: string,
  cwd: string,
): {file: string; diagnostics: Diagnostic[]} | {file?: undefined; diagnostics: Diagnostic[]} {
  const code = kind === 'template' ? 'template-not-found' : 'profile-not-found'
  if (looksLikePath(ref)) {
    const file = resolve(cwd, ref)
    if (existsSync(file)) return {file, diagnostics: []}
    return {diagnostics: [report('file-not-found', `${kind} file ${ref} does not exist`, {source: {file: ref}})]}
  }
  const entries = listContent(kind, cwd)
  const hit = entries.find((e) => e.name.toLowerCase() === ref.toLowerCase())
  if (hit) return {file: hit.file, diagnostics: []}
  const close = suggest(
    ref,
    entries.map((e) => e.name),
  )
  const hint = close ? ` Did you mean "${close}"?` : ''
  const list = entries.map((e) => e.name).join(', ')
  return {
    diagnostics: [
      report(code, `no ${kind} named "${ref}".${hint} Available: ${list || '(none)'}. A path to a .yaml file works too.`),
    ],
  }
}
