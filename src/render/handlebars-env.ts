/**
 * The one Handlebars environment for guest templates (README, "Templates in one page").
 *
 * - A private `Handlebars.create()`: helpers registered here never leak into, or collide
 *   with, other users of the global instance (first-boot media have their own escaping).
 * - `strict: true`: an undefined variable is an error with a line and column, never "".
 * - `noEscape: true`: values land in YAML-parsed data, not HTML; HTML escaping would only
 *   turn `&` into `&amp;` in a notes field.
 * - Backslashes: in hvguest a backslash before `{{` is a Windows path separator, so
 *   `D:\VMs\{{name}}\boot.vhdx` renders `D:\VMs\web01\boot.vhdx` and `\\{{host.name}}\share`
 *   keeps both backslashes. Handlebars' lexer only looks at the last two characters before
 *   `{{` (`\\{{` = one backslash + mustache, `\{{` = an escaped, literal mustache), so one
 *   extra backslash is appended to every run of backslashes right before `{{`.
 * - A literal `{{` is therefore written with the `literal` helper: `{{literal "{{"}}`
 *   renders `{{` (and `{{literal "}}"}}` renders `}}`).
 *
 * Helpers: `literal`, `pad` (`{{pad index 2}}` -> `01`), `lower`, `upper`, `default`
 * (`{{default vlan 100}}`: the value, or the fallback when it is unset, null or "").
 *
 * Each distinct text is parsed and compiled once (cache): rendering 1000 guests then costs
 * 1000 calls of already-compiled functions.
 *
 * One fast path (compileSimple): text whose every mustache is a plain `{{a.b}}` variable,
 * which is nearly all of a guest template, is scanned and evaluated here with Handlebars'
 * strict semantics, so that Handlebars itself (its parser and compiler, 33 CommonJS files
 * from node_modules) is loaded only when a text needs more. Without it every `plan` loads
 * Handlebars: measured, 20-30 ms more CPU per `plan ubuntu-2204`, and 1.5-1.7x a bare oclif
 * command instead of 1.3-1.5x, against a 1.5x target (bench/README.md, "The guest-template
 * fast path"). test/unit/render/fast-path.property.test.ts renders generated texts both ways
 * and requires the same result.
 */
import {createRequire} from 'node:module'
import type HandlebarsNs from 'handlebars'
import {didYouMean} from '../util/did-you-mean.js'

/** Parameter values + `name`, `index`, `host` {name, os, vmRoot, imageRoot, isoRoot, cluster, transport}, `profile` {name, ...}. */
export type RenderContext = Record<string, unknown>

/** The options every guest-template text is compiled with. */
export const COMPILE_OPTIONS = {strict: true, noEscape: true} as const

/** Thrown by helpers for bad arguments; turned into a TemplateError at the call. */
export class HelperError extends Error {}

export function helperArgs(args: unknown[]): unknown[] {
  return args.slice(0, -1) // Handlebars passes its `options` object last
}

/** Captures a helper's raw result, so that `"{{default vlan 100}}"` stays a number. */
let captured: unknown

let envCache: typeof HandlebarsNs | undefined
let moduleCache: typeof HandlebarsNs | undefined

/** The Handlebars module, loaded on first need. */
export function handlebarsModule(): typeof HandlebarsNs {
  return (moduleCache ??= createRequire(import.meta.url)('handlebars') as typeof HandlebarsNs)
}

/** The private Handlebars environment, created (and the module loaded) on first need. */
export function handlebarsEnv(): typeof HandlebarsNs {
  if (envCache) return envCache
  const env = handlebarsModule().create()
  registerCommonHelpers(env)
  env.registerHelper('__capture', (value: unknown) => {
    captured = value
    return ''
  })
  env.registerHelper('__text', () => '')
  envCache = env
  return env
}

/** The helpers every hvguest template has: literal, pad, lower, upper, default. */
export function registerCommonHelpers(env: typeof HandlebarsNs): void {
  env.registerHelper('literal', (...args: unknown[]) => {
    const [text] = helperArgs(args)
    if (typeof text !== 'string') throw new HelperError('literal takes one quoted string: {{literal "{{"}}')
    return text
  })
  env.registerHelper('pad', (...args: unknown[]) => {
    const [value, width] = helperArgs(args)
    if (typeof width !== 'number' || !Number.isInteger(width) || width < 0 || width > 64) {
      throw new HelperError('pad takes a value and a width: {{pad index 2}}')
    }
    if (typeof value !== 'number' && typeof value !== 'string') throw new HelperError('pad needs a number or a string to pad')
    return String(value).padStart(width, '0')
  })
  env.registerHelper('lower', (...args: unknown[]) => String(helperArgs(args)[0] ?? '').toLowerCase())
  env.registerHelper('upper', (...args: unknown[]) => String(helperArgs(args)[0] ?? '').toUpperCase())
  env.registerHelper('default', (...args: unknown[]) => {
    const [value, fallback] = helperArgs(args)
    return value === undefined || value === null || value === '' ? fallback : value
  })
}

/** Handlebars' own helpers plus ours: known without loading Handlebars. */
export const HELPERS = ['literal', 'pad', 'lower', 'upper', 'default', 'if', 'unless', 'each', 'with', 'lookup', 'log']

const isHelper = (name: string): boolean => HELPERS.includes(name)

// ------------------------------------------------------------------------- errors

/** `format`: a value the document's format cannot hold (first-boot templates, src/resolve/firstboot/escape-formats.ts). */
export type TemplateErrorKind = 'syntax' | 'undefined-variable' | 'helper' | 'format'

/** A template problem at `index`, a character offset in the ORIGINAL text. */
export class TemplateError extends Error {
  constructor(
    readonly kind: TemplateErrorKind,
    message: string,
    readonly index: number,
    /** For undefined variables: the path as written, e.g. `host.vmroot`. */
    readonly expression?: string,
  ) {
    super(message)
    this.name = 'TemplateError'
  }
}

// ---------------------------------------------------------------------- compiling

/** A simple path that is the whole text: `{{cpu}}`, `{{ host.vmRoot }}`. */
export interface WholePath {
  parts: string[]
  index: number
}

export interface CompiledText {
  /** No `{{` at all: the text is its own value. */
  plain: boolean
  /** Set when the text is exactly one simple path expression (keeps the value's type). */
  path?: WholePath
  /**
   * Evaluates the text. The result is a string, except when the text is exactly one helper
   * call (`{{default vlan 100}}`), which returns the helper's value as it is.
   */
  evaluate(context: RenderContext): unknown
}

const cache = new Map<string, CompiledText>()
const CACHE_LIMIT = 10_000

/** Parses and compiles `text` once; throws a TemplateError ('syntax') with its position. */
export function compileText(text: string): CompiledText {
  let compiled = cache.get(text)
  if (!compiled) {
    compiled = compile(text)
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(text, compiled)
  }
  return compiled
}

/** Renders `text` to a string against `context`; throws TemplateError. */
export function renderText(text: string, context: RenderContext): string {
  const c = compileText(text)
  if (c.plain) return text
  const v = c.evaluate(context)
  return v === undefined || v === null ? '' : String(v)
}

function compile(text: string): CompiledText {
  if (!text.includes('{{')) return {plain: true, evaluate: () => text}
  return compileSimple(text) ?? compileWithHandlebars(text)
}

// ---------------------------------------------------------------------- fast path

/** A `{{a.b}}` of a simple text: its path split at the dots, and where it starts in the text. */
interface Variable {
  parts: string[]
  original: string
  index: number
}

/** Dotted identifiers, as Handlebars' lexer reads them (no `[literal]`, `/`, `@` or `../`). */
const SIMPLE_PATH = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/

/**
 * Words Handlebars reads as literals or keywords, not names: `{{true}}` is a boolean,
 * `{{else}}` an inverse, `{{a.this}}` an invalid path, `{{a.null}}` a parse error.
 */
const KEYWORDS = new Set(['true', 'false', 'null', 'undefined', 'this', 'else'])

/**
 * The fast path: a text made only of literal text and plain variables
 * (`D:\VMs\{{name}}\{{ host.name }}.vhdx`), compiled without Handlebars. Returns undefined
 * (the text goes to Handlebars, which also reports any syntax error with its position) for
 * anything else: `{{{`, `{{&`, `~`, comments, blocks, helpers (by name alone too: `{{lower}}`),
 * parameters, literals, `this`, `../`, `@data`, `[segments]`, a keyword as any segment, an
 * unclosed `{{`, and a NUL character, which Handlebars' lexer refuses anywhere in a text.
 *
 * What it takes renders as Handlebars (COMPILE_OPTIONS) renders it:
 * - text stays as written, backslashes included (Handlebars sees them doubled, see SourceMap);
 * - whitespace inside the braces is ignored (`{{ a }}`; JavaScript's `\s`, as its lexer's);
 * - a variable's value is printed with String(), null and undefined as "" (noEscape: no HTML
 *   escaping), and values are joined as text (see concatenating); a missing key, at any depth, is an undefined variable naming the whole path at
 *   its first character, as strict mode reports it;
 * - only own properties are read, from the context down; a path through a string, number or
 *   boolean (`{{name.length}}`) is an undefined variable (Handlebars fails there with a
 *   TypeError from its `in` check, which runtimeError reports the same way). One difference
 *   is deliberate: a name inherited from a prototype (`{{toString}}`, `{{list.with}}`) is an
 *   undefined variable here, as in render.ts' own whole-scalar lookup, where Handlebars
 *   prints "" and a console warning;
 * - contexts are data (YAML, flags, the inventory), never functions, which Handlebars calls.
 * - Handlebars' internal hooks `helperMissing` and `blockHelperMissing` (and this module's
 *   `__capture` and `__text`) are not hvguest helpers: here they are variables like any other name.
 */
export function compileSimple(text: string): CompiledText | undefined {
  if (text.includes('\0')) return undefined
  const segments: Array<string | Variable> = []
  let last = 0
  for (let open = text.indexOf('{{'); open >= 0; open = text.indexOf('{{', last)) {
    const close = text.indexOf('}}', open + 2)
    if (close < 0 || text[open + 2] === '{' || text[close + 2] === '}') return undefined
    const inner = text.slice(open + 2, close)
    const original = inner.trim()
    if (!SIMPLE_PATH.test(original) || isHelper(original)) return undefined
    const parts = original.split('.')
    if (parts.some((part) => KEYWORDS.has(part))) return undefined
    if (open > last) segments.push(text.slice(last, open))
    segments.push({parts, original, index: open + 2 + inner.indexOf(original)})
    last = close + 2
  }
  if (last < text.length) segments.push(text.slice(last))

  const only = segments.length === 1 && typeof segments[0] !== 'string' ? segments[0] : undefined
  const evaluate = (context: RenderContext): string => {
    let out = ''
    for (const segment of segments) {
      if (typeof segment === 'string') {
        out += segment
        continue
      }
      let value: unknown = context
      for (const part of segment.parts) {
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) {
          throw new TemplateError('undefined-variable', `"${segment.original}" is not defined`, segment.index, segment.original)
        }
        value = (value as Record<string, unknown>)[part]
      }
      if (value !== undefined && value !== null) out += String(value)
    }
    return out
  }
  return {plain: false, path: only && {parts: only.parts, index: only.index}, evaluate}
}

// ---------------------------------------------------------------------- Handlebars

/** Compiles `text` with Handlebars itself (loading it on first need); throws a TemplateError ('syntax'). */
export function compileWithHandlebars(text: string): CompiledText {
  const env = handlebarsEnv()
  const {src, ast} = parseText(env, text)
  const info = inspect(ast, src)

  const body = ast.body
  const single = body.length === 1 && body[0].type === 'MustacheStatement' ? (body[0] as hbs.AST.MustacheStatement) : undefined
  const wholePath = single ? simplePath(single) : undefined
  const path = wholePath ? {parts: wholePath.parts, index: src.indexAt(wholePath.loc.start)} : undefined

  let program: hbs.AST.Program = concatenating(ast)
  let raw = false
  if (single && !wholePath && single.path.type === 'PathExpression' && isCall(single)) {
    // Wrap the call as `{{__capture (call ...)}}` to get its value rather than its text.
    const sub = {type: 'SubExpression', path: single.path, params: single.params, hash: single.hash, loc: single.loc}
    const capture = {type: 'PathExpression', data: false, depth: 0, parts: ['__capture'], original: '__capture', loc: single.loc}
    program = {...ast, body: [{...single, path: capture, params: [sub], hash: undefined} as unknown as hbs.AST.Statement]}
    raw = true
  }
  const fn = env.compile(program, COMPILE_OPTIONS)
  const evaluate = (context: RenderContext): unknown => {
    try {
      captured = undefined
      const out = fn(context)
      return raw ? captured : out
    } catch (error) {
      throw runtimeError(error, src, info)
    }
  }
  return {plain: false, path, evaluate}
}

/**
 * With noEscape, Handlebars' compiled function returns `value1 + value2 + ...` when a program
 * starts with values: `{{a}}{{b}}` with a = 1 and b = 2 renders 3, not 12. A leading
 * `{{__text}}` (a helper that returns "") makes every such sum a string concatenation. It is
 * added only where it is needed, ahead of two or more outputs that do not start with text,
 * in every program of the tree (a block's body is a program of its own).
 */
export function concatenating(program: hbs.AST.Program): hbs.AST.Program {
  const body = program.body.map((st) => {
    if (st.type !== 'BlockStatement') return st
    const b = st as hbs.AST.BlockStatement
    return {...b, program: b.program && concatenating(b.program), inverse: b.inverse && concatenating(b.inverse)} as hbs.AST.Statement
  })
  const outputs = body.filter((st) => st.type !== 'CommentStatement' && !(st.type === 'ContentStatement' && (st as hbs.AST.ContentStatement).value === ''))
  if (outputs.length < 2 || outputs[0].type === 'ContentStatement') return {...program, body}
  const loc = outputs[0].loc
  const text = {type: 'MustacheStatement', path: {type: 'PathExpression', data: false, depth: 0, parts: ['__text'], original: '__text', loc}, params: [], escaped: false, strip: {open: false, close: false}, loc}
  return {...program, body: [text as unknown as hbs.AST.Statement, ...body]}
}

function isCall(m: hbs.AST.MustacheStatement): boolean {
  const p = m.path as hbs.AST.PathExpression
  return m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0 || (p.type === 'PathExpression' && p.parts.length === 1 && isHelper(p.original))
}

/** The path of `{{a.b}}` when it is a plain variable: no helper, `this`, `../`, `@data` or `[literal]` segments. */
function simplePath(m: hbs.AST.MustacheStatement): hbs.AST.PathExpression | undefined {
  const p = m.path as hbs.AST.PathExpression
  if (p.type !== 'PathExpression' || isCall(m) || p.data || p.depth !== 0) return undefined
  return SIMPLE_PATH.test(p.original) && p.parts[0] !== 'this' ? p : undefined
}

/** The text as handed to Handlebars (backslashes doubled before `{{`), mapped back to the original. */
export class SourceMap {
  readonly compiled: string
  /** Indices in `compiled` of the backslashes that were added. */
  private readonly added: number[] = []
  private lineStarts?: number[]

  constructor(readonly original: string) {
    let out = ''
    let last = 0
    for (const m of original.matchAll(/\\+(?=\{\{)/g)) {
      const end = m.index + m[0].length
      out += original.slice(last, end)
      this.added.push(out.length)
      out += '\\'
      last = end
    }
    this.compiled = out + original.slice(last)
  }

  /**
   * Handlebars position (1-based line, 0-based column in `compiled`) -> index in `original`.
   * Lines end where Handlebars' lexer ends them: at `\r\n`, `\r` or `\n` (it counts lines with
   * `(?:\r\n?|\n)`, handlebars/dist/cjs/handlebars/compiler/parser.js), so a lone `\r` is a line too.
   */
  indexAt(pos: {line: number; column: number}): number {
    if (!this.lineStarts) {
      this.lineStarts = [0]
      for (const m of this.compiled.matchAll(/\r\n?|\n/g)) this.lineStarts.push(m.index + m[0].length)
    }
    const at = (this.lineStarts[pos.line - 1] ?? this.compiled.length) + pos.column
    return Math.min(at - this.added.filter((a) => a < at).length, this.original.length)
  }

  slice(start: {line: number; column: number}, end: {line: number; column: number}): string {
    return this.original.slice(this.indexAt(start), this.indexAt(end))
  }
}

export interface Inspection {
  /** Where each helper is first called (runtime helper errors carry no position). */
  helperCalls: Map<string, number>
  /** Every path expression, to place "Cannot read properties of undefined" errors. */
  paths: Array<{original: string; parts: string[]; index: number}>
}

type AnyNode = hbs.AST.Node & Record<string, unknown>

/**
 * Walks the AST once at compile time: unknown helpers and partials are syntax errors now,
 * before any guest is rendered, and helper/path positions are kept for runtime errors.
 */
export function inspect(ast: hbs.AST.Program, src: SourceMap, helpers: readonly string[] = HELPERS, what = 'guest templates'): Inspection {
  const info: Inspection = {helperCalls: new Map(), paths: []}
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return
    if (Array.isArray(node)) return node.forEach(visit)
    const n = node as AnyNode
    switch (n.type) {
      case 'PartialStatement':
      case 'PartialBlockStatement':
        throw new TemplateError('syntax', `partials ({{> name}}) are not available in ${what}`, src.indexAt(n.loc.start))
      case 'DecoratorBlock':
      case 'Decorator':
        throw new TemplateError('syntax', `decorators ({{* name}}) are not available in ${what}`, src.indexAt(n.loc.start))
      case 'MustacheStatement':
      case 'BlockStatement':
      case 'SubExpression': {
        const path = n.path as AnyNode
        const params = n.params as unknown[]
        const hashPairs = ((n.hash as {pairs?: unknown[]} | undefined)?.pairs ?? []).length
        const isCall = n.type === 'SubExpression' || params.length > 0 || hashPairs > 0
        if (isCall && path.type === 'PathExpression') {
          const name = path.original as string
          if (!helpers.includes(name)) {
            throw new TemplateError('syntax', `unknown helper "${name}"${didYouMean(name, [...helpers])} (helpers: ${helpers.join(', ')})`, src.indexAt(path.loc.start))
          }
          if (!info.helperCalls.has(name)) info.helperCalls.set(name, src.indexAt(path.loc.start))
        }
        break
      }
      case 'PathExpression':
        info.paths.push({original: n.original as string, parts: n.parts as string[], index: src.indexAt(n.loc.start)})
        return
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc' && key !== 'strip') visit(value)
  }
  visit(ast)
  return info
}

/** Parses `text` the hvguest way (backslashes before `{{` kept); a syntax error is a TemplateError at its position. */
export function parseText(env: typeof HandlebarsNs, text: string): {src: SourceMap; ast: hbs.AST.Program} {
  const src = new SourceMap(text)
  try {
    return {src, ast: env.parse(src.compiled)}
  } catch (error) {
    throw syntaxError(error, src)
  }
}

/** Handlebars' parser throws plain Errors; its lexer still holds the offending token's position. */
export function syntaxError(error: unknown, src: SourceMap): TemplateError {
  if (error instanceof TemplateError) return error
  const e = error as Error & {lineNumber?: number; column?: number}
  const lines = e.message.split('\n')
  let message = lines[0].replace(/ - \d+:\d+$/, '')
  if (/^(Parse|Lexical) error/.test(message)) {
    const last = lines.at(-1) ?? ''
    const got = /got '([^']+)'/.exec(last)?.[1]
    if (got === 'EOF') {
      message = /\{\{~?\s*[#^]/.test(src.original)
        ? 'a {{#block}} is not closed with {{/block}}, or an expression misses its "}}"'
        : 'an expression is not closed (missing "}}")'
    } else if (got === 'INVALID' || !got) {
      message = 'an expression holds characters Handlebars cannot read, or misses its "}}"'
    } else {
      message = `unexpected ${tokenWord(got)} in an expression`
    }
  }
  let index = 0
  if (typeof e.lineNumber === 'number' && typeof e.column === 'number') {
    index = src.indexAt({line: e.lineNumber, column: e.column})
  } else {
    const loc = (moduleCache as unknown as {Parser: {lexer: {yylloc?: {first_line: number; first_column: number}}}}).Parser.lexer.yylloc
    if (loc) index = src.indexAt({line: loc.first_line, column: loc.first_column})
  }
  return new TemplateError('syntax', message, index)
}

const TOKEN_WORDS: Record<string, string> = {
  CLOSE: '"}}"',
  OPEN: '"{{"',
  CLOSE_UNESCAPED: '"}}}"',
  OPEN_ENDBLOCK: '"{{/"',
  OPEN_BLOCK: '"{{#"',
  OPEN_INVERSE: '"{{^"',
  OPEN_SEXPR: '"("',
  CLOSE_SEXPR: '")"',
  EQUALS: '"="',
  SEP: '"."',
}
const tokenWord = (token: string): string => TOKEN_WORDS[token] ?? token.toLowerCase()

export function runtimeError(error: unknown, src: SourceMap, info: Inspection): TemplateError {
  if (error instanceof TemplateError) return error
  const e = error as Error & {lineNumber?: number; column?: number; endLineNumber?: number; endColumn?: number}
  // strict mode: `"vlan" not defined in [object Object] - 1:4`, with the path's location
  const undefinedName = /^"([^"]+)" not defined in/.exec(e.message)?.[1]
  if (undefinedName !== undefined && typeof e.lineNumber === 'number' && typeof e.column === 'number') {
    const start = {line: e.lineNumber, column: e.column}
    const end = {line: e.endLineNumber ?? e.lineNumber, column: e.endColumn ?? e.column}
    const expression = src.slice(start, end) || undefinedName
    return new TemplateError('undefined-variable', `"${expression}" is not defined`, src.indexAt(start), expression)
  }
  // Handlebars' lookup fails with a TypeError on a path through a missing parent (`foo.x.y`
  // without `foo`, or a helper argument `foo.x`), and in strict mode on a path through a
  // string or number (`name.length`: its `in` check): an undefined variable, as the fast path says
  const through = /Cannot read properties of (?:undefined|null) \(reading '([^']+)'\)|Cannot use 'in' operator to search for '([^']+)'/.exec(e.message)
  const part = through?.[1] ?? through?.[2]
  if (part !== undefined) {
    const p = info.paths.find((q) => q.parts.indexOf(part, 1) > 0) // read from a parent, so never the first part
    if (p) return new TemplateError('undefined-variable', `"${p.original}" is not defined`, p.index, p.original)
  }
  if (e instanceof HelperError) {
    const name = [...info.helperCalls.keys()].find((h) => e.message.startsWith(h))
    return new TemplateError('helper', e.message, name ? info.helperCalls.get(name)! : 0)
  }
  return new TemplateError('helper', e.message, 0)
}
