/**
 * Builds throwaway projects for planning tests: a template from a spec object (or raw
 * text), optional profiles and inventory, in a fresh temp folder used as the cwd.
 */
import {mkdtempSync, mkdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {stringify} from 'yaml'
import {planRun, type PlanRequest, type PlanResult} from '../../src/plan/build-plan.js'

export const BASE_SPEC = {
  os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
  bootDisk: {size: '40GB'},
}

export interface Fixture {
  /** spec merged over BASE_SPEC (shallow), or raw template text. */
  spec?: Record<string, unknown>
  raw?: string
  parameters?: Record<string, unknown>
  profiles?: Record<string, unknown>
  inventory?: unknown
  files?: Record<string, string>
  request?: Partial<PlanRequest>
}

export function makeProject(f: Fixture): string {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-test-'))
  mkdirSync(join(dir, 'templates'))
  mkdirSync(join(dir, 'profiles'))
  const template =
    f.raw ??
    stringify({
      apiVersion: 'hvguest/v1',
      kind: 'GuestTemplate',
      metadata: {name: 't1'},
      ...(f.parameters ? {parameters: f.parameters} : {}),
      spec: {...BASE_SPEC, ...f.spec},
    })
  writeFileSync(join(dir, 'templates', 't1.yaml'), template)
  for (const [name, spec] of Object.entries(f.profiles ?? {})) {
    writeFileSync(
      join(dir, 'profiles', `${name}.yaml`),
      stringify({apiVersion: 'hvguest/v1', kind: 'HardwareProfile', metadata: {name}, spec}),
    )
  }
  if (f.inventory) writeFileSync(join(dir, 'hosts.yaml'), stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', ...(f.inventory as object)}))
  for (const [name, text] of Object.entries(f.files ?? {})) writeFileSync(join(dir, name), text)
  return dir
}

export function planFixture(f: Fixture): PlanResult {
  const cwd = makeProject(f)
  return planRun({templates: ['t1'], cwd, ...f.request})
}

export const codesOf = (r: PlanResult) => r.plan.diagnostics.map((d) => d.code)
