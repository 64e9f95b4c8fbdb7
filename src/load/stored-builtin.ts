/**
 * What the build stored for a built-in file (scripts/bundle.mjs): a hardware profile loaded and
 * checked (compiled-profiles.ts), a guest template's composed YAML document
 * (compiled-templates.ts). One rule for both: the stored form is used only
 * - for a file in its built-in folder (a user's file of the same name is never shadowed),
 * - while that file holds exactly the text it was made from (an edited built-in is read as usual),
 * - and by the build itself (dist/, or a bundle of it): code run from src/, as the tests run it,
 *   may be newer than what the last build stored (a schema changed since), so it reads the YAML.
 */
import {readFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

/** Whether the module at moduleUrl is the build's rather than its TypeScript source. */
export const runsFromBuild = (moduleUrl: string): boolean => !fileURLToPath(moduleUrl).endsWith('.ts')

/**
 * The stored form of `file` (readStored: undefined when none was stored; it may throw when the
 * store is unreadable) if the rule above allows it; else undefined, and the caller reads the
 * file as usual, which also reports why it cannot be read.
 */
export function storedForBuiltin<T extends {text: string}>(file: string, folder: string, readStored: () => T | undefined): T | undefined {
  if (dirname(file) !== folder || !runsFromBuild(import.meta.url)) return undefined
  try {
    const stored = readStored()
    return stored !== undefined && readFileSync(file, 'utf8') === stored.text ? stored : undefined
  } catch {
    return undefined // not built, not stored, or unreadable
  }
}
