/**
 * Renders a resolved guest's first-boot files (templates/firstboot/README.md): the plan's copy,
 * with every secret shown as (secret), and, when the files carry a secret, the renderer that
 * writes the media's real bytes later (seed-files.ts). The files of each kind, and where their
 * templates come from, are in template-sources.ts; a kickstart template's `# boot-hint: …` line
 * says what to type at the installer's boot prompt, and the plan carries it.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {Diagnostic, SourceRef} from '../../model/diagnostic.js'
import type {PlannedFirstBoot, PlannedFirstBootFile, PlannedGuest} from '../../model/plan.js'
import type {Locate} from '../../model/source.js'
import {report} from '../../model/codes.js'
import {TemplateError, type RenderContext} from '../../render/handlebars-env.js'
import {undefinedMessage} from '../../render/render.js'
import {SecretValue, type SecretMode, type SecretUses} from '../../render/secret-value.js'
import {firstBootContext} from './context.js'
import {compileDocument, type DocumentFormat} from './document-env.js'
import {rememberSeedRenderer} from './seed-files.js'
import {findTemplate, mediaSources} from './template-sources.js'

const FORMAT: Record<PlannedFirstBoot['kind'], DocumentFormat> = {cloudInit: 'yaml', kickstart: 'shell', unattend: 'xml'}

export interface FirstBootInput {
  guest: PlannedGuest
  /** The guest template's render context: parameters, name, index, host, profile. */
  context: RenderContext
  /** Optional parameters left unset (for "is not set" messages). */
  unset: ReadonlySet<string>
  templateFile: string | null
  cwd: string
  locate: Locate
  /** Template texts already read in this run, by file. */
  texts?: Map<string, string>
  /** Parameters declared secret (with a value): the plan shows (secret), only the media gets the value. */
  secrets?: ReadonlySet<string>
  /** The parameters' descriptions, for a script that asks for the secrets (create --emit --no-secrets). */
  descriptions?: Readonly<Record<string, string | undefined>>
}

export interface PlannedFirstBootResult {
  /**
   * The guest's first-boot record as the plan carries it: a new record with `files`, `bootHint`
   * and `secret` once the files render, the guest's own record as it was when they do not, null
   * when the guest has no first boot.
   */
  firstBoot: PlannedFirstBoot | null
  diagnostics: Diagnostic[]
}

/** Renders the guest's first-boot files into a new first-boot record for the plan; the guest is left as it is. */
export function planFirstBoot(input: FirstBootInput): PlannedFirstBootResult {
  const fb = input.guest.firstBoot
  if (!fb) return {firstBoot: null, diagnostics: []}
  const unrendered = (diagnostics: Diagnostic[]): PlannedFirstBootResult => ({firstBoot: fb, diagnostics})
  const name = input.guest.name
  const at = input.locate(['spec', 'firstBoot', fb.kind])
  const found = findTemplate(fb.template, input.templateFile, input.cwd)
  if (!found) {
    return unrendered([
      report('firstboot-template-not-found', `firstBoot.${fb.kind}: "${fb.template}" is not a file next to the template, in the project or among the built-in templates (e.g. firstboot/cloud-init)`, {guest: name, source: at}),
    ])
  }
  const sources = mediaSources(fb.kind, found)
  if ('missing' in sources) {
    return unrendered([report('firstboot-template-not-found', `firstBoot.cloudInit: the folder ${found} has no user-data.yaml.hbs`, {guest: name, source: at})])
  }
  const secrets = input.secrets ?? new Set<string>()
  /** One render of every file in a mode; meta-data's instance-id comes from the plan's (redacted) render in every mode. */
  const renderAll = (mode: SecretMode, instanceId?: string): {files: PlannedFirstBootFile[]; uses: SecretUses; diagnostics: Diagnostic[]; instanceId: string} => {
    const uses: SecretUses = []
    const context = firstBootContext(input)
    for (const name of secrets) {
      const value = input.context[name]
      if (typeof value === 'string' && value !== '') context[name] = new SecretValue(name, value, mode, uses)
    }
    context.__secrets = {mode, uses}
    const files: PlannedFirstBootFile[] = []
    const diagnostics: Diagnostic[] = []
    // meta-data last: its instance-id is derived from the other files' content
    const order = [...sources.files].sort((a, b) => Number(a.media === 'meta-data') - Number(b.media === 'meta-data'))
    for (const {media, file} of order) {
      if (media === 'meta-data') {
        const digest = createHash('sha256').update(files.map((f) => `${f.name}\0${f.content}\0`).join('')).digest('hex')
        ;(context.seed as {instanceId: string}).instanceId = instanceId ?? `hvguest-${input.guest.name}-${digest.slice(0, 12)}`
      }
      const rendered = renderFile(file, FORMAT[fb.kind], context, input, at)
      if (typeof rendered !== 'string') diagnostics.push(rendered)
      else files.push({name: media, template: file, content: rendered})
    }
    files.sort((a, b) => sources.files.findIndex((s) => s.media === a.name) - sources.files.findIndex((s) => s.media === b.name))
    return {files, uses, diagnostics, instanceId: (context.seed as {instanceId: string}).instanceId}
  }
  const plan = renderAll('redacted')
  if (plan.diagnostics.length > 0) return unrendered(plan.diagnostics)
  const planned: PlannedFirstBoot = {
    ...fb,
    files: plan.files,
    bootHint: fb.kind === 'kickstart' ? (/^#\s*boot-hint:\s*(.+?)\s*$/m.exec(plan.files[0].content)?.[1] ?? null) : null,
    secret: plan.uses.length > 0,
  }
  // A secret written as it is must fit its format (a line break in a kickstart line, a control
  // character in XML): found now, as for any value, not when the media is written. The plan
  // still shows the files it rendered.
  if (plan.uses.some((u) => u.form === 'plain')) {
    const check = renderAll('check')
    if (check.diagnostics.length > 0) return {firstBoot: planned, diagnostics: check.diagnostics}
  }
  if (planned.secret) {
    // The media's bytes, rendered only when it is written (seed-files.ts); never in the plan.
    const instanceId = plan.instanceId
    const parameters = [...new Set(plan.uses.flatMap((u) => (u.parameter === null ? [] : [u.parameter])))]
    rememberSeedRenderer(planned, {
      render: (mode) => {
        const r = renderAll(mode, instanceId)
        // the plan checked every value; a render that still fails must not write media with files missing
        if (r.diagnostics.length > 0) throw new Error(`the first-boot files of ${input.guest.name} could not be rendered again for the media: ${r.diagnostics.map((d) => d.message).join('; ')}`)
        return r.files
      },
      parameters: parameters.map((p) => ({parameter: p, description: input.descriptions?.[p] ?? null, forms: [...new Set(plan.uses.filter((u) => u.parameter === p).map((u) => u.form))]})),
    })
  }
  return {firstBoot: planned, diagnostics: []}
}

/** Renders the guest's first-boot files into `guest.firstBoot`, for a caller that holds the guest; returns what went wrong. */
export function renderFirstBoot(input: FirstBootInput): Diagnostic[] {
  const {firstBoot, diagnostics} = planFirstBoot(input)
  input.guest.firstBoot = firstBoot
  return diagnostics
}

function renderFile(file: string, format: DocumentFormat, context: RenderContext, input: FirstBootInput, at: SourceRef): string | Diagnostic {
  const guest = input.guest.name
  const texts = (input.texts ??= new Map())
  let text = texts.get(file)
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      return report('file-not-found', `cannot read first-boot template ${file}: ${(error as Error).message}`, {guest, source: at})
    }
    texts.set(file, text)
  }
  try {
    return compileDocument(text, format).render(context)
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    const source = {file, ...positionOf(text, error.index)}
    switch (error.kind) {
      case 'undefined-variable': {
        const root = (error.expression ?? '').split('.')[0]
        const hint = root in context ? '' : `; a first-boot template sees the guest template's parameters, so declare "${root}" there (required: false when it is optional)`
        return report('template-undefined-variable', undefinedMessage(error.expression ?? '', context, input.unset) + hint, {guest, source})
      }
      case 'helper':
        return report('template-helper-error', error.message, {guest, source})
      case 'format':
        return report('firstboot-value-invalid', `${error.message} (${format} first-boot file for ${guest})`, {guest, source})
      default:
        return report('template-syntax', error.message, {guest, source})
    }
  }
}

function positionOf(text: string, index: number): {line: number; column: number} {
  const before = text.slice(0, index)
  const line = before.split('\n').length
  return {line, column: index - (before.lastIndexOf('\n') + 1) + 1}
}
