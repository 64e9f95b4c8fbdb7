/**
 * Whole-text Handlebars for first-boot documents: cloud-init user-data / meta-data /
 * network-config (YAML), kickstart (shell), unattend.xml (XML). Unlike a guest template,
 * which is parsed as YAML first, these are rendered as text, so every value is escaped for the
 * document's format (escape-formats.ts; the rules for template authors are in
 * templates/firstboot/README.md, "Escaping: values never become structure").
 *
 * How: the template is parsed once, and every `{{expression}}` in the tree is rewritten to
 * `{{__yaml expression}}` (or `__xml`, `__shell`) before compiling with `noEscape`. The format
 * helper escapes the value; `{{{raw}}}` and `{{& raw}}` are refused, so there is no way to
 * insert a value unescaped. Helpers available: those of guest templates (literal, pad, lower,
 * upper, default), Handlebars' block helpers (if, unless, each, with, lookup), and `eq`/`ne`
 * for comparisons (`{{#if (eq guest.os.version "2008r2")}}`).
 *
 * Strictness: Handlebars' strict mode does not check a helper's or a block's arguments, and
 * after the rewrite every value is one. So every variable passed to a helper or a block is
 * wrapped in `__defined`, and the format helper checks a plain `{{path}}`: a variable that does
 * not exist is an undefined variable at its line and column, in a condition too
 * (`{{#if guest.jumboPackets}}`). Null is a value: unset optional parameters are null, so
 * `{{#if sshKey}}` is how a template asks whether one was given.
 * Backslashes before `{{` follow the guest-template rule (a path separator, not an escape).
 */
import {createHash} from 'node:crypto'
import type HandlebarsNs from 'handlebars'
import HandlebarsRuntime from 'handlebars/runtime.js'
import {ESCAPERS, FormatError, type DocumentFormat} from './escape-formats.js'
import {REDACTED_TEXT, SecretValue, sha512crypt, UNATTEND_PASSWORD_ELEMENTS, unattendPassword, type SecretForm, type SecretMode, type SecretUses, type UnattendPasswordElement} from '../../render/secret-value.js'
import {
  handlebarsModule,
  HELPERS,
  HelperError,
  helperArgs,
  inspect,
  registerCommonHelpers,
  parseText,
  runtimeError,
  SourceMap,
  TemplateError,
  type Inspection,
  type RenderContext,
} from '../../render/handlebars-env.js'

export type {DocumentFormat} from './escape-formats.js'

export const DOCUMENT_HELPERS = [...HELPERS, 'eq', 'ne', 'sha512crypt', 'unattendPassword']

/**
 * The render's secret mode and the record of its secrets' uses, on the context as `__secrets`
 * (set by the first-boot renderer; absent: a render of real values, nothing recorded).
 */
export interface SecretRender {
  mode: SecretMode
  uses: SecretUses
}

function secretRenderOf(options: unknown): SecretRender | undefined {
  return (options as {data?: {root?: {__secrets?: SecretRender}}})?.data?.root?.__secrets
}

/**
 * A hash or encoding of a value: a secret parameter computes it in its own mode; any other
 * value is computed in a real render, and is (secret) in the plan too (a hash of a password is
 * one to keep), its use recorded so that the media counts as carrying a secret.
 */
function secretForm(args: unknown[], form: SecretForm, compute: (value: string) => string, usage: string): string {
  const options = args[args.length - 1]
  const [value] = helperArgs(args)
  if (value instanceof SecretValue) return value.form(form, compute)
  if (typeof value !== 'string') throw new HelperError(`${usage} needs a string (a parameter such as adminPassword)`)
  const render = secretRenderOf(options)
  render?.uses.push({parameter: null, form})
  return render?.mode === 'redacted' ? REDACTED_TEXT : compute(value)
}

const FORMAT_HELPER: Record<DocumentFormat, string> = {yaml: '__yaml', xml: '__xml', shell: '__shell'}

export interface CompiledDocument {
  format: DocumentFormat
  /** Renders the document; throws TemplateError (index = offset in the template text). */
  render(context: RenderContext): string
}

let envCache: typeof HandlebarsNs | undefined
let runtimeCache: typeof HandlebarsNs | undefined

/** The full Handlebars (parser and compiler), for templates the build did not precompile. */
function documentEnv(): typeof HandlebarsNs {
  return (envCache ??= withDocumentHelpers(handlebarsModule().create()))
}

/** The Handlebars runtime alone: enough for the built-in templates, precompiled by the build. */
function runtimeEnv(): typeof HandlebarsNs {
  return (runtimeCache ??= withDocumentHelpers((HandlebarsRuntime as unknown as typeof HandlebarsNs).create()))
}

function withDocumentHelpers(env: typeof HandlebarsNs): typeof HandlebarsNs {
  registerCommonHelpers(env)
  env.registerHelper('eq', (...args: unknown[]) => {
    const [a, b] = helperArgs(args)
    return a === b
  })
  env.registerHelper('ne', (...args: unknown[]) => {
    const [a, b] = helperArgs(args)
    return a !== b
  })
  env.registerHelper('sha512crypt', (...args: unknown[]) => {
    // refused in every mode, so that a plan that renders is media that renders
    if (helperArgs(args)[0] === '') throw new HelperError('sha512crypt: an empty password cannot be hashed; guard it with {{#if adminPassword}} and lock the account otherwise')
    return secretForm(args, 'sha512crypt', (v) => sha512crypt(v), '{{sha512crypt adminPassword}}')
  })
  env.registerHelper('unattendPassword', (...args: unknown[]) => {
    const element = helperArgs(args)[1]
    if (!UNATTEND_PASSWORD_ELEMENTS.includes(element as UnattendPasswordElement)) {
      throw new HelperError(`unattendPassword takes the password and the element it goes in: {{unattendPassword adminPassword "AdministratorPassword"}} (one of ${UNATTEND_PASSWORD_ELEMENTS.map((e) => `"${e}"`).join(', ')})`)
    }
    const el = element as UnattendPasswordElement
    return secretForm([helperArgs(args)[0], args[args.length - 1]], `unattend-${el}`, (v) => unattendPassword(v, el), '{{unattendPassword adminPassword "AdministratorPassword"}}')
  })
  env.registerHelper('__defined', (value: unknown, options: {hash: {at: number; path: string}}) => {
    if (value === undefined) throw new TemplateError('undefined-variable', `"${options.hash.path}" is not defined`, options.hash.at, options.hash.path)
    return value
  })
  for (const [format, name] of Object.entries(FORMAT_HELPER) as Array<[DocumentFormat, string]>) {
    env.registerHelper(name, (value: unknown, options: {hash: {at: number; path?: string}}) => {
      const {at, path} = options.hash
      if (value === undefined && path !== undefined) throw new TemplateError('undefined-variable', `"${path}" is not defined`, at, path)
      try {
        // a secret written as it is: its text in this render's mode (the value, (secret) or a token)
        return ESCAPERS[format](value instanceof SecretValue ? value.toString() : value)
      } catch (error) {
        if (error instanceof FormatError) throw new TemplateError('format', error.message, at)
        throw error
      }
    })
  }
  return env
}

type Node = hbs.AST.Node & Record<string, unknown>

const cache = new Map<string, CompiledDocument>()

const COMPILE_OPTIONS = {strict: true, noEscape: true} as const

/**
 * Bump when the rewrite below changes what a template compiles to: precompiled templates are
 * found by a hash of this, the format and the text, so a stale build is never used.
 */
const REWRITE_VERSION = 'document-env/3'

/** The key of a template in the build's precompiled set. */
export const precompiledKey = (text: string, format: DocumentFormat): string =>
  createHash('sha256').update(`${REWRITE_VERSION}\0${format}\0${text}`).digest('hex')

interface PrecompiledDocument {
  spec: Parameters<typeof HandlebarsNs.template>[0]
  helperCalls: Array<[string, number]>
  paths: Inspection['paths']
}

let precompiledSet: Record<string, PrecompiledDocument> | null | undefined

/**
 * The built-in first-boot templates, precompiled by the build (scripts/bundle.mjs) into a
 * module that esbuild inlines into the services bundles: the cold start of `plan` then loads
 * neither Handlebars' parser nor its compiler (about 30 ms). From the sources (tests) or when
 * the text is not a built-in one, the template is compiled here, with the same result.
 */
function precompiled(): Record<string, PrecompiledDocument> | null {
  if (precompiledSet === undefined) {
    try {
      precompiledSet = typeof require === 'function' ? (require('./firstboot-precompiled.cjs') as Record<string, PrecompiledDocument>) : null
    } catch {
      precompiledSet = null
    }
  }
  return precompiledSet
}

/** Parses, checks and compiles a first-boot document once; throws TemplateError ('syntax'). */
export function compileDocument(text: string, format: DocumentFormat): CompiledDocument {
  const key = `${format}\0${text}`
  const hit = cache.get(key)
  if (hit) return hit
  const built = precompiled()?.[precompiledKey(text, format)]
  let fn: (context: RenderContext) => string
  let src: SourceMap
  let info: Inspection
  if (built) {
    fn = runtimeEnv().template(built.spec)
    src = new SourceMap(text)
    info = {helperCalls: new Map(built.helperCalls), paths: built.paths}
  } else {
    const prepared = prepare(text, format)
    fn = documentEnv().compile(prepared.program, COMPILE_OPTIONS)
    ;({src, info} = prepared)
  }
  const compiled: CompiledDocument = {
    format,
    render(context) {
      try {
        return fn(context)
      } catch (error) {
        throw runtimeError(error, src, info)
      }
    },
  }
  cache.set(key, compiled)
  return compiled
}

function prepare(text: string, format: DocumentFormat): {src: SourceMap; info: Inspection; program: hbs.AST.Program} {
  const {src, ast} = parseText(documentEnv(), text)
  const info = inspect(ast, src, DOCUMENT_HELPERS, 'first-boot templates')
  return {src, info, program: escapeEveryValue(ast, src, format)}
}

/** For the build: the template as JavaScript source of a PrecompiledDocument. Throws TemplateError. */
export function precompileDocument(text: string, format: DocumentFormat): string {
  const {info, program} = prepare(text, format)
  const spec = documentEnv().precompile(program, COMPILE_OPTIONS) as unknown as string
  return `{spec: ${spec}, helperCalls: ${JSON.stringify([...info.helperCalls])}, paths: ${JSON.stringify(info.paths)}}`
}

/** Rewrites every `{{expr}}` to `{{__fmt expr at=<offset> path="<expr>"}}`; refuses raw output. */
function escapeEveryValue(ast: hbs.AST.Program, src: SourceMap, format: DocumentFormat): hbs.AST.Program {
  const helper = FORMAT_HELPER[format]
  const rewrite = (node: unknown): unknown => {
    if (!node || typeof node !== 'object') return node
    if (Array.isArray(node)) return node.map(rewrite)
    const n = node as Node
    if (n.type !== 'MustacheStatement') {
      // the arguments of blocks and helper calls are checked (see `checked` below)
      const args = n.type === 'BlockStatement' || n.type === 'SubExpression'
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(n)) {
        out[k] = k === 'loc' ? v : args && k === 'params' ? (v as unknown[]).map(checked) : args && k === 'hash' ? checkedHash(v) : rewrite(v)
      }
      return out
    }
    const m = n as unknown as hbs.AST.MustacheStatement
    if (!m.escaped) {
      throw new TemplateError('syntax', `{{{…}}} and {{&…}} insert a value unescaped; a first-boot template escapes every value for ${format}: write {{…}}`, src.indexAt(m.loc.start))
    }
    const at = src.indexAt(m.path.loc.start)
    const path = m.path as hbs.AST.PathExpression
    const call = m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0 || (path.type === 'PathExpression' && DOCUMENT_HELPERS.includes(path.original))
    const value = call ? {type: 'SubExpression', path: m.path, params: m.params.map(checked), hash: checkedHash(m.hash), loc: m.loc} : m.path
    const pairs: unknown[] = [{type: 'HashPair', key: 'at', value: {type: 'NumberLiteral', value: at, original: at, loc: m.loc}, loc: m.loc}]
    if (!call && path.type === 'PathExpression' && !path.data) {
      const text = path.original
      pairs.push({type: 'HashPair', key: 'path', value: {type: 'StringLiteral', value: text, original: text, loc: m.loc}, loc: m.loc})
    }
    const fmt = {type: 'PathExpression', data: false, depth: 0, parts: [helper], original: helper, loc: m.loc}
    return {...m, path: fmt, params: [value], hash: {type: 'Hash', pairs, loc: m.loc}}
  }
  // A variable given to a helper or a block (`{{#if guest.jumboPackets}}`) must exist too:
  // Handlebars' strict mode checks only `{{path}}` itself, and a typo in a condition would
  // silently drop what it guards. Unset optional parameters are in the context as null.
  const checked = (param: unknown): unknown => {
    const p = param as hbs.AST.PathExpression
    if ((p?.type as string) === 'SubExpression') return rewrite(p)
    if (p?.type !== 'PathExpression' || p.data || p.parts.length === 0 || p.original === 'this') return param
    const at = src.indexAt(p.loc.start)
    const pairs = [
      {type: 'HashPair', key: 'at', value: {type: 'NumberLiteral', value: at, original: at, loc: p.loc}, loc: p.loc},
      {type: 'HashPair', key: 'path', value: {type: 'StringLiteral', value: p.original, original: p.original, loc: p.loc}, loc: p.loc},
    ]
    const defined = {type: 'PathExpression', data: false, depth: 0, parts: ['__defined'], original: '__defined', loc: p.loc}
    return {type: 'SubExpression', path: defined, params: [p], hash: {type: 'Hash', pairs, loc: p.loc}, loc: p.loc}
  }
  const checkedHash = (hash: unknown): unknown => {
    const h = hash as hbs.AST.Hash | undefined
    if (!h) return h
    return {...h, pairs: h.pairs.map((pair) => ({...pair, value: checked(pair.value)}))}
  }
  return rewrite(ast) as hbs.AST.Program
}
