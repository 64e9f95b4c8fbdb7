/**
 * Loads the command services (src/services.ts).
 *
 * Built: dist/services.cjs (planning) and dist/services-exec.cjs (execution), each one
 * CommonJS bundle compiled with the V8 code cache the build wrote beside it (`.cache`). Node 20 has no module compile cache of its own
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
export type ExecServices = typeof import('../services-exec.js')

const here = dirname(fileURLToPath(import.meta.url))

/** The two bundles: planning (plan, validate, content) and execution (create, list, destroy, recover). */
export const BUNDLES = {
  plan: join(here, '..', 'services.cjs'),
  exec: join(here, '..', 'services-exec.cjs'),
} as const
export type BundleName = keyof typeof BUNDLES
export const codeCacheOf = (bundle: string) => `${bundle}.cache`

let planLoaded: Promise<Services> | undefined
let execLoaded: Promise<ExecServices> | undefined

export function loadServices(): Promise<Services> {
  planLoaded ??= existsSync(BUNDLES.plan) ? Promise.resolve(compileBundle<Services>('plan').services) : import('../services.js')
  return planLoaded
}

export function loadExecServices(): Promise<ExecServices> {
  execLoaded ??= existsSync(BUNDLES.exec) ? Promise.resolve(compileBundle<ExecServices>('exec').services) : import('../services-exec.js')
  return execLoaded
}

/** Compile and run a bundle; also returns the Script, for the build to write its cache. */
export function compileBundle<T = Services>(name: BundleName, opts: {useCache?: boolean} = {}): {services: T; script: Script; cacheRejected: boolean | undefined} {
  const bundle = BUNDLES[name]
  const cache = codeCacheOf(bundle)
  const source = readFileSync(bundle, 'utf8')
  const cachedData = opts.useCache !== false && existsSync(cache) ? readFileSync(cache) : undefined
  const script = new Script(Module.wrap(source), {filename: bundle, cachedData})
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: {exports: object}, filename: string, dirname: string) => void
  const mod = {exports: {}}
  wrapper(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle))
  return {services: mod.exports as T, script, cacheRejected: cachedData ? script.cachedDataRejected : undefined}
}
