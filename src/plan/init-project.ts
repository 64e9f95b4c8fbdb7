/**
 * `hvguest init`: copies the starter files shipped in templates/init into a folder, keeping
 * whatever is there already (nothing lost) unless told to overwrite.
 */
import fse from 'fs-extra'
import {join, relative, resolve} from 'node:path'
import {BUILTIN_ROOT} from '../spec/library.js'

const STARTER = join(BUILTIN_ROOT, 'init')

function walk(dir: string): string[] {
  return fse.readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
}

export function initProject(dir: string, opts: {force: boolean}): {directory: string; created: string[]; skipped: string[]} {
  const target = resolve(dir)
  const created: string[] = []
  const skipped: string[] = []
  for (const src of walk(STARTER)) {
    const rel = relative(STARTER, src)
    const dest = join(target, rel)
    if (fse.existsSync(dest) && !opts.force) {
      skipped.push(rel)
      continue
    }
    fse.mkdirpSync(join(dest, '..'))
    fse.copyFileSync(src, dest)
    created.push(rel)
  }
  return {directory: target, created, skipped}
}
