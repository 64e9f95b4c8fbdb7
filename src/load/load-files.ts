/**
 * The load stage: a file on disk -> a typed, checked document, or diagnostics that say
 * file:line:column. A guest template is only read here (header, parameters); the Handlebars
 * syntax of its `spec` is checked by the render stage (src/render/template-file.ts), and the
 * spec itself after rendering (src/render/render.ts), because sizes and counts may come from
 * parameters.
 */
import {isMap, isScalar, type Node} from 'yaml'
import {hasErrors, type Diagnostic} from '../model/diagnostic.js'
import type {Locate} from '../model/source.js'
import {report} from '../model/codes.js'
import {readYamlSource, type YamlSource} from './yaml-source.js'
import {checkParameterDefinitions} from './parameters.js'
import {
  guestTemplateHeaderSchema,
  hardwareProfileSchema,
  hostInventorySchema,
  labSchema,
  SCHEMAS,
  type HardwareProfile,
  type HostInventory,
  type Kind,
  type Lab,
} from '../model/schemas.js'
import {zodToDiagnostics} from './zod-diagnostics.js'
import {compiledBuiltinProfile} from './compiled-profiles.js'
import {compiledBuiltinTemplate} from './compiled-templates.js'
import type {LoadedTemplate} from './loaded-template.js'
import type {z} from 'zod'

const KINDS = Object.keys(SCHEMAS) as Kind[]

/**
 * A guest template file as read: the template when its header and parameters allow, and the
 * YAML source whenever it was read that far, for the render stage's syntax check.
 */
export interface ReadTemplate {
  template?: LoadedTemplate
  source?: YamlSource
  diagnostics: Diagnostic[]
}

export function readGuestTemplate(file: string): ReadTemplate {
  return guestTemplateFrom(compiledBuiltinTemplate(file) ?? readYamlSource(file))
}

export function loadHardwareProfile(file: string): {profile?: HardwareProfile; diagnostics: Diagnostic[]} {
  const compiled = compiledBuiltinProfile(file)
  if (compiled) return {profile: compiled, diagnostics: []}
  return readHardwareProfile(file)
}

/** A profile from its YAML, checked: what loadHardwareProfile does unless the build stored the file (compiled-profiles.ts). */
export function readHardwareProfile(file: string): {profile?: HardwareProfile; diagnostics: Diagnostic[]} {
  const r = documentFrom(readYamlSource(file), 'HardwareProfile', hardwareProfileSchema)
  return {profile: r.value, diagnostics: r.diagnostics}
}

export function loadHostInventory(file: string): {inventory?: HostInventory; locate?: Locate; diagnostics: Diagnostic[]} {
  const source = readYamlSource(file)
  const r = documentFrom(source, 'HostInventory', hostInventorySchema)
  return {inventory: r.value, locate: r.value ? source.locate : undefined, diagnostics: r.diagnostics}
}

/** A lab file, with the Locate that places its diagnostics at file:line:column. */
export function loadLab(file: string): {lab?: Lab; locate?: Locate; diagnostics: Diagnostic[]} {
  const source = readYamlSource(file)
  const r = documentFrom(source, 'Lab', labSchema)
  return {lab: r.value, locate: r.value ? source.locate : undefined, diagnostics: r.diagnostics}
}

/** Any hvguest file, by the kind it declares; a guest template as readGuestTemplate reads it. */
export function readAnyFile(file: string): {kind?: Kind} & ReadTemplate {
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
    case 'GuestTemplate':
      return {kind, ...guestTemplateFrom(source)}
    case 'Lab':
      return {kind, diagnostics: documentFrom(source, kind, labSchema).diagnostics}
  }
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

function guestTemplateFrom(source: YamlSource): ReadTemplate {
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
  // A default that does not fit its parameter does not block: a run that uses it reports it
  // again (resolveParameters), and one that sets the parameter does not need it. Nor does a
  // Handlebars syntax error, which the render stage adds after these (template-file.ts).
  const blocking = diagnostics.filter((d) => d.severity === 'error' && d.code !== 'parameter-invalid')
  if (!header.success || blocking.length > 0) return {source, diagnostics}

  const {metadata} = header.data
  const template: LoadedTemplate = {name: metadata.name, file: source.file, parameters, source}
  if (metadata.description !== undefined) template.description = metadata.description
  return {template, source, diagnostics}
}

/** The document as plain data; yaml refuses alias bombs ("billion laughs") here. */
function toData(source: YamlSource): {ok: true; value: unknown} | {ok: false; diagnostic: Diagnostic} {
  try {
    return {ok: true, value: source.doc.toJS()}
  } catch (error) {
    return {ok: false, diagnostic: report('yaml-syntax', (error as Error).message, {source: {file: source.file}})}
  }
}
