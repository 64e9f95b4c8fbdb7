/**
 * `hvguest validate` of a lab file: beyond its schema, the lab is planned as `lab plan` plans it
 * (its templates found, its values known, the offline lab checks), and the findings that do not
 * depend on a host are reported with the file.
 */
import type {Diagnostic} from '../model/diagnostic.js'
import type {Code} from '../model/codes.js'
import {HOST_INDEPENDENT, validateFiles, type ValidateJson} from '../plan/validate-files.js'
import {planLab} from './plan-lab.js'

/** What a lab file decides, whatever the hosts say: its templates, its values, its names, its addresses. */
const LAB_FILE_CODES = new Set<Code>([
  'template-not-found',
  'file-not-found',
  'parameter-missing',
  'parameter-unknown',
  'parameter-invalid',
  'name-duplicate',
  'host-not-found',
  'nic-limit-exceeded',
  'mac-address-duplicate',
])

export function labChecks(file: string, cwd: string): Diagnostic[] {
  const {labPlan} = planLab({file, cwd})
  return labPlan.plan.diagnostics
    .filter((d) => d.code.startsWith('lab-') || LAB_FILE_CODES.has(d.code as Code) || HOST_INDEPENDENT.has(d.code as Code))
    .map(({guest, host, ...d}) => ({...d, ...(guest === null ? {} : {guest}), ...(host === null ? {} : {host})}))
}

/** validateFiles with every kind's checks, a lab's included. */
export function validateAllFiles(files: string[], opts: {strict: boolean; cwd: string}): ValidateJson {
  return validateFiles(files, {...opts, checks: {Lab: labChecks}})
}
