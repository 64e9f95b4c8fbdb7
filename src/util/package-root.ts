/**
 * The folder of the installed hvguest package (the one holding its package.json), found by
 * walking up from this module. Built-in content is located from here rather than by a fixed
 * `../../` offset, so that it does not matter which file of dist/ (or which bundle chunk, or
 * src/ under the tests) the code runs from.
 */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let cached: string | undefined

export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pj = join(dir, 'package.json')
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as {name?: string}).name === 'hvguest') return (cached = dir)
      } catch {
        // not ours: keep walking
      }
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('hvguest cannot find its own package folder (package.json named "hvguest")')
    dir = parent
  }
}
