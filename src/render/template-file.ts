/**
 * A guest template file, checked as a template: the load stage reads it (header, parameters),
 * and this adds what only the template engine can say. Every scalar under `spec` must parse
 * as Handlebars, and `hvguest validate` renders the template once with its defaults against a
 * placeholder host and profile (when every parameter has a default or is optional), so a
 * template that cannot render is caught before anyone runs it.
 */
import {hasErrors, type Diagnostic} from '../model/diagnostic.js'
import {DEFAULT_HOST_OS} from '../model/host-os.js'
import type {Kind} from '../model/schemas.js'
import type {LoadedTemplate} from '../load/loaded-template.js'
import {readAnyFile, readGuestTemplate, type ReadTemplate} from '../load/load-files.js'
import {isRequired, resolveParameters} from '../load/parameters.js'
import {checkTemplateSyntax, renderGuestSpec, type RenderContext} from './render.js'

/**
 * A guest template, read and syntax-checked. A Handlebars syntax error stays with its scalar
 * and does not stop the load: rendering reports it again (the run merges the two), and every
 * other problem of the template is still found in the same run.
 */
export function loadGuestTemplate(file: string): {template?: LoadedTemplate; diagnostics: Diagnostic[]} {
  return withSyntax(readGuestTemplate(file))
}

/** `hvguest validate FILE`: whatever kind the file declares; a guest template is also trial-rendered. */
export function loadAnyFile(file: string): {kind?: Kind; diagnostics: Diagnostic[]} {
  const read = readAnyFile(file)
  if (read.kind !== 'GuestTemplate') return {kind: read.kind, diagnostics: read.diagnostics}
  const {template, diagnostics} = withSyntax(read)
  if (template) diagnostics.push(...renderWithDefaults(template))
  // The load and the trial render find the same Handlebars syntax error: say it once.
  return {kind: read.kind, diagnostics: once(diagnostics)}
}

function withSyntax(read: ReadTemplate): {template?: LoadedTemplate; diagnostics: Diagnostic[]} {
  const diagnostics = read.source ? [...read.diagnostics, ...checkTemplateSyntax(read.source)] : read.diagnostics
  return read.template ? {template: read.template, diagnostics} : {diagnostics}
}

/** Diagnostics without repeats (same code, message, file, line and column). */
function once(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  return ds.filter((d) => {
    const key = `${d.code}|${d.message}|${d.source?.file ?? ''}|${d.source?.line ?? ''}|${d.source?.column ?? ''}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}


/** Stand-ins for `host.*` and `profile.*` when a template is validated on its own. */
const PLACEHOLDER_HOST = {
  name: 'HOST',
  os: DEFAULT_HOST_OS,
  vmRoot: 'C:\\ProgramData\\Microsoft\\Windows\\Hyper-V',
  imageRoot: 'C:\\Images',
  isoRoot: 'C:\\ISO',
  cluster: null,
  transport: 'local',
}

const PLACEHOLDER_PROFILE = {
  name: 'generic-1g',
  processors: 2,
  memory: {startup: '2GB'},
  network: {jumboPacket: 1514, chimney: 'disabled', vmq: false},
  capabilities: {jumboPacketValues: [1514], chimney: false, vmq: false, wireless: false},
}

function renderWithDefaults(template: LoadedTemplate): Diagnostic[] {
  if (Object.values(template.parameters).some((def) => isRequired(def) && def.default === undefined)) return []
  const params = resolveParameters(template, {})
  // With no --set and no --values, parameter-invalid can only be a default that does not
  // fit: the load reported it. The trial goes on without that parameter, and whatever uses
  // it is left out, so the spec's own problems are found and the bad default is not echoed.
  const others = params.diagnostics.filter((d) => d.code !== 'parameter-invalid')
  if (hasErrors(others)) return others
  const context: RenderContext = {
    ...params.values,
    name: template.name,
    index: 1,
    host: PLACEHOLDER_HOST,
    profile: PLACEHOLDER_PROFILE,
  }
  return renderGuestSpec(template, context, params.unset, undefined, {invalidParameters: params.invalid}).diagnostics
}
