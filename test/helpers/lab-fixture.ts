/**
 * Throwaway lab projects: a lab file (from an object, or raw text) beside the plan fixture's
 * template t1 (test/helpers/plan-fixture.ts), planned with planLab.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {stringify} from 'yaml'
import {planLab, type LabPlanRequest, type LabPlanResult} from '../../src/lab/plan-lab.js'
import {makeProject, type Fixture} from './plan-fixture.js'

export interface LabFixture {
  /** The lab's spec (prefix, networks, defaults, guests); guests default to one t1 guest. */
  lab?: Record<string, unknown>
  raw?: string
  /** The project around it: template t1 and what else the plan fixture writes. */
  project?: Fixture
  request?: Partial<LabPlanRequest>
}

export function labFixture(f: LabFixture): LabPlanResult & {cwd: string} {
  const cwd = makeProject(f.project ?? {})
  const text = f.raw ?? stringify({apiVersion: 'hvguest/v1', kind: 'Lab', metadata: {name: 'lab1'}, spec: {guests: [{name: 'g1', template: 't1'}], ...f.lab}})
  writeFileSync(join(cwd, 'lab.yaml'), text)
  return {...planLab({file: 'lab.yaml', cwd, ...f.request}), cwd}
}

export const labCodesOf = (r: LabPlanResult) => r.labPlan.plan.diagnostics.map((d) => d.code)

/** An internal network `lan` on 10.200.1.0/24 and a guest entry on it. */
export const LAN = {name: 'lan', type: 'internal', subnet: '10.200.1.0/24'}
export const onLan = (address?: string, extra: Record<string, unknown> = {}) => ({network: 'lan', ...(address ? {address} : {}), ...extra})
