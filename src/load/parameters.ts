/**
 * Template parameters: declared in the template (`parameters:`), filled by `--values FILE`
 * and `--set k=v` (--set wins), else by their defaults. Every problem is reported at once —
 * a user fixing a command line wants the whole list, not one error per run.
 *
 * Values keep their declared type: `integer` -> number, `boolean` -> boolean, `string` and
 * `size` -> the string as written (a size is checked with parseSize and compared in bytes,
 * but rendered as the user wrote it, so `{{diskSize}}` shows `50GB`, not 53687091200).
 */
import {isMap, isScalar, type Node} from 'yaml'
import type {Diagnostic, SourceRef} from '../model/diagnostic.js'
import type {Locate} from '../model/source.js'
import {report} from '../model/codes.js'
import {locateKeyOf, readYamlSource} from './yaml-source.js'
import {didYouMean} from '../util/did-you-mean.js'
import type {LoadedTemplate} from './loaded-template.js'
import type {ParameterDef} from '../model/schemas.js'
import {MB, parseSize} from '../model/sizes.js'

export type ParameterValue = string | number | boolean

export interface ParameterValues {
  values: Record<string, ParameterValue>
  /** Optional parameters that got no value: a whole-expression use of one drops its key. */
  unset: Set<string>
  /** Parameters whose default does not fit them and that got no other value (reported). */
  invalid: Set<string>
  diagnostics: Diagnostic[]
  /** Parameters declared `secret: true` that have a non-empty value (shown as (secret) everywhere). */
  secrets: Set<string>
}

/** What every output shows instead of a secret parameter's value. */
export const REDACTED = '(secret)'

/** The values as a guest template (and a --name pattern) sees them: secrets as (secret). */
export function redactedValues(p: Pick<ParameterValues, 'values' | 'secrets'>): Record<string, ParameterValue> {
  return Object.fromEntries(Object.entries(p.values).map(([k, v]) => [k, p.secrets.has(k) ? REDACTED : v]))
}

/** Built-in variables of every template; a parameter may not hide them. */
export const RESERVED_PARAMETER_NAMES: readonly string[] = ['name', 'index', 'host', 'profile']

export function isRequired(def: ParameterDef): boolean {
  return def.required ?? def.default === undefined
}

/** The value of a secret that an emitted script asks for when it runs (askSecrets): never written anywhere, only a token. */
export const ASKED_SECRET = '(asked when the script runs)'

/** A value given in another file (a lab's values), with where it is written there. */
export interface GivenValue {
  name: string
  value: unknown
  source: SourceRef
}

export interface ParameterInput {
  sets?: string[]
  valuesFile?: string
  askSecrets?: boolean
  /** Values a lab file gives (after --values, before --set), each reported at its own line. */
  values?: GivenValue[]
  /** Where a missing required parameter is reported, and how the message says to give it (a lab guest). */
  missing?: {source: SourceRef; hint: string}
}

export function resolveParameters(template: LoadedTemplate, input: ParameterInput): ParameterValues {
  const defs = template.parameters
  const names = Object.keys(defs)
  const diagnostics: Diagnostic[] = []
  const given = new Map<string, ParameterValue>()
  /** Names that were given but invalid: reported once, as invalid, not again as missing. */
  const attempted = new Set<string>()

  if (input.valuesFile !== undefined) readValuesFile(input.valuesFile, defs, given, attempted, diagnostics)

  for (const v of input.values ?? []) {
    const def = Object.hasOwn(defs, v.name) ? defs[v.name] : undefined
    if (!def) {
      diagnostics.push(report('parameter-unknown', `values.${v.name}: template ${template.name} has no parameter "${v.name}"${hintFor(v.name, names)}`, {source: v.source}))
      continue
    }
    attempted.add(v.name)
    const r = checkParameterValue(def, v.value, typeof v.value === 'string')
    if (r.ok) given.set(v.name, r.value)
    else diagnostics.push(report('parameter-invalid', `values.${v.name}: ${r.problem}`, {source: v.source}))
  }

  for (const set of input.sets ?? []) {
    const eq = set.indexOf('=')
    const name = eq < 0 ? '' : set.slice(0, eq).trim()
    if (!name) {
      // only the first word: the rest may be a secret typed with a space for the "="
      const word = set.split(/\s/, 1)[0]
      diagnostics.push(report('parameter-invalid', `--set ${JSON.stringify(word)}${word === set ? '' : '…'}: expected NAME=VALUE`))
      continue
    }
    // Everything after the first "=" is the value, verbatim: it may hold "=", newlines, quotes.
    const text = set.slice(eq + 1)
    const def = Object.hasOwn(defs, name) ? defs[name] : undefined
    if (!def) {
      diagnostics.push(report('parameter-unknown', `--set ${name}: the template has no parameter "${name}"${hintFor(name, names)}`))
      continue
    }
    attempted.add(name)
    const r = checkParameterValue(def, text, true)
    if (r.ok) given.set(name, r.value)
    else diagnostics.push(report('parameter-invalid', `--set ${name}: ${r.problem}`))
  }

  const values: Record<string, ParameterValue> = {}
  const unset = new Set<string>()
  const invalid = new Set<string>()
  for (const name of names) {
    const def = defs[name]
    // a secret asked for at run time is planned as given, in place of whatever was given here
    const asked = input.askSecrets === true && def.secret === true && def.type === 'string'
    const value = asked ? ASKED_SECRET : (given.get(name) ?? (attempted.has(name) ? undefined : def.default))
    if (value !== undefined && !given.has(name) && !asked) {
      // The load reported a default that does not fit; a run that uses it reports the same
      // diagnostic (shown once) rather than rendering with it.
      const r = checkParameterValue(def, value, false)
      if (!r.ok) {
        diagnostics.push(invalidDefault(name, r.problem, template.source.locate))
        invalid.add(name)
        continue
      }
    }
    if (value !== undefined) values[name] = value
    else if (attempted.has(name)) continue
    else if (isRequired(def)) {
      diagnostics.push(
        input.missing
          ? report('parameter-missing', `parameter "${name}" of template ${template.name} is required and has no value: ${input.missing.hint}`, {source: input.missing.source})
          : report('parameter-missing', `parameter "${name}" is required and has no value: give it with --set ${name}=VALUE or in a --values file`, {
              source: locateKeyOf(template.source.locate)(['parameters', name]),
            }),
      )
    } else unset.add(name)
  }
  const secrets = new Set(names.filter((n) => defs[n].secret === true && values[n] !== undefined && values[n] !== ''))
  return {values, unset, invalid, diagnostics, secrets}
}

function invalidDefault(name: string, problem: string, locate: Locate): Diagnostic {
  return report('parameter-invalid', `parameters.${name}.default: ${problem}`, {source: locate(['parameters', name, 'default'])})
}

function hintFor(name: string, names: string[]): string {
  const hint = didYouMean(name, names)
  if (hint) return hint
  return names.length ? ` (parameters: ${names.join(', ')})` : ' (it declares no parameters)'
}

/** `--values FILE`: a YAML mapping of parameter: value, with its own file:line:column. */
function readValuesFile(
  file: string,
  defs: Record<string, ParameterDef>,
  given: Map<string, ParameterValue>,
  attempted: Set<string>,
  diagnostics: Diagnostic[],
): void {
  const src = readYamlSource(file)
  // The YAML parser quotes what it could not read (`Unresolved tag: !Hunter2`), and a values file
  // is where secrets go: its syntax errors keep their code and place, not the parser's words.
  diagnostics.push(
    ...src.diagnostics.map((d) =>
      d.severity === 'error' && d.code === 'yaml-syntax' ? {...d, message: `${file} is not valid YAML here (the parser's message is left out: a values file may hold secrets); quote a value that starts with ! & * or holds ": "`} : d,
    ),
  )
  if (src.diagnostics.some((d) => d.severity === 'error')) return
  const root = src.doc.contents as Node | null
  if (root === null) return // an empty values file sets nothing
  if (!isMap(root)) {
    diagnostics.push(report('parameter-invalid', 'a --values file must be a mapping of parameter: value', {source: src.locate([])}))
    return
  }
  const names = Object.keys(defs)
  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
    const def = Object.hasOwn(defs, name) ? defs[name] : undefined
    if (!def) {
      diagnostics.push(report('parameter-unknown', `the template has no parameter "${name}"${hintFor(name, names)}`, {source: locateKeyOf(src.locate)([name])}))
      continue
    }
    attempted.add(name)
    const where = src.locate([name])
    const node = pair.value as Node | null
    if (!node || !isScalar(node) || node.value === null) {
      const got = !node || (isScalar(node) && node.value === null) ? 'nothing' : 'a list or mapping'
      diagnostics.push(report('parameter-invalid', `parameter "${name}": expected a single value, got ${got}`, {source: where}))
      continue
    }
    let raw: unknown = node.value
    // `version: 22.04` is a number to YAML; a string parameter wants what was written.
    if (def.type === 'string' && typeof raw !== 'string' && node.range) raw = src.text.slice(node.range[0], node.range[1])
    const r = checkParameterValue(def, raw, typeof raw === 'string')
    if (r.ok) given.set(name, r.value)
    else diagnostics.push(report('parameter-invalid', `parameter "${name}": ${r.problem}`, {source: where}))
  }
}

// ------------------------------------------------------------------ checking values

export type ValueCheck = {ok: true; value: ParameterValue} | {ok: false; problem: string}

const INTEGER_TEXT = /^-?\d+$/
const showValue = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v))
/** How a message quotes a value: a secret's never, whatever is wrong with it. */
const shower = (def: ParameterDef) => (v: unknown): string => (def.secret ? REDACTED : showValue(v))
const show = showValue

/**
 * Coerces and checks one value against a definition. `fromText`: the value is text (from
 * --set, or quoted in a values file), so `integer` accepts `-?\d+` and `boolean` true/false.
 */
export function checkParameterValue(def: ParameterDef, raw: unknown, fromText: boolean): ValueCheck {
  const r = checkValue(def, raw, fromText)
  return r.ok || def.type !== 'size' ? r : {ok: false, problem: r.problem + bareNumberHint(raw)}
}

/**
 * `--set memory=4096` means 4096MB to a person and 4096 bytes to a size: when a bare number
 * too small to be meant as bytes (under 1MB) is refused, say how it was read.
 */
function bareNumberHint(raw: unknown): string {
  // (a size is never secret: secret parameters are strings)
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : ''
  if (!/^\d+$/.test(text)) return ''
  const n = Number(text)
  return n > 0 && n < MB ? ` (a bare number is bytes; did you mean ${text}MB?)` : ''
}

function checkValue(def: ParameterDef, raw: unknown, fromText: boolean): ValueCheck {
  const show = shower(def)
  const typed = coerce(def, raw, fromText)
  if (!typed.ok) return typed
  const value = typed.value
  const bytes = (v: unknown): number | undefined => {
    const r = parseSize(v)
    return r.ok ? r.bytes : undefined
  }
  const measure = def.type === 'size' ? bytes : (v: unknown) => (typeof v === 'number' ? v : undefined)

  if (def.allowed) {
    const fits =
      def.type === 'size'
        ? def.allowed.some((a) => bytes(a) !== undefined && bytes(a) === bytes(value))
        : def.allowed.some((a) => a === value)
    if (!fits) {
      const strings = def.allowed.filter((a): a is string => typeof a === 'string')
      const hint = typeof value === 'string' && !def.secret ? didYouMean(value, strings) : ''
      return {ok: false, problem: `${show(value)} is not one of ${def.allowed.map(def.secret ? () => REDACTED : showValue).join(', ')}${hint}`}
    }
  }
  const n = measure(value)
  const min = def.minimum === undefined ? undefined : measure(def.minimum)
  const max = def.maximum === undefined ? undefined : measure(def.maximum)
  if (n !== undefined && min !== undefined && n < min) return {ok: false, problem: `${show(value)} is below the minimum ${show(def.minimum)}`}
  if (n !== undefined && max !== undefined && n > max) return {ok: false, problem: `${show(value)} is above the maximum ${show(def.maximum)}`}
  if (def.pattern !== undefined && typeof value === 'string') {
    const re = patternOf(def.pattern)
    if (re && !re.test(value)) return {ok: false, problem: `${show(value)} does not match the pattern ${def.pattern}`}
  }
  return {ok: true, value}
}

function coerce(def: ParameterDef, raw: unknown, fromText: boolean): ValueCheck {
  const show = shower(def)
  switch (def.type) {
    case 'string':
      return typeof raw === 'string' ? {ok: true, value: raw} : {ok: false, problem: `expected a string, got ${show(raw)}`}
    case 'integer': {
      const v = fromText && typeof raw === 'string' && INTEGER_TEXT.test(raw) ? Number(raw) : raw
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return {ok: false, problem: `expected an integer, got ${show(raw)}`}
      return {ok: true, value: v}
    }
    case 'boolean': {
      const v = fromText && (raw === 'true' || raw === 'false') ? raw === 'true' : raw
      if (typeof v !== 'boolean') return {ok: false, problem: `expected true or false, got ${show(raw)}`}
      return {ok: true, value: v}
    }
    case 'size': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return {ok: false, problem: `expected a size such as 40GB, got ${show(raw)}`}
      const r = parseSize(raw)
      return r.ok ? {ok: true, value: raw} : {ok: false, problem: r.message}
    }
  }
}

const patterns = new Map<string, RegExp | undefined>()

/** A pattern must match the WHOLE value (`[a-z]+` means letters only, not "contains a letter"). */
export function patternOf(pattern: string): RegExp | undefined {
  if (!patterns.has(pattern)) {
    let re: RegExp | undefined
    try {
      re = new RegExp(`^(?:${pattern})$`, 'u')
    } catch {
      re = undefined
    }
    patterns.set(pattern, re)
  }
  return patterns.get(pattern)
}

// ------------------------------------------------------------- checking definitions

/**
 * Load-time checks of the `parameters:` block that zod cannot express: reserved names,
 * defaults and allowed values that do not fit their own type, bounds and patterns that
 * cannot apply.
 */
export function checkParameterDefinitions(defs: Record<string, ParameterDef>, locate: Locate): Diagnostic[] {
  const out: Diagnostic[] = []
  const at = (name: string, ...rest: Array<string | number>) => locate(['parameters', name, ...rest])
  const schema = (message: string, source: ReturnType<Locate>) => out.push(report('schema', message, {source}))
  for (const [name, def] of Object.entries(defs)) {
    const where = `parameters.${name}`
    if (RESERVED_PARAMETER_NAMES.includes(name)) {
      schema(`${where}: "${name}" is a built-in variable (${RESERVED_PARAMETER_NAMES.join(', ')}); choose another parameter name`, locateKeyOf(locate)(['parameters', name]))
    }
    const typeOnly: ParameterDef = {type: def.type}
    def.allowed?.forEach((a, i) => {
      const r = checkParameterValue(typeOnly, a, false)
      if (!r.ok) schema(`${where}.allowed[${i}]: ${r.problem}`, at(name, 'allowed', i))
    })
    for (const bound of ['minimum', 'maximum'] as const) {
      const v = def[bound]
      if (v === undefined) continue
      if (def.type !== 'integer' && def.type !== 'size') schema(`${where}.${bound}: only integer and size parameters have a ${bound}`, at(name, bound))
      else if (def.type === 'integer' && !(typeof v === 'number' && Number.isFinite(v))) schema(`${where}.${bound}: expected a number, got ${show(v)}`, at(name, bound))
      else if (def.type === 'size' && !parseSize(v).ok) schema(`${where}.${bound}: expected a size such as 40GB, got ${show(v)}`, at(name, bound))
    }
    if (def.pattern !== undefined) {
      if (def.type !== 'string') schema(`${where}.pattern: only string parameters have a pattern`, at(name, 'pattern'))
      else if (!patternOf(def.pattern)) schema(`${where}.pattern: ${JSON.stringify(def.pattern)} is not a valid regular expression`, at(name, 'pattern'))
    }
    if (def.default !== undefined) {
      const r = checkParameterValue(def, def.default, false)
      if (!r.ok) out.push(invalidDefault(name, r.problem, locate))
    }
    out.push(...secretChecks(name, def, locate))
  }
  return out
}

/** A name that says "secret" while the value would be shown, a secret of another type, a default secret. */
function secretChecks(name: string, def: ParameterDef, locate: Locate): Diagnostic[] {
  const where = `parameters.${name}`
  if (def.secret === true) {
    if (def.type !== 'string') return [report('schema', `${where}.secret: only string parameters can be secret`, {source: locate(['parameters', name, 'secret'])})]
    if (def.default !== undefined) {
      return [
        report('parameter-secret-default', `${where}: a secret parameter with a default is a secret shared by every guest made from this template; remove the default and give the value with --values FILE or --set`, {
          source: locate(['parameters', name, 'default']),
        }),
      ]
    }
    return []
  }
  if (def.secret === undefined && SECRET_NAME.test(name)) {
    return [
      report('parameter-looks-secret', `${where}: the name says it holds a secret, but it is not declared secret, so plans and output show its value; add "secret: true" (or "secret: false" to say it is not one)`, {
        source: locateKeyOf(locate)(['parameters', name]),
      }),
    ]
  }
  return []
}

const SECRET_NAME = /password|secret|token/i
