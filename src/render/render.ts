/**
 * The render stage (README.md, 'Templates in one page'): a loaded template + a context -> a validated GuestSpec.
 *
 * The YAML was parsed first (at load); here every STRING SCALAR under `spec` is rendered on
 * its own. Keys are never rendered, and a value can never change the structure: a --set value
 * holding a newline and `key: value` lands as one string. Rules:
 *
 * - A scalar that is exactly one simple path (`"{{cpu}}"`, `"{{host.vmRoot}}"`) keeps the
 *   value's type (an integer stays a number); exactly one helper call keeps the helper's
 *   result type (`"{{default vlan 100}}"` is the number 100).
 * - Such a scalar naming an unset optional parameter (or a context value that is null)
 *   removes its key, or its list item: `vlan: "{{vlan}}"` is simply omitted.
 * - Any other undefined variable is `template-undefined-variable` at the expression's
 *   file:line:column.
 * - Counted entries: a list item that is a mapping with a `count` key is rendered `count`
 *   times with `index` = 1..N (shadowing the batch index); `count` is dropped.
 *
 * The result is checked with guestSpecSchema; `locate` maps rendered paths (expanded list
 * items included) back to what was written.
 */
import {isAlias, isMap, isScalar, isSeq, type Node, type Scalar} from 'yaml'
import {z} from 'zod'
import type {Diagnostic} from '../model/diagnostic.js'
import {formatDocPath, type DocPath, type Locate} from '../model/source.js'
import {report} from '../model/codes.js'
import type {LoadedTemplate} from '../load/loaded-template.js'
import {guestSpecSchema, type GuestSpec} from '../model/schemas.js'
import {describeValue, zodToDiagnostics} from '../load/zod-diagnostics.js'
import {suggest} from '../util/did-you-mean.js'
import {compileText, renderText, TemplateError, type RenderContext} from './handlebars-env.js'
import {keyedLocate, locateKeyOf, refInScalar, type YamlSource} from '../load/yaml-source.js'

export type {RenderContext} from './handlebars-env.js'
export {TemplateError} from './handlebars-env.js'

/** Renders free text (e.g. `--name "web{{index}}"`) with the guest-template environment. Throws TemplateError. */
export function renderString(text: string, context: RenderContext): string {
  return renderText(text, context)
}

/** Counted entries beyond this are surely a mistake (Hyper-V allows 256 SCSI disks, 68 NICs). */
export const MAX_COUNT = 1024

export interface RenderOptions {
  /**
   * Parameters whose value is already reported as invalid (validate's trial render of a
   * template whose default does not fit): a scalar that uses one is left out silently, like
   * a scalar that failed, instead of echoing the parameter's error as an undefined variable.
   */
  invalidParameters?: ReadonlySet<string>
}

export function renderGuestSpec(
  template: LoadedTemplate,
  context: RenderContext,
  unset: ReadonlySet<string>,
  guest?: string,
  options: RenderOptions = {},
): {spec?: GuestSpec; locate: Locate; diagnostics: Diagnostic[]} {
  const source = template.source
  const invalid = options.invalidParameters ?? new Set<string>()
  const state: State = {source, unset, invalid, guest, diagnostics: [], origins: new WeakMap(), failed: [], silent: false}
  const tree = treeOf(source)
  if (!tree || tree.t !== 'map') {
    const d = report('schema', 'spec: expected a mapping', {source: source.locate(SPEC), guest})
    return {locate: source.locate, diagnostics: [d]}
  }
  const rendered = renderNode(tree, context, {seg: 'spec'}, state)
  const locate = renderedLocate(source, rendered, state.origins)
  const renderFailed = state.silent || state.diagnostics.some((d) => d.severity === 'error')

  // The schema runs even when some scalars failed, so that one run reports every problem.
  // Issues on a failed scalar, or on what holds it (a refine over its object), would only
  // echo the render error and are left out.
  const result = guestSpecSchema.safeParse(rendered, {reportInput: true})
  if (!result.success) {
    const error = renderFailed ? withoutIssuesNear(result.error, state.failed) : result.error
    const ds = error.issues.length ? onePerSource(zodToDiagnostics(error, guestSpecSchema, locate, {pathPrefix: SPEC, guest})) : []
    return {locate, diagnostics: [...state.diagnostics, ...ds]}
  }
  return renderFailed ? {locate, diagnostics: state.diagnostics} : {spec: result.data, locate, diagnostics: state.diagnostics}
}

/**
 * Drops issues on a failed scalar's path or inside it, and refines (`custom`) over one of its
 * ancestors (`bootDisk needs exactly one of size, …` when size failed). Other issues on an
 * ancestor, such as an unknown key beside it, are real and kept.
 */
function withoutIssuesNear(error: z.ZodError, failed: DocPath[]): z.ZodError {
  const prefix = (a: ReadonlyArray<PropertyKey>, b: DocPath) => a.length <= b.length && a.every((p, i) => p === b[i])
  const rel = failed.map((f) => f.slice(SPEC.length))
  const issues = error.issues.filter(
    (issue) => !rel.some((f) => prefix(f, issue.path as DocPath) || (issue.code === 'custom' && prefix(issue.path, f))),
  )
  return new z.ZodError(issues)
}

/**
 * The copies of a counted entry share their source, so a problem in it would be reported
 * once per copy: keep the first of those that differ only in the rendered index.
 */
function onePerSource(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  return ds.filter((d) => {
    if (d.source?.line === undefined) return true
    const what = d.message.slice((d.source.path ?? '').length)
    const key = `${d.code}|${d.source.line}|${d.source.column}|${what}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Load-time check: every string scalar under `root` must parse as a template (unknown
 * helpers included), reported at the file:line:column of the error inside the scalar.
 */
export function checkTemplateSyntax(source: YamlSource, root: DocPath = SPEC): Diagnostic[] {
  const tree = treeOf(source, root)
  const out: Diagnostic[] = []
  const visit = (n: TNode | undefined): void => {
    if (!n) return
    if (n.t === 'map') n.entries.forEach((e) => visit(e.value))
    else if (n.t === 'seq') n.items.forEach(visit)
    else if (n.t === 'str') {
      try {
        compileText(n.value)
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error
        out.push(templateDiagnostic(error, source, n, n.path))
      }
    }
  }
  visit(tree)
  return out
}

// --------------------------------------------------------------- the template tree

const SPEC: DocPath = ['spec']

/**
 * The YAML under `spec`, read once per source: the renderer walks this, not the YAML AST.
 * A list item with a `count` key carries its count and the entry without it.
 */
type TNode =
  | {t: 'map'; entries: Array<{key: string; value: TNode}>; path: DocPath}
  | {t: 'seq'; items: Array<TNode & {counted?: {count: TNode; rest: TNode}}>; path: DocPath}
  | {t: 'str'; value: string; node: Scalar; path: DocPath}
  | {t: 'val'; value: unknown; path: DocPath}

const trees = new WeakMap<YamlSource, Map<string, TNode | undefined>>()

function treeOf(source: YamlSource, root: DocPath = SPEC): TNode | undefined {
  let perRoot = trees.get(source)
  if (!perRoot) trees.set(source, (perRoot = new Map()))
  const key = formatDocPath(root)
  if (!perRoot.has(key)) {
    const doc = source.doc
    const top = doc.contents as Node | null
    let node: Node | null | undefined = top
    for (const seg of root) node = node && isMap(node) ? (node.get(seg, true) as Node | undefined) : undefined
    perRoot.set(key, node ? build(node, root, source, 0) : undefined)
  }
  return perRoot.get(key)
}

function build(node: Node, path: DocPath, source: YamlSource, depth: number): TNode {
  if (isAlias(node)) {
    const target = node.resolve(source.doc) as Node | undefined
    // depth guards against alias cycles, which the yaml library reports but does not prevent
    return target && depth < 64 ? build(target, path, source, depth + 1) : {t: 'val', value: null, path}
  }
  if (isMap(node)) {
    const entries = node.items.map((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
      const p = [...path, key]
      const value = pair.value ? build(pair.value as Node, p, source, depth) : ({t: 'val', value: null, path: p} as TNode)
      return {key, value}
    })
    return {t: 'map', entries, path}
  }
  if (isSeq(node)) {
    const items = node.items.map((item, i) => {
      const built: TNode = item ? build(item as Node, [...path, i], source, depth) : {t: 'val', value: null, path: [...path, i]}
      const count = built.t === 'map' ? built.entries.find((e) => e.key === 'count') : undefined
      if (built.t !== 'map' || !count) return built
      return {...built, counted: {count: count.value, rest: {...built, entries: built.entries.filter((e) => e !== count)}}}
    })
    return {t: 'seq', items, path}
  }
  if (isScalar(node) && typeof node.value === 'string') return {t: 'str', value: node.value, node, path}
  return {t: 'val', value: isScalar(node) ? node.value : null, path}
}

// ------------------------------------------------------------------------ rendering

const OMIT = Symbol('omit')

interface State {
  source: YamlSource
  unset: ReadonlySet<string>
  /** See RenderOptions.invalidParameters. */
  invalid: ReadonlySet<string>
  guest?: string
  diagnostics: Diagnostic[]
  /** Rendered list -> the source index each of its items came from. */
  origins: WeakMap<unknown[], number[]>
  /** Rendered paths of scalars that could not be rendered (left out of the result). */
  failed: DocPath[]
  /** A scalar was left out without a diagnostic of its own (it uses an invalid parameter). */
  silent: boolean
}

/** Where the renderer is, as a parent chain: built per node, turned into a path only for a diagnostic. */
interface At {
  up?: At
  seg: string | number
}

function pathOf(at: At): DocPath {
  const path: Array<string | number> = []
  for (let a: At | undefined = at; a; a = a.up) path.unshift(a.seg)
  return path
}

function renderNode(n: TNode, ctx: RenderContext, at: At, state: State): unknown {
  switch (n.t) {
    case 'val':
      return n.value
    case 'str':
      return renderScalar(n, ctx, at, state)
    case 'map': {
      const out: Record<string, unknown> = {}
      for (const {key, value} of n.entries) {
        const v = renderNode(value, ctx, {up: at, seg: key}, state)
        if (v === OMIT) continue
        // a key named __proto__ must stay data (and be reported as unknown), not set a prototype
        if (key === '__proto__') Object.defineProperty(out, key, {value: v, enumerable: true, writable: true, configurable: true})
        else out[key] = v
      }
      return out
    }
    case 'seq': {
      const out: unknown[] = []
      const origins: number[] = []
      n.items.forEach((item, srcIndex) => {
        if (item.counted) {
          // the count is named by the entry's index as written: its copies do not exist yet
          const times = renderCount(item.counted.count, ctx, {up: {up: at, seg: srcIndex}, seg: 'count'}, state)
          for (let i = 1; i <= times; i++) {
            origins.push(srcIndex)
            out.push(renderNode(item.counted.rest, {...ctx, index: i}, {up: at, seg: out.length}, state))
          }
          return
        }
        const v = renderNode(item, ctx, {up: at, seg: out.length}, state)
        if (v === OMIT) return
        origins.push(srcIndex)
        out.push(v)
      })
      state.origins.set(out, origins)
      return out
    }
  }
}

/**
 * `count` is rendered first and must be a whole number 0..MAX_COUNT; problems give 0 copies.
 * `at` names the entry by its index in the file. A count that fails leaves nothing in
 * `state.failed`: the entry's copies are missing, not wrong, and the rendered index `at`
 * would name is that of the NEXT item, whose own problems must still be reported.
 */
function renderCount(n: TNode, ctx: RenderContext, at: At, state: State): number {
  const before = state.diagnostics.length
  const failedBefore = state.failed.length
  const v = renderNode(n, ctx, at, state)
  const failed = state.failed.length > failedBefore
  state.failed.length = failedBefore
  if (failed || state.diagnostics.length > before) return 0 // already reported (e.g. an undefined variable)
  const where = formatDocPath(pathOf(at))
  const source = state.source.locate(n.path)
  const fail = (message: string): number => {
    state.diagnostics.push(report('schema', `${where}: ${message}`, {source, guest: state.guest}))
    return 0
  }
  if (v === OMIT) return fail('has no value (its parameter is not set); a counted entry needs a count')
  const count = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    return fail(`expected a whole number of copies (0 or more), got ${describeValue(v)}`)
  }
  if (count > MAX_COUNT) return fail(`${count} copies is more than a guest can use (at most ${MAX_COUNT})`)
  return count
}

function renderScalar(n: TNode & {t: 'str'}, ctx: RenderContext, at: At, state: State): unknown {
  try {
    const compiled = compileText(n.value)
    if (compiled.plain) return n.value
    if (compiled.path) {
      const {parts, index} = compiled.path
      const found = lookup(ctx, parts)
      if (found.ok) {
        const v = found.value
        if (v === undefined || v === null) return OMIT
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
        // an object or list would change the document's shape: render it as text instead
      } else if (found.depth === 0 && state.unset.has(parts[0])) {
        return OMIT
      } else {
        throw new TemplateError('undefined-variable', '', index, parts.join('.'))
      }
    }
    const v = compiled.evaluate(ctx)
    if (v === undefined || v === null) return OMIT
    // a helper may hand back an object; like a path to one, it lands as text, never as structure
    return typeof v === 'object' ? String(v) : v
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    if (error.kind === 'undefined-variable' && state.invalid.has((error.expression ?? '').split('.')[0])) {
      state.silent = true
      state.failed.push(pathOf(at))
      return OMIT
    }
    const d = templateDiagnostic(error, state.source, n, pathOf(at), ctx, state.unset, state.guest)
    // A counted entry repeats the same mistake in every copy: say it once.
    const same = (o: Diagnostic) => o.code === d.code && o.source?.line === d.source?.line && o.source?.column === d.source?.column
    if (!state.diagnostics.some(same)) state.diagnostics.push(d)
    state.failed.push(pathOf(at))
    return OMIT
  }
}

/** Own-property walk (like Handlebars, never into prototypes); `depth` = parts found. */
function lookup(ctx: RenderContext, parts: string[]): {ok: true; value: unknown} | {ok: false; depth: number} {
  let v: unknown = ctx
  for (let i = 0; i < parts.length; i++) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, parts[i])) return {ok: false, depth: i}
    v = (v as Record<string, unknown>)[parts[i]]
  }
  return {ok: true, value: v}
}

function templateDiagnostic(
  error: TemplateError,
  source: YamlSource,
  n: TNode & {t: 'str'},
  at: DocPath,
  ctx?: RenderContext,
  unset?: ReadonlySet<string>,
  guest?: string,
): Diagnostic {
  const where = formatDocPath(at)
  // "not closed" errors sit at the end of the text; point at its last character, not past it
  const end = Math.max(0, n.value.trimEnd().length - 1)
  const ref = refInScalar(source, n.node, Math.min(error.index, end), at)
  if (error.kind === 'undefined-variable') {
    const message = `${where}: ${undefinedMessage(error.expression ?? '', ctx ?? {}, unset ?? new Set())}`
    return report('template-undefined-variable', message, {source: ref, guest})
  }
  if (error.kind === 'helper') return report('template-helper-error', `${where}: ${error.message}`, {source: ref, guest})
  return report('template-syntax', `${where}: ${error.message}`, {source: ref, guest})
}

export function undefinedMessage(expression: string, ctx: RenderContext, unset: ReadonlySet<string>): string {
  const parts = expression.split('.')
  if (unset.has(parts[0])) {
    return `"${expression}" has no value: the optional parameter "${parts[0]}" is not set (set it, or write {{default ${parts[0]} VALUE}})`
  }
  let v: unknown = ctx
  for (let i = 0; i < parts.length; i++) {
    if (v === null || typeof v !== 'object') break
    if (!Object.hasOwn(v, parts[i])) {
      const close = suggest(parts[i], Object.keys(v))
      const hint = close === undefined ? '' : ` (did you mean "${[...parts.slice(0, i), close, ...parts.slice(i + 1)].join('.')}"?)`
      return `"${expression}" is not defined${hint}`
    }
    v = (v as Record<string, unknown>)[parts[i]]
  }
  return `"${expression}" is not defined`
}

// ------------------------------------------------------------------------- locating

/**
 * Rendered path -> source location. Only list indices differ between the two (counted
 * entries expand, omitted items shift), so each rendered list remembers its origins and the
 * path is followed through the rendered spec.
 */
function renderedLocate(source: YamlSource, rendered: unknown, origins: WeakMap<unknown[], number[]>): Locate {
  const toSource = (path: DocPath): DocPath => {
    if (path[0] !== 'spec') return path
    const src: Array<string | number> = ['spec']
    let cur: unknown = rendered
    for (const seg of path.slice(1)) {
      src.push(Array.isArray(cur) && typeof seg === 'number' ? (origins.get(cur)?.[seg] ?? seg) : seg)
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined
    }
    return src
  }
  // The reference names the RENDERED path (spec.dataDisks[3]); line and column are the source's.
  const via = (loc: Locate): Locate => (path) => ({...loc(toSource(path)), path: formatDocPath(path)})
  return keyedLocate(via(source.locate), via(locateKeyOf(source.locate)))
}
