/**
 * `hvguest init`: copies the starter files shipped in templates/init into a folder, keeping
 * whatever is there already (nothing lost) unless told to overwrite.
 */
import fse from 'fs-extra'
import {join, relative, resolve} from 'node:path'
import {InputError} from '../model/diagnostic.js'
import {report} from '../rules/codes.js'
import {BUILTIN_ROOT} from '../spec/library.js'

const STARTER = join(BUILTIN_ROOT, 'init')

function walk(dir: string): string[] {
  return fse.readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
}

export function initProject(dir: string, opts: {force: boolean}): {directory: string; created: string[]; skipped: string[]} {
  const target = resolve(dir)
  if (fse.existsSync(target) && !fse.statSync(target).isDirectory()) {
    throw new InputError(report('input-invalid', `${dir} is a file; init needs a folder (it is created when missing)`))
  }
  const created: string[] = []
  const skipped: string[] = []
  for (const src of walk(STARTER)) {
    const rel = relative(STARTER, src)
    const dest = join(target, rel)
    if (fse.existsSync(dest) && !opts.force) {
      skipped.push(rel)
      continue
    }
    const parent = join(dest, '..')
    if (fse.existsSync(parent) && !fse.statSync(parent).isDirectory()) {
      throw new InputError(report('input-invalid', `${relative(process.cwd(), parent) || parent} is a file where init needs a folder`))
    }
    fse.mkdirpSync(parent)
    fse.copyFileSync(src, dest)
    created.push(rel)
  }
  return {directory: target, created, skipped}
}
