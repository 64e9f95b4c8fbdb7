/**
 * The load stage: a file on disk -> a typed, checked document, or diagnostics that say
 * file:line:column. A guest template is only loaded here (header, parameters, template
 * syntax); its `spec` is checked after rendering (templating/render.ts), because sizes and
 * counts may come from parameters.
 */
import {isMap, isScalar, type Node} from 'yaml'
import {hasErrors, type Diagnostic} from '../model/diagnostic.js'
import type {Locate} from '../model/source.js'
import {report} from '../rules/codes.js'
import {checkTemplateSyntax, renderGuestSpec, type RenderContext} from '../templating/render.js'
import {readYamlSource, type YamlSource} from '../templating/yaml-source.js'
import {DEFAULT_HOST_OS} from './host-os.js'
import {checkParameterDefinitions, isRequired, resolveParameters} from './parameters.js'
import {
  guestTemplateHeaderSchema,
  hardwareProfileSchema,
  hostInventorySchema,
  SCHEMAS,
  type HardwareProfile,
  type HostInventory,
  type Kind,
  type ParameterDef,
} from './schemas.js'
import {zodToDiagnostics} from './zod-diagnostics.js'
import type {z} from 'zod'

export interface LoadedTemplate {
  name: string
  description?: string
  file: string
  parameters: Record<string, ParameterDef>
  source: YamlSource
}

const KINDS = Object.keys(SCHEMAS) as Kind[]

export function loadGuestTemplate(file: string): {template?: LoadedTemplate; diagnostics: Diagnostic[]} {
  return guestTemplateFrom(readYamlSource(file))
}

export function loadHardwareProfile(file: string): {profile?: HardwareProfile; diagnostics: Diagnostic[]} {
  const r = documentFrom(readYamlSource(file), 'HardwareProfile', hardwareProfileSchema)
  return {profile: r.value, diagnostics: r.diagnostics}
}

export function loadHostInventory(file: string): {inventory?: HostInventory; locate?: Locate; diagnostics: Diagnostic[]} {
  const source = readYamlSource(file)
  const r = documentFrom(source, 'HostInventory', hostInventorySchema)
  return {inventory: r.value, locate: r.value ? source.locate : undefined, diagnostics: r.diagnostics}
}

/**
 * `hvguest validate FILE`: whatever kind the file declares. A guest template is also
 * rendered once with its defaults against a placeholder host and profile (when every
 * parameter has a default or is optional), so a template that cannot render is caught
 * before anyone runs it.
 */
export function loadAnyFile(file: string): {kind?: Kind; diagnostics: Diagnostic[]} {
  const source = readYamlSource(file)
  if (hasErrors(source.diagnostics)) return {diagnostics: source.diagnostics}
  const declared = declaredKind(source)
  if (declared === undefined || !KINDS.includes(declared as Kind)) return {diagnostics: [...source.diagnostics, ...kindCheck(source, undefined)]}
  const kind = declared as Kind
  switch (kind) {
    case 'HardwareProfile':
      return {kind, diagnostics: documentFrom(source, kind, hardwareProfileSchema).diagnostics}
    case 'HostInventory':
      return {kind, diagnostics: documentFrom(source, kind, hostInventorySchema).diagnostics}
    case 'GuestTemplate': {
      const {template, diagnostics} = guestTemplateFrom(source)
      if (template) diagnostics.push(...renderWithDefaults(template))
      // The load and the trial render find the same Handlebars syntax error: say it once.
      return {kind, diagnostics: once(diagnostics)}
    }
  }
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

// --------------------------------------------------------------------------- kinds

function declaredKind(source: YamlSource): string | undefined {
  const root = source.doc.contents as Node | null
  if (!root || !isMap(root)) return undefined
  const kind = root.get('kind', true)
  return isScalar(kind) ? String(kind.value) : undefined
}

/** `kind-mismatch` unless the document declares `expected` (any known kind when undefined). */
function kindCheck(source: YamlSource, expected: Kind | undefined): Diagnostic[] {
  const kind = declaredKind(source)
  if (expected ? kind === expected : KINDS.includes(kind as Kind)) return []
  const want = expected ? `"kind: ${expected}"` : `one of ${KINDS.join(', ')}`
  const kinds = `(hvguest files are ${KINDS.join(', ')})`
  const root = source.doc.contents as Node | null
  let message: string
  if (!root) message = `the file is empty; expected a document with ${want}`
  else if (!isMap(root)) message = `expected a mapping with apiVersion, kind, metadata; ${kinds}`
  else if (kind === undefined) message = `no kind: expected ${want} ${kinds}`
  else message = `kind is "${kind}", expected ${want}${expected ? ` ${kinds}` : ''}`
  return [report('kind-mismatch', message, {source: source.locate(['kind'])})]
}

// ---------------------------------------------------------------------- documents

/** Profile and inventory: syntax, kind, then the whole schema. */
function documentFrom<S extends z.ZodType>(source: YamlSource, kind: Kind, schema: S): {value?: z.output<S>; diagnostics: Diagnostic[]} {
  const diagnostics = [...source.diagnostics]
  if (hasErrors(diagnostics)) return {diagnostics}
  diagnostics.push(...kindCheck(source, kind))
  if (hasErrors(diagnostics)) return {diagnostics}
  const data = toData(source)
  if (!data.ok) return {diagnostics: [...diagnostics, data.diagnostic]}
  const r = schema.safeParse(data.value, {reportInput: true})
  if (!r.success) return {diagnostics: [...diagnostics, ...zodToDiagnostics(r.error, schema, source.locate)]}
  return {value: r.data, diagnostics}
}

function guestTemplateFrom(source: YamlSource): {template?: LoadedTemplate; diagnostics: Diagnostic[]} {
  const diagnostics = [...source.diagnostics]
  if (hasErrors(diagnostics)) return {diagnostics}
  diagnostics.push(...kindCheck(source, 'GuestTemplate'))
  if (hasErrors(diagnostics)) return {diagnostics}

  const data = toData(source)
  if (!data.ok) return {diagnostics: [...diagnostics, data.diagnostic]}
  const header = guestTemplateHeaderSchema.safeParse(data.value, {reportInput: true})
  if (!header.success) diagnostics.push(...zodToDiagnostics(header.error, guestTemplateHeaderSchema, source.locate))
  const parameters = header.success ? (header.data.parameters ?? {}) : {}
  diagnostics.push(...checkParameterDefinitions(parameters, source.locate))
  diagnostics.push(...checkTemplateSyntax(source))
  // A Handlebars syntax error stays with its scalar: rendering reports it again (the run
  // merges the two) and every other problem of the template is still found in the same run.
  // So does a default that does not fit its parameter: a run that uses it reports it again
  // (resolveParameters), and one that sets the parameter does not need it.
  const blocking = diagnostics.filter((d) => d.severity === 'error' && d.code !== 'template-syntax' && d.code !== 'parameter-invalid')
  if (!header.success || blocking.length > 0) return {diagnostics}

  const {metadata} = header.data
  const template: LoadedTemplate = {name: metadata.name, file: source.file, parameters, source}
  if (metadata.description !== undefined) template.description = metadata.description
  return {template, diagnostics}
}

/** The document as plain data; yaml refuses alias bombs ("billion laughs") here. */
function toData(source: YamlSource): {ok: true; value: unknown} | {ok: false; diagnostic: Diagnostic} {
  try {
    return {ok: true, value: source.doc.toJS()}
  } catch (error) {
    return {ok: false, diagnostic: report('yaml-syntax', (error as Error).message, {source: {file: source.file}})}
  }
}

// ------------------------------------------------------------ validate's trial render

/** Stand-ins for `host.*` and `profile.*` when a template is validated on its own. */
export const PLACEHOLDER_HOST = {
  name: 'HOST',
  os: DEFAULT_HOST_OS,
  vmRoot: 'C:\\ProgramData\\Microsoft\\Windows\\Hyper-V',
  imageRoot: 'C:\\Images',
  isoRoot: 'C:\\ISO',
  cluster: null,
  transport: 'local',
}

export const PLACEHOLDER_PROFILE = {
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
