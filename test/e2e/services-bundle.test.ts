/**
 * The build ships the command services as one bundle compiled with a V8 code cache
 * (scripts/bundle.mjs). These tests hold that it is the same program as the sources and that
 * the cache is really used (a rejected cache would silently cost the cold-start target).
 */
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {buildPlan} from '../../src/plan/build-plan.js'
import {cliEnv} from '../helpers/run-cli.js'

const servicesModule = new URL('../../dist/cli/bundles.js', import.meta.url)

async function built() {
  if (!existsSync(servicesModule)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) first')
  return (await import(servicesModule.href)) as typeof import('../../src/cli/bundles.js')
}

describe('the services bundle', () => {
  it('loads with its code cache accepted by this Node', async () => {
    const {compileBundle, BUNDLES, codeCacheOf} = await built()
    for (const name of ['plan', 'exec'] as const) {
      expect(existsSync(codeCacheOf(BUNDLES[name]))).toBe(true)
      expect(compileBundle(name).cacheRejected, name).toBe(false)
    }
  })

  it('plans exactly what the source modules plan', async () => {
    const {compileBundle} = await built()
    const {services} = compileBundle('plan')
    const cwd = '/nonexistent-hvguest-project'
    for (const req of [
      {templates: ['ubuntu-2204'], count: 3, name: 'web{{index}}', sets: ['dataDiskCount=70'], profile: 'intel-10g'},
      {templates: ['ws2012r2', 'centos-6'], hostOs: 'windows-server-2012r2' as const, profile: 'broadcom-10g'},
      {templates: ['ws2022-dc'], sets: ['nosuch=1']},
      {templates: ['ws2008r2', 'debian-12'], hostOs: 'windows-server-2008r2' as const, profile: 'intel-10g', sets: ['adminPassword=a\'b"<c>$(d)']},
    ]) {
      expect(await services.buildPlan({...req, cwd})).toEqual(await buildPlan({...req, cwd}))
    }
  })

  it('renders the built-in first-boot templates from their precompiled form, without loading Handlebars', async () => {
    const precompiled = new URL('../../dist/resolve/firstboot/firstboot-precompiled.cjs', import.meta.url)
    expect(existsSync(precompiled)).toBe(true)
    // The CLI, in its own process: no module named handlebars is loaded for a plan with first boot.
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/run.js', import.meta.url)), 'plan', 'centos-6', '--json'], {
      encoding: 'utf8',
      env: cliEnv({NODE_DEBUG: 'module'}),
    })
    expect(r.status, r.stderr.slice(-2000)).toBe(0)
    expect(JSON.parse(r.stdout).guests[0].firstBoot.files[0].name).toBe('ks.cfg')
    expect(r.stderr).not.toMatch(/node_modules[/\\]handlebars/)
  })
})

describe('what the build stores of the built-in content', () => {
  const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).href
  /** A yaml node tree as plain data: classes, every own field, and the children. */
  const shape = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node
    if (Array.isArray(node)) return node.map(shape)
    return [node.constructor.name, Object.entries(node).map(([k, v]) => [k, shape(v)])]
  }

  it('stores every built-in profile, and gives what reading and checking its YAML gives', async () => {
    const {compiledBuiltinProfile} = (await import(dist('load/compiled-profiles.js'))) as typeof import('../../src/load/compiled-profiles.js')
    const {readHardwareProfile} = (await import(dist('load/load-files.js'))) as typeof import('../../src/load/load-files.js')
    const {BUILTIN_ROOT} = (await import(dist('load/library.js'))) as typeof import('../../src/load/library.js')
    const dir = join(BUILTIN_ROOT, 'profiles')
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      const read = readHardwareProfile(join(dir, f))
      expect(read.diagnostics, f).toEqual([])
      expect(compiledBuiltinProfile(join(dir, f)), f).toEqual(read.profile)
    }
  })

  it('stores every built-in template as the very document a parse composes, with the same positions', async () => {
    const {compiledBuiltinTemplate} = (await import(dist('load/compiled-templates.js'))) as typeof import('../../src/load/compiled-templates.js')
    const {readYamlSource, locateKeyOf} = (await import(dist('load/yaml-source.js'))) as typeof import('../../src/load/yaml-source.js')
    const {BUILTIN_ROOT} = (await import(dist('load/library.js'))) as typeof import('../../src/load/library.js')
    const dir = join(BUILTIN_ROOT, 'guests')
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      const stored = compiledBuiltinTemplate(join(dir, f))
      const parsed = readYamlSource(join(dir, f))
      expect(stored, f).toBeDefined()
      expect(shape(stored!.doc.contents), f).toEqual(shape(parsed.doc.contents))
      expect(stored!.doc.toJS(), f).toEqual(parsed.doc.toJS())
      expect(stored!.diagnostics).toEqual(parsed.diagnostics)
      // Positions: every key and value of the spec, as diagnostics would cite them.
      const paths: Array<Array<string | number>> = []
      const walk = (v: unknown, path: Array<string | number>): void => {
        paths.push(path)
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]))
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k])
      }
      walk(parsed.doc.toJS(), [])
      for (const path of paths) {
        expect(stored!.locate(path), `${f} ${path.join('.')}`).toEqual(parsed.locate(path))
        expect(locateKeyOf(stored!.locate)(path), `${f} key ${path.join('.')}`).toEqual(locateKeyOf(parsed.locate)(path))
      }
    }
  })

  it('reads a template outside the built-in folder from its YAML', async () => {
    const {compiledBuiltinTemplate} = (await import(dist('load/compiled-templates.js'))) as typeof import('../../src/load/compiled-templates.js')
    expect(compiledBuiltinTemplate(fileURLToPath(new URL('../fixtures/nonexistent/ubuntu-2204.yaml', import.meta.url)))).toBeUndefined()
  })
})
