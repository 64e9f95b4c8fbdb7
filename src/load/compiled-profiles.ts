/**
 * The built-in hardware profiles as the build loaded and checked them
 * (dist/builtin-profiles.json, written by scripts/bundle.mjs). Every `plan` reads a profile, and
 * on a cold JIT that was the run's first YAML parse and first zod check: about a fifth of what
 * `plan` adds to oclif's start (bench/README.md). A stored profile is used only while its file
 * holds exactly the text it was made from, so an edited built-in is read and checked as usual.
 */
import {readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import type {HardwareProfile} from '../model/schemas.js'
import {packageRoot} from '../util/package-root.js'
import {BUILTIN_ROOT} from './library.js'
import {storedForBuiltin} from './stored-builtin.js'

export const COMPILED_PROFILES = () => join(packageRoot(), 'dist', 'builtin-profiles.json')

/** File name (`generic-1g.yaml`) -> the text it was built from and the profile loaded from it. */
export type CompiledProfiles = Record<string, {text: string; profile: HardwareProfile}>

let compiled: CompiledProfiles | undefined

/** The stored profile for a built-in profile file whose text is unchanged (stored-builtin.ts); else undefined. */
export function compiledBuiltinProfile(file: string): HardwareProfile | undefined {
  const entry = storedForBuiltin(file, join(BUILTIN_ROOT, 'profiles'), () => {
    compiled ??= JSON.parse(readFileSync(COMPILED_PROFILES(), 'utf8')) as CompiledProfiles
    return compiled[basename(file)]
  })
  // A copy: callers own what they are given, as they own a freshly parsed profile.
  return entry && structuredClone(entry.profile)
}
