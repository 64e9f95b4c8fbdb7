/**
 * The build ships the command services as one bundle compiled with a V8 code cache
 * (scripts/bundle.mjs). These tests hold that it is the same program as the sources and that
 * the cache is really used (a rejected cache would silently cost the cold-start target).
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {buildPlan} from '../../src/plan/build-plan.js'

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
      env: {...process.env, NODE_DEBUG: 'module'},
    })
    expect(r.status, r.stderr.slice(-2000)).toBe(0)
    expect(JSON.parse(r.stdout).guests[0].firstBoot.files[0].name).toBe('ks.cfg')
    expect(r.stderr).not.toMatch(/node_modules[/\\]handlebars/)
  })
})
