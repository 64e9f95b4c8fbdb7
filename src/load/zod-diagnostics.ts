/**
 * zod issues -> hvguest diagnostics (code `schema`). zod's own messages are generic
 * ("Invalid input: expected number, received string"); a template author wants the path,
 * what was expected and what was written, at the line it was written on:
 *
 *   ubuntu.yaml:9:15: error [schema] spec.processors: expected an integer, got "two"
 *   ubuntu.yaml:8:3: error [schema] spec: unknown key "procesors" (did you mean "processors"?)
 *
 * "got" needs the offending value, so parse with `schema.safeParse(data, {reportInput: true})`;
 * without it the messages simply leave "got" out.
 */
import {z} from 'zod'
import type {Diagnostic} from '../model/diagnostic.js'
import {formatDocPath, type DocPath, type Locate} from '../model/source.js'
import {report} from '../model/codes.js'
import {locateKeyOf} from './yaml-source.js'
import {didYouMean} from '../util/did-you-mean.js'

export interface ZodDiagnosticOptions {
  /** Where the parsed value sits in its document, e.g. ['spec'] for a rendered guest spec. */
  pathPrefix?: DocPath
  guest?: string
}

type Issue = z.core.$ZodIssue

export function zodToDiagnostics(
  error: z.ZodError,
  schema: z.ZodType,
  locate: Locate,
  opts: ZodDiagnosticOptions = {},
): Diagnostic[] {
  const ctx: Ctx = {schema, locate, prefix: opts.pathPrefix ?? [], guest: opts.guest}
  const out = error.issues.flatMap((issue) => issueDiagnostics(issue, [], ctx))
  // zod reports unknown keys after everything else; a reader wants file order.
  return out
    .map((d, i) => ({d, i}))
    .sort((a, b) => lineKey(a.d) - lineKey(b.d) || a.i - b.i)
    .map(({d}) => d)
}

const lineKey = (d: Diagnostic): number =>
  d.source?.line === undefined ? Number.MAX_SAFE_INTEGER : d.source.line * 10_000 + (d.source.column ?? 0)

interface Ctx {
  schema: z.ZodType
  locate: Locate
  prefix: DocPath
  guest?: string
}

/** `base` is the path of an enclosing union branch (issue paths inside it are relative). */
function issueDiagnostics(issue: Issue, base: DocPath, ctx: Ctx): Diagnostic[] {
  const rel: DocPath = [...base, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')]
  const full: DocPath = [...ctx.prefix, ...rel]
  const where = formatDocPath(full) || '(document)'
  const make = (message: string, at: DocPath = full, key = false): Diagnostic => {
    const source = (key ? locateKeyOf(ctx.locate) : ctx.locate)(at)
    return report('schema', message, {source, guest: ctx.guest})
  }
  const input = 'input' in issue ? issue.input : undefined
  const hasInput = 'input' in issue && issue.input !== undefined
  const got = hasInput ? `, got ${describeValue(input)}` : ''

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(ctx.schema, rel)
      return issue.keys.map((k) => {
        const under = indentTarget(ctx.schema, rel, input, k)
        if (under !== undefined) return make(`${where}: unknown key "${k}"; did you mean to indent it under "${under}"?`, [...full, k], true)
        const hint = didYouMean(k, allowed) || (allowed.length > 0 && allowed.length <= 8 ? ` (allowed: ${allowed.join(', ')})` : '')
        return make(`${where}: unknown key "${k}"${hint}`, [...full, k], true)
      })
    }
    case 'invalid_type': {
      if (!hasInput) return [make(`${where}: required, expected ${expectedAt(ctx.schema, rel, issue.expected)}`)]
      return [make(`${where}: expected ${expectedAt(ctx.schema, rel, issue.expected)}${got}`)]
    }
    case 'invalid_union': {
      const merged = mergeUnion(issue)
      if (merged !== undefined) {
        const expected = descriptionAt(ctx.schema, rel) ?? merged
        return [make(hasInput ? `${where}: expected ${expected}${got}` : `${where}: required, expected ${expected}`)]
      }
      // Branches failed deeper down (e.g. inside an object): report the branch that got furthest.
      const branch = closestBranch(issue.errors)
      if (branch) return branch.flatMap((i) => issueDiagnostics(i, rel, ctx))
      return [make(`${where}: ${issue.message}`)]
    }
    case 'invalid_value': {
      const values = issue.values.map(formatLiteral)
      const expected = values.length === 1 ? values[0] : `one of ${values.join(', ')}`
      const hint = typeof input === 'string' && values.length > 1 ? didYouMean(input, issue.values.filter((v): v is string => typeof v === 'string')) : ''
      if (!hasInput) return [make(`${where}: required, expected ${expected}`)]
      return [make(`${where}: expected ${expected}${got}${hint}`)]
    }
    case 'too_small':
    case 'too_big':
      return [make(`${where}: ${rangeMessage(issue, expectedAt(ctx.schema, rel, 'number'))}${got}`)]
    case 'invalid_format':
      return [make(`${where}: ${issue.message}${got}`)]
    case 'not_multiple_of':
      return [make(`${where}: expected a multiple of ${String(issue.divisor)}${got}`)]
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues.length > 0
        ? issue.issues.flatMap((i) => issueDiagnostics(i, rel, ctx))
        : [make(`${where}: ${issue.message}`)]
    default:
      return [make(`${where}: ${issue.message}`)]
  }
}

/**
 * A forgotten indent: `bootDisk:` with nothing after it, then `parent: …` at bootDisk's own
 * indentation. The nearest key written before `key` whose value is null and whose schema
 * accepts `key` is where it belongs.
 */
function indentTarget(schema: z.ZodType, path: DocPath, input: unknown, key: string): string | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined
  const keys = Object.keys(input)
  const here = allowedKeysAt(schema, path)
  const at = keys.indexOf(key)
  for (let i = (at < 0 ? keys.length : at) - 1; i >= 0; i--) {
    const sibling = keys[i]
    if ((input as Record<string, unknown>)[sibling] === null && allowedKeysAt(schema, [...path, sibling]).includes(key)) return sibling
    // a key that belongs here ends the block that lost its indent; other strays are part of it
    if (here.includes(sibling)) return undefined
  }
  return undefined
}

// ------------------------------------------------------------------- wording

/** A user-facing picture of a written value: strings quoted and cut short, shapes named. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null (no value)'
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return String(value)
}

function formatLiteral(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v)
}

const TYPE_WORDS: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
  undefined: 'nothing',
}

/** zod says "number" for `z.int()` given a string; the schema knows it wants an integer. */
function expectedAt(schema: z.ZodType, path: DocPath, expected: string): string {
  if (expected === 'number' && schemasAt(schema, path).some(isIntegerSchema)) return 'an integer'
  return TYPE_WORDS[expected] ?? `a ${expected}`
}

function rangeMessage(issue: Issue & {code: 'too_small' | 'too_big'}, numberWord: string): string {
  const small = issue.code === 'too_small'
  const limit = Number(small ? issue.minimum : issue.maximum)
  const bound = issue.inclusive === false ? (small ? 'greater than' : 'less than') : small ? 'at least' : 'at most'
  switch (issue.origin) {
    case 'string':
      return small && limit === 1 ? 'must not be empty' : `expected ${bound} ${limit} characters`
    case 'array':
    case 'set':
      return small && limit === 1 ? 'must list at least one item' : `expected ${bound} ${limit} items`
    default:
      return `expected ${numberWord} ${bound} ${limit}`
  }
}

/**
 * A union whose branches all failed at the value itself (wrong type or literal) reads as one
 * expectation: `1 or 2`, `a number or a string`. Undefined when a branch failed deeper.
 */
function mergeUnion(issue: Issue & {code: 'invalid_union'}): string | undefined {
  if (issue.errors.length === 0) return undefined
  const words: string[] = []
  for (const branch of issue.errors) {
    if (branch.length !== 1 || branch[0].path.length !== 0) return undefined
    const b = branch[0]
    if (b.code === 'invalid_type') words.push(TYPE_WORDS[b.expected] ?? `a ${b.expected}`)
    else if (b.code === 'invalid_value') words.push(...b.values.map(formatLiteral))
    else if (b.code === 'invalid_union') {
      const inner = mergeUnion(b)
      if (inner === undefined) return undefined
      words.push(inner)
    } else return undefined
  }
  const unique = [...new Set(words)]
  return unique.length <= 2 ? unique.join(' or ') : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`
}

/** The branch whose issues lie deepest (it matched the shape best), fewest issues on ties. */
function closestBranch(branches: Issue[][]): Issue[] | undefined {
  const depth = (b: Issue[]): number => Math.max(...b.map((i) => i.path.length))
  return branches
    .filter((b) => b.length > 0)
    .sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0]
}

// -------------------------------------------------------------- walking the schema

interface Def {
  type: string
  [key: string]: unknown
}
const defOf = (s: z.core.$ZodType): Def => (s as unknown as {_zod: {def: Def}})._zod.def

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional', 'success'])

/**
 * The concrete schemas a (possibly wrapped) schema accepts: optional/default/... are peeled,
 * a pipe is seen from its input side (that is what users write), unions and intersections
 * fan out. `described` collects `.meta({description})` met on the way.
 */
function unwrap(s: z.core.$ZodType, described?: string[]): z.core.$ZodType[] {
  const meta = z.globalRegistry.get(s as z.ZodType)
  if (described && typeof meta?.description === 'string') described.push(meta.description)
  const def = defOf(s)
  if (WRAPPERS.has(def.type)) return unwrap(def.innerType as z.core.$ZodType, described)
  switch (def.type) {
    case 'pipe':
      return unwrap(defOf(def.in as z.core.$ZodType).type === 'transform' ? (def.out as z.core.$ZodType) : (def.in as z.core.$ZodType), described)
    case 'lazy':
      return unwrap((def.getter as () => z.core.$ZodType)(), described)
    case 'union':
      return (def.options as z.core.$ZodType[]).flatMap((o) => unwrap(o, described))
    case 'intersection':
      return [...unwrap(def.left as z.core.$ZodType, described), ...unwrap(def.right as z.core.$ZodType, described)]
    default:
      return [s]
  }
}

/** Every concrete schema that may apply at `path` below `schema`. */
export function schemasAt(schema: z.core.$ZodType, path: DocPath, described?: string[]): z.core.$ZodType[] {
  let current = unwrap(schema)
  path.forEach((seg, i) => {
    const last = i === path.length - 1
    const next: z.core.$ZodType[] = []
    for (const s of current) {
      const def = defOf(s)
      let child: z.core.$ZodType | undefined
      if (def.type === 'object') child = (def.shape as Record<string, z.core.$ZodType>)[String(seg)] ?? (def.catchall as z.core.$ZodType | undefined)
      else if (def.type === 'array' && typeof seg === 'number') child = def.element as z.core.$ZodType
      else if (def.type === 'record') child = def.valueType as z.core.$ZodType
      else if (def.type === 'tuple' && typeof seg === 'number') child = (def.items as z.core.$ZodType[])[seg] ?? (def.rest as z.core.$ZodType | undefined)
      if (child) next.push(...unwrap(child, last ? described : undefined))
    }
    current = next
  })
  return current
}

/** Keys an object (or an enum-keyed record) accepts at `path`: the did-you-mean candidates. */
export function allowedKeysAt(schema: z.core.$ZodType, path: DocPath): string[] {
  const keys = new Set<string>()
  for (const s of schemasAt(schema, path)) {
    const def = defOf(s)
    if (def.type === 'object') for (const k of Object.keys(def.shape as object)) keys.add(k)
    if (def.type === 'record') {
      for (const key of unwrap(def.keyType as z.core.$ZodType)) {
        const kd = defOf(key)
        if (kd.type === 'enum') for (const v of Object.values(kd.entries as object)) keys.add(String(v))
      }
    }
  }
  return [...keys]
}

function descriptionAt(schema: z.core.$ZodType, path: DocPath): string | undefined {
  const described: string[] = []
  if (path.length === 0) unwrap(schema, described)
  else schemasAt(schema, path, described)
  const d = described[0]
  // "A size: 512MB, …" reads as an expectation once its first letter is lower-cased.
  return d === undefined ? undefined : d[0].toLowerCase() + d.slice(1)
}

function isIntegerSchema(s: z.core.$ZodType): boolean {
  const def = defOf(s)
  if (def.type !== 'number') return false
  const format = def.format as string | undefined
  if (format && /int/.test(format)) return true
  return ((def.checks as Array<{_zod: {def: Def}}> | undefined) ?? []).some((c) => /int/.test(String(c._zod.def.format ?? '')))
}
