/**
 * `hvguest validate`: every file checked by its kind, each on its own, so one broken file
 * does not hide the problems of the next.
 */
import {existsSync} from 'node:fs'
import {relative, resolve} from 'node:path'
import {applyStrict} from '../model/diagnostic.js'
import {listContent} from '../spec/library.js'
import {loadAnyFile} from '../spec/load.js'
import type {ValidateJson} from '../commands/validate.js'

export function projectFiles(cwd: string): string[] {
  const files = [...listContent('template', cwd), ...listContent('profile', cwd)].filter((e) => e.origin === 'project').map((e) => e.file)
  const inv = resolve(cwd, 'hosts.yaml')
  if (existsSync(inv)) files.push(inv)
  return files.map((f) => relative(cwd, f))
}

export function builtinFiles(): string[] {
  // An empty folder name means: no project shadows anything, so every built-in is listed.
  const none = '/nonexistent-hvguest-project'
  return [...listContent('template', none), ...listContent('profile', none)].map((e) => e.file)
}

export function validateFiles(files: string[], opts: {strict: boolean; cwd: string}): ValidateJson {
  const out: ValidateJson['files'] = files.map((file) => {
    const {kind, diagnostics} = loadAnyFile(resolve(opts.cwd, file))
    const ds = applyStrict(diagnostics, opts.strict)
    return {file, kind: kind ?? null, valid: !ds.some((d) => d.severity === 'error'), diagnostics: ds}
  })
  return {status: out.every((f) => f.valid) ? 'ok' : 'invalid', files: out}
}
