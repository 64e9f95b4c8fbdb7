/**
 * `hvguest validate`: every file checked by its kind, each on its own, so one broken file
 * does not hide the problems of the next. Beyond its schema, a template is planned once with
 * its defaults, and the findings that do not depend on a host (layout, disks, generation
 * limits, role guidance) are reported; an inventory's profile names must resolve.
 */
import {existsSync} from 'node:fs'
import {relative, resolve} from 'node:path'
import {applyStrict, type Diagnostic} from '../model/diagnostic.js'
import type {Code} from '../model/codes.js'
import type {Kind} from '../model/schemas.js'
import {listContent, resolveContent} from '../load/library.js'
import {loadHostInventory} from '../load/load-files.js'
import {loadAnyFile, loadGuestTemplate} from '../render/template-file.js'
import {planRun} from './build-plan.js'

/** `hvguest validate --json`. */
export interface ValidateJson {
  status: 'ok' | 'invalid'
  files: Array<{file: string; kind: string | null; valid: boolean; diagnostics: Diagnostic[]}>
}

/** Findings that hold whatever host and profile the template is later planned for. */
export const HOST_INDEPENDENT = new Set<Code>([
  'firstboot-template-not-found',
  'firstboot-value-invalid',
  'ide-slots-exhausted',
  'controller-slot-conflict',
  'boot-disk-not-ide00',
  'scsi-boot-gen1',
  'ide-on-gen2',
  'legacy-nic-gen2',
  'scsi-controllers-exceeded',
  'scsi-location-out-of-range',
  'ide-location-out-of-range',
  'dvd-scsi-gen1',
  'boot-order-device-missing',
  'disk-size-exceeds-format',
  'disk-size-too-small',
  'boot-disk-exceeds-gen1',
  'disk-spec-invalid',
  'block-size-invalid',
  'disk-path-duplicate',
  'vhd-format-gen2',
  'secure-boot-gen1',
  'floppy-gen2',
  'nested-virt-dynamic-memory',
  'memory-range-invalid',
  'processors-exceed-generation',
  'memory-exceeds-generation',
  'nic-name-duplicate',
  'dc-guidance',
  'os-unknown',
  'name-invalid',
])

/** A folder that holds no project, so that a check sees built-ins only. */
const NO_PROJECT = '/nonexistent-hvguest-project'

export function projectFiles(cwd: string): string[] {
  const files = [...listContent('template', cwd), ...listContent('profile', cwd)].filter((e) => e.origin === 'project').map((e) => e.file)
  const inv = resolve(cwd, 'hosts.yaml')
  if (existsSync(inv)) files.push(inv)
  const lab = resolve(cwd, 'lab.yaml')
  if (existsSync(lab)) files.push(lab)
  return files.map((f) => relative(cwd, f))
}

export function builtinFiles(): string[] {
  return [...listContent('template', NO_PROJECT), ...listContent('profile', NO_PROJECT)].map((e) => e.file)
}

/** A template error in a first-boot file the guest template names (the load checks read only the guest template). */
function inFirstBootTemplate(d: Pick<Diagnostic, 'code' | 'source'>, guestTemplate: string): boolean {
  return TEMPLATE_CODES.has(d.code) && d.source?.file !== undefined && resolve(d.source.file) !== resolve(guestTemplate)
}
const TEMPLATE_CODES = new Set(['template-syntax', 'template-undefined-variable', 'template-helper-error'])

function planChecks(file: string, already: Diagnostic[]): Diagnostic[] {
  const {template} = loadGuestTemplate(file)
  if (!template) return []
  // A template whose required parameters have no default can only be planned with values.
  if (Object.values(template.parameters).some((p) => (p.required ?? p.default === undefined) && p.default === undefined)) return []
  const seen = new Set(already.map((d) => `${d.code}|${d.source?.line}|${d.source?.column}`))
  return planRun({templates: [file], cwd: NO_PROJECT})
    .plan.diagnostics.filter((d) => (HOST_INDEPENDENT.has(d.code as Code) || inFirstBootTemplate(d, file)) && !seen.has(`${d.code}|${d.source?.line}|${d.source?.column}`))
    .map(({guest, host, ...d}) =>
      // The guest name here is the template's default; --name can still give a valid one.
      d.code === 'name-invalid'
        ? {...d, severity: 'warning' as const, message: `${d.message} (the default guest name is the template's name; plan with --name)`, source: template.source.locate(['metadata', 'name'])}
        : d,
    )
}

function inventoryChecks(file: string, cwd: string): Diagnostic[] {
  const {inventory, locate} = loadHostInventory(file)
  if (!inventory || !locate) return []
  return inventory.hosts.flatMap((h, i) => {
    if (!h.profile) return []
    const found = resolveContent('profile', h.profile, cwd)
    return found.file ? [] : found.diagnostics.map((d) => ({...d, source: locate(['hosts', i, 'profile'])}))
  })
}

/** Checks of a kind beyond its schema that a layer above this one adds (a lab's: src/lab/validate-lab.ts). */
export type KindChecks = Partial<Record<Kind, (file: string, cwd: string) => Diagnostic[]>>

export function validateFiles(files: string[], opts: {strict: boolean; cwd: string; checks?: KindChecks}): ValidateJson {
  const out: ValidateJson['files'] = files.map((file) => {
    const path = resolve(opts.cwd, file)
    const {kind, diagnostics} = loadAnyFile(path)
    const clean = !diagnostics.some((d) => d.severity === 'error')
    if (kind === 'GuestTemplate') diagnostics.push(...planChecks(path, diagnostics))
    if (kind === 'HostInventory' && clean) diagnostics.push(...inventoryChecks(path, opts.cwd))
    const more = kind ? opts.checks?.[kind] : undefined
    if (more && clean) diagnostics.push(...more(path, opts.cwd))
    const ds = applyStrict(diagnostics, opts.strict)
    return {file, kind: kind ?? null, valid: !ds.some((d) => d.severity === 'error'), diagnostics: ds}
  })
  return {status: out.every((f) => f.valid) ? 'ok' : 'invalid', files: out}
}

