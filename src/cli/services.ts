/**
 * Loads the command services (src/services.ts).
 *
 * Built: dist/services.cjs, one CommonJS bundle, compiled with the V8 code cache the build
 * wrote beside it (dist/services.cjs.cache). Node 20 has no module compile cache of its own
 * (module.enableCompileCache is Node 22), and compiling plus lazily compiling the bundle was
 * most of `plan`'s cold start. V8 checks the cache against its version, flags and the
 * source; if it does not fit (another Node version), it is ignored and the bundle is
 * compiled as usual: the cache changes speed, never behaviour. Nothing is written at run time.
 *
 * Unbuilt (tests that import src/ through vitest): the ES modules are imported directly.
 */
import {existsSync, readFileSync} from 'node:fs'
import {createRequire, Module} from 'node:module'
import {dirname, join} from 'node:path'
import {Script} from 'node:vm'
import {fileURLToPath} from 'node:url'

export type Services = typeof import('../services.js')

const here = dirname(fileURLToPath(import.meta.url))
/** dist/services.cjs when this file runs from dist/cli/. */
export const BUNDLE = join(here, '..', 'services.cjs')
export const CODE_CACHE = `${BUNDLE}.cache`

let loaded: Promise<Services> | undefined

export function loadServices(): Promise<Services> {
  loaded ??= existsSync(BUNDLE) ? Promise.resolve(compileBundle().services) : import('../services.js')
  return loaded
}

/** Compile and run the bundle; also returns the Script, for the build to write its cache. */
export function compileBundle(opts: {useCache?: boolean} = {}): {services: Services; script: Script; cacheRejected: boolean | undefined} {
  const source = readFileSync(BUNDLE, 'utf8')
  const cachedData = opts.useCache !== false && existsSync(CODE_CACHE) ? readFileSync(CODE_CACHE) : undefined
  const script = new Script(Module.wrap(source), {filename: BUNDLE, cachedData})
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: {exports: object}, filename: string, dirname: string) => void
  const mod = {exports: {}}
  wrapper(mod.exports, createRequire(BUNDLE), mod, BUNDLE, dirname(BUNDLE))
  return {services: mod.exports as Services, script, cacheRejected: cachedData ? script.cachedDataRejected : undefined}
}
