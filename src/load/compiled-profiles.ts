/**
 * The built-in hardware profiles as the build loaded and checked them
 * (dist/builtin-profiles.json, written by scripts/bundle.mjs). Every `plan` reads a profile, and
 * on a cold JIT that was the run's first YAML parse and first zod check: about a fifth of what
 * `plan` adds to oclif's start (bench/README.md). A stored profile is used only while its file
 * holds exactly the text it was made from, so an edited built-in is read and checked as usual.
 */
import {readFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import type {HardwareProfile} from '../model/schemas.js'
import {packageRoot} from '../util/package-root.js'
import {runsFromBuild} from '../util/runs-from-build.js'
import {BUILTIN_ROOT} from './library.js'

export const COMPILED_PROFILES = () => join(packageRoot(), 'dist', 'builtin-profiles.json')

/** File name (`generic-1g.yaml`) -> the text it was built from and the profile loaded from it. */
export type CompiledProfiles = Record<string, {text: string; profile: HardwareProfile}>

let compiled: CompiledProfiles | null | undefined

function readCompiled(): CompiledProfiles | null {
  if (!runsFromBuild(import.meta.url)) return null // src/ under the tests: the YAML, always
  try {
    return JSON.parse(readFileSync(COMPILED_PROFILES(), 'utf8')) as CompiledProfiles
  } catch {
    return null // not built, or not written: every profile is read from its YAML
  }
}

/** The stored profile for a built-in profile file whose text is unchanged; else undefined. */
export function compiledBuiltinProfile(file: string): HardwareProfile | undefined {
  if (dirname(file) !== join(BUILTIN_ROOT, 'profiles')) return undefined
  compiled ??= readCompiled()
  const entry = compiled?.[basename(file)]
  if (!entry) return undefined
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined // the YAML path reports why it cannot be read
  }
  // A copy: callers own what they are given, as they own a freshly parsed profile.
  return text === entry.text ? structuredClone(entry.profile) : undefined
}
