/**
 * The parts of @oclif/core the commands use. Two things keep this off the start-up bill
 * (bench/README.md, cold start):
 * - Subpaths, never the index: the index also checks Node's version against oclif's own
 *   engines with semver, 47 files loaded on every start (hvguest's package.json states its
 *   engines: Node >= 20).
 * - require(), not import: importing a CommonJS module from an ES module makes Node scan its
 *   source for export names (cjs-module-lexer). Scanning four oclif files made the scanner hot
 *   enough for V8 to optimise it on a background thread, and the process waited for that at exit.
 */
import {createRequire} from 'node:module'

const requireOclif = createRequire(import.meta.url)

export const {Command} = requireOclif('@oclif/core/command') as typeof import('@oclif/core/command')
export const Flags = requireOclif('@oclif/core/flags') as typeof import('@oclif/core/flags')
export const Args = requireOclif('@oclif/core/args') as typeof import('@oclif/core/args')
