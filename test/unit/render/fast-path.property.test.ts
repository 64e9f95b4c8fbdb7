/**
 * The guest-template fast path (compileSimple in src/render/handlebars-env.ts) against
 * Handlebars itself: generated texts and contexts are rendered both ways, and whatever the
 * fast path takes must come out as Handlebars (the production environment, parse and
 * options) renders it, or fail with the same error. The generator also writes what the fast
 * path must decline (triple braces, whitespace control, comments, blocks, helpers, keywords,
 * `this`, `../`, `@data`, unclosed braces, NUL...): a text Handlebars refuses must never be
 * taken.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  COMPILE_OPTIONS,
  compileSimple,
  compileWithHandlebars,
  concatenating,
  handlebarsEnv,
  HELPERS,
  inspect,
  parseText,
  runtimeError,
  TemplateError,
  type RenderContext,
} from '../../../src/render/handlebars-env.js'

/** Names inherited from a prototype: Handlebars prints "" for them, the fast path reports them (see "departs", below). */
const PROTOTYPE_NAMES = new Set(
  [Object, String, Array, Number, Boolean, Function].flatMap((c) => Object.getOwnPropertyNames(c.prototype)).filter((n) => n !== 'length'),
)
/** Handlebars' internal hooks and this module's capture helper: variables to the fast path, helpers to Handlebars. */
const INTERNAL_HELPERS = ['helperMissing', 'blockHelperMissing', '__capture', '__text']
const KEYWORDS = ['true', 'false', 'null', 'undefined', 'this', 'else']
/** Names the fast path takes, some of them close to keywords or helpers. */
const NAMES = ['a', 'b', 'name', 'index', 'host', 'vmRoot', 'x-y', '$d', '_e', 'length', 'as', 'elsewhere', 'trueish', 'lowerCase', 'true-x']

const identifier = fc
  .stringMatching(/^[A-Za-z_$][\w$-]{0,5}$/)
  .filter((n) => !PROTOTYPE_NAMES.has(n) && !INTERNAL_HELPERS.includes(n))
const name = fc
  .oneof(
    {weight: 12, arbitrary: fc.constantFrom(...NAMES)},
    {weight: 2, arbitrary: fc.constantFrom(...KEYWORDS, ...HELPERS)},
    {weight: 1, arbitrary: identifier},
  )
  .filter((n) => !PROTOTYPE_NAMES.has(n)) // `with` is a helper and, since ES2023, an Array method
const path = fc.array(name, {minLength: 1, maxLength: 3}).map((parts) => parts.join('.'))

const textUnit = fc.constantFrom('a', 'Z', '0', ' ', '\n', '\r', '\r\n', '\t', '\\', '\\\\', '&', '<', '>', '"', "'", '`', '=', '{', '}', '$', '.', '~', 'é', '\u00a0', '\u2028', '😀', '\0')
const text = fc.string({unit: textUnit, maxLength: 6})
const space = fc.constantFrom('', ' ', '  ', '\t', '\n', '\r\n', '\u00a0')

/** `{{ path }}`: what the fast path is for. */
const variable = fc.tuple(space, path, space).map(([before, p, after]) => `{{${before}${p}${after}}}`)

/** Mustaches the fast path leaves to Handlebars (P = a generated path), well-formed or not. */
const OTHER_FORMS = [
  '{{{P}}}', '{{{ P }}}', '{{& P}}', '{{~P}}', '{{P~}}', '{{~ P ~}}', '{{!P}}', '{{!-- P --}}', '{{this}}', '{{this.P}}', '{{./P}}',
  '{{../P}}', '{{@index}}', '{{@root.P}}', '{{[P]}}', '{{P.[x y]}}', '{{P/b}}', '{{P.0}}', '{{0}}', '{{1.5}}', '{{"P"}}', "{{'P'}}",
  '{{lower P}}', '{{P b}}', '{{P x=1}}', '{{default P 1}}', '{{pad P 2}}', '{{P (lower b)}}', '{{(P)}}', '{{#if P}}y{{/if}}',
  '{{#each P}}{{this}}{{/each}}', '{{^P}}n{{/P}}', '{{#with P}}{{b}}{{/with}}', '{{else}}', '{{>P}}', '{{.}}', '{{*P}}',
  '{{{{raw}}}}P{{{{/raw}}}}', '{{', '{{P', '{{P}', '{{P}}}', '{{{P}}', '{{}}', '{{ }}', '}}', '{{P.}}', '{{.P}}', '{{P..b}}',
]
const otherMustache = fc.tuple(path, fc.constantFrom(...OTHER_FORMS)).map(([p, form]) => form.replaceAll('P', p))

const template = fc
  .array(fc.oneof({weight: 4, arbitrary: text}, {weight: 5, arbitrary: variable}, {weight: 1, arbitrary: otherMustache}), {maxLength: 6})
  .map((pieces) => pieces.join(''))

/** Only text and `{{ path }}` of names that are neither keywords nor helpers, in text without braces or NUL. */
const simpleTemplate = fc
  .array(
    fc.oneof(
      fc.string({unit: textUnit.filter((u) => !/[{}\0]/.test(u)), maxLength: 6}),
      fc.tuple(space, fc.array(fc.oneof(fc.constantFrom(...NAMES), identifier), {minLength: 1, maxLength: 3}), space)
        .filter(([, parts]) => parts.every((p) => !KEYWORDS.includes(p)) && !HELPERS.includes(parts.join('.')))
        .map(([before, parts, after]) => `{{${before}${parts.join('.')}${after}}}`),
    ),
    {minLength: 1, maxLength: 6},
  )
  .map((pieces) => pieces.join(''))
  .filter((t) => t.includes('{{'))

const CONTEXT_KEYS = [...NAMES, ...KEYWORDS, ...HELPERS]
const scalar = fc.oneof(
  fc.string({unit: textUnit, maxLength: 5}),
  fc.constantFrom('', '0', 'x&<>"\'', 'D:\\VMs'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
)
const {value} = fc.letrec((tie) => ({
  value: fc.oneof({depthSize: 'small'}, scalar, tie('object'), tie('array')),
  object: fc.dictionary(fc.constantFrom(...CONTEXT_KEYS), tie('value'), {maxKeys: 4, noNullPrototype: true}),
  array: fc.array(tie('value'), {maxLength: 3}),
}))
const context = fc.dictionary(fc.constantFrom(...CONTEXT_KEYS), value, {maxKeys: 8, noNullPrototype: true}) as fc.Arbitrary<RenderContext>

type Handled =
  | {kind: 'refused'; error: unknown} // parse, helper check or compile error: never the fast path's
  | ({single: boolean} & (
      | {kind: 'rendered'; out: string}
      | {kind: 'undefined'; error: TemplateError} // strict mode, at the expression's location
      | {kind: 'type-error'; error: TypeError} // Handlebars' lookup stepped into a string, number or null
    ))

/** Plain Handlebars as production runs it: the same environment, parse (backslashes) and options. */
function viaHandlebars(text: string, ctx: RenderContext): Handled {
  const env = handlebarsEnv()
  let parsed: ReturnType<typeof parseText>
  let info: ReturnType<typeof inspect>
  try {
    parsed = parseText(env, text)
    info = inspect(parsed.ast, parsed.src)
  } catch (error) {
    return {kind: 'refused', error}
  }
  const single = parsed.ast.body.length === 1
  try {
    // `concatenating`: production's fix for Handlebars summing two leading numbers ({{a}}{{b}})
    const out: unknown = env.compile(concatenating(parsed.ast), COMPILE_OPTIONS)(ctx) // compiles on its first call
    return {single, kind: 'rendered', out: out === undefined || out === null ? '' : String(out)}
  } catch (error) {
    if (error instanceof TypeError) return {single, kind: 'type-error', error}
    if (/^"[^"]+" not defined in/.test((error as Error).message)) return {single, kind: 'undefined', error: runtimeError(error, parsed.src, info)}
    return {kind: 'refused', error}
  }
}

function viaFastPath(evaluate: (c: RenderContext) => unknown, ctx: RenderContext): {out: unknown} | {error: TemplateError} {
  try {
    return {out: evaluate(ctx)}
  } catch (error) {
    if (error instanceof TemplateError) return {error}
    throw error
  }
}

const shape = (e: TemplateError) => ({kind: e.kind, message: e.message, index: e.index, expression: e.expression})

describe('the fast path renders as Handlebars does', () => {
  it('on generated texts and contexts: the same text, or the same error, or declined', () => {
    const seen = {taken: 0, declined: 0, rendered: 0, undefinedVariable: 0, typeError: 0}
    fc.assert(
      fc.property(template, context, (text, ctx) => {
        const fast = compileSimple(text)
        if (!fast) {
          seen.declined++
          return
        }
        seen.taken++
        const hb = viaHandlebars(text, ctx)
        if (hb.kind === 'refused') throw new Error(`the fast path takes ${JSON.stringify(text)}, which Handlebars refuses: ${String(hb.error)}`)
        // The renderer keeps a whole-text path's value type: both ways must find the same path
        // (Handlebars can only find one in a text that is a single mustache).
        if (fast.path || hb.single) expect(fast.path).toEqual(compileWithHandlebars(text).path)
        const got = viaFastPath(fast.evaluate, ctx)
        if (hb.kind === 'rendered') {
          seen.rendered++
          expect(got, JSON.stringify(text)).toEqual({out: hb.out})
        } else if (hb.kind === 'undefined') {
          seen.undefinedVariable++
          if (/[\u2028\u2029]/.test(text)) {
            // Handlebars' lexer leaves the part of a line after a U+2028 or U+2029 out of its
            // columns (its `.` stops there), so its position, and the expression read there,
            // can be off: the fast path's own must name the variable where it is written.
            expect('error' in got && got.error.kind, JSON.stringify(text)).toBe('undefined-variable')
            const e = (got as {error: TemplateError}).error
            expect(text.startsWith(e.expression!, e.index)).toBe(true)
          } else {
            expect('error' in got && shape(got.error), JSON.stringify(text)).toEqual(shape(hb.error))
          }
        } else if (hb.kind === 'type-error') {
          seen.typeError++
          // Documented difference: an undefined variable, at the path it names.
          expect('error' in got && got.error.kind).toBe('undefined-variable')
          const e = (got as {error: TemplateError}).error
          expect(text.startsWith(e.expression!, e.index)).toBe(true)
        }
      }),
      {numRuns: 2000},
    )
    // Not vacuous: both sides of the decline, and both outcomes of a lookup, were exercised.
    expect(seen.taken).toBeGreaterThan(400)
    expect(seen.declined).toBeGreaterThan(400)
    expect(seen.rendered).toBeGreaterThan(200)
    expect(seen.undefinedVariable).toBeGreaterThan(100)
    expect(seen.typeError).toBeGreaterThan(50)
  })

  it('takes every text made only of text and plain variables', () => {
    fc.assert(
      fc.property(simpleTemplate, context, (text, ctx) => {
        const fast = compileSimple(text)
        expect(fast, JSON.stringify(text)).toBeDefined()
        const hb = viaHandlebars(text, ctx)
        expect(hb.kind, JSON.stringify(text)).not.toBe('refused')
        if (hb.kind === 'rendered') expect(viaFastPath(fast!.evaluate, ctx), JSON.stringify(text)).toEqual({out: hb.out})
      }),
      {numRuns: 300},
    )
  })
})

describe('where hvguest departs from plain Handlebars, on purpose', () => {
  // Handlebars prints "" (and warns on the console) for a name inherited from a prototype, and
  // fails with a TypeError when a path steps into a string or number; hvguest reads own
  // properties only, so both are undefined variables, as in render.ts' whole-scalar lookup.
  // (The property above checks the second against Handlebars' raw TypeError.)
  it.each([
    ['x{{toString}}', {}, 'toString'],
    ['x{{constructor.name}}', {}, 'constructor.name'],
    ['x{{a.__proto__}}', {a: {}}, 'a.__proto__'],
    ['x{{name.length}}', {name: 'web01'}, 'name.length'],
    ['x{{index.x}}', {index: 1}, 'index.x'],
  ])('%s is an undefined variable', (text, ctx, expression) => {
    const got = viaFastPath(compileSimple(text)!.evaluate, ctx)
    expect('error' in got && shape(got.error)).toEqual({kind: 'undefined-variable', message: `"${expression}" is not defined`, index: 3, expression})
  })

  it('a path through a string is an undefined variable on the Handlebars path too', () => {
    // `~` sends the text to Handlebars, whose strict lookup throws a TypeError there
    const got = viaFastPath(compileWithHandlebars('x{{~ name.length}}').evaluate, {name: 'web01'})
    expect('error' in got && shape(got.error)).toEqual({kind: 'undefined-variable', message: '"name.length" is not defined', index: 5, expression: 'name.length'})
  })

  it('two leading numbers are text, not a sum, on the Handlebars path too', () => {
    // plain Handlebars with noEscape renders `{{a}}{{b}}` as a + b: 3
    expect(compileWithHandlebars('{{a}}{{~b}}').evaluate({a: 1, b: 2})).toBe('12')
    expect(compileSimple('{{a}}{{b}}')!.evaluate({a: 1, b: 2})).toBe('12')
  })

  // Handlebars calls its own hooks for these names; to hvguest they are plain variables.
  it.each(INTERNAL_HELPERS)('{{%s}} is a variable', (hook) => {
    expect(compileSimple(`x{{${hook}}}`)!.evaluate({[hook]: 'v'})).toBe('xv')
  })
})
