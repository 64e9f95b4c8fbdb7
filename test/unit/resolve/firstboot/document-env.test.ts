/**
 * The first-boot document environment (src/resolve/firstboot/document-env.ts): every `{{expr}}` is
 * escaped for the document's format, raw output is refused, and every problem is a
 * TemplateError with the right kind and an index into the template text. The escaped output
 * is also read back with independent parsers (PyYAML, xmllint, Python's shlex).
 */
import {describe, expect, it} from 'vitest'
import {compileDocument, type DocumentFormat} from '../../../../src/resolve/firstboot/index.js'
import {TemplateError} from '../../../../src/render/handlebars-env.js'
import {el, pyYamlLoad, shlexSplit, tempFile, xmlWellFormed, xpath} from '../../../helpers/independent-tools.js'

const render = (text: string, format: DocumentFormat, context: Record<string, unknown>): string => compileDocument(text, format).render(context)

/** The TemplateError that compiling + rendering throws (fails the test if nothing is thrown). */
function errorOf(text: string, format: DocumentFormat, context: Record<string, unknown> = {}): TemplateError {
  try {
    compileDocument(text, format).render(context)
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError)
    return error as TemplateError
  }
  throw new Error(`expected a TemplateError for ${JSON.stringify(text)} (${format})`)
}

/** Strings that stress every format. */
const TRICKY = [
  `it's "quoted" ‘single’ “double”`,
  'back`tick` $(touch /tmp/pwned) ${HOME} a;b&c|d',
  '<b>x</b> ]]> &amp; &#10;',
  'key: value #comment',
  '- leading dash',
  '* star',
  '! bang',
  '%post',
  'Zoë 日本 😀',
  'a\\b\\\\c',
  '',
  ' padded ',
  'yes',
  'null',
  '0x1F',
  '~',
]
const WITH_BREAKS = ['line1\nline2', 'tab\there', 'cr\r\nlf', 'ls\u2028ps\u2029nel\u0085', 'del\u007fnul\u0000', 'bom\ufeff']

// =============================================================================== YAML

describe('yaml: every value is one double-quoted scalar', () => {
  it('quotes strings and escapes quote, backslash and line breaks', () => {
    expect(render('a: {{x}}\n', 'yaml', {x: 'say "hi"\\ now\n\tthen\r'})).toBe('a: "say \\"hi\\"\\\\ now\\n\\tthen\\r"\n')
  })

  it('writes everything outside printable ASCII as \\u / \\U escapes, U+2028 and U+0085 included', () => {
    expect(render('a: {{x}}', 'yaml', {x: 'Zoë'})).toBe('a: "Zo\\u00eb"')
    expect(render('a: {{x}}', 'yaml', {x: '日本'})).toBe('a: "\\u65e5\\u672c"')
    expect(render('a: {{x}}', 'yaml', {x: 'a\u2028b\u2029c\u0085d'})).toBe('a: "a\\u2028b\\u2029c\\u0085d"')
    expect(render('a: {{x}}', 'yaml', {x: '\u0000\u0001\u007f'})).toBe('a: "\\u0000\\u0001\\u007f"')
    expect(render('a: {{x}}', 'yaml', {x: '😀'})).toBe('a: "\\U0001f600"')
    expect(render('a: {{x}}', 'yaml', {x: '‘’“”'})).toBe('a: "\\u2018\\u2019\\u201c\\u201d"')
  })

  it('keeps numbers and booleans as plain scalars, null as null', () => {
    expect(render('mtu: {{m}} on: {{b}} off: {{f}} n: {{z}}', 'yaml', {m: 9000, b: true, f: false, z: null})).toBe('mtu: 9000 on: true off: false n: null')
  })

  it('writes lists as flow sequences and maps as flow mappings of escaped scalars', () => {
    expect(render('p: {{xs}}', 'yaml', {xs: ['a b', 1, true, null, 'Zoë']})).toBe('p: ["a b", 1, true, null, "Zo\\u00eb"]')
    expect(render('p: {{xs}}', 'yaml', {xs: []})).toBe('p: []')
    expect(render('m: {{o}}', 'yaml', {o: {'k: 1': 'v"', n: [1, {d: 'x'}]}})).toBe('m: {"k: 1": "v\\"", "n": [1, {"d": "x"}]}')
  })

  it('a value that is not finite is a format error at the expression', () => {
    const e = errorOf('a: 1\nb: {{n}}\n', 'yaml', {n: Number.POSITIVE_INFINITY})
    expect(e.kind).toBe('format')
    expect(e.index).toBe('a: 1\nb: {{'.length)
  })

  it('PyYAML reads every escaped string back as the same single value', () => {
    const values = [...TRICKY, ...WITH_BREAKS]
    const docs = values.map((x) => render('first: 1\nvalue: {{x}}\nlist: {{xs}}\nlast: 2\n', 'yaml', {x, xs: [x, x]}))
    const loaded = pyYamlLoad(docs)
    loaded.forEach((r, i) => {
      expect(r, docs[i]).toEqual({ok: true, value: {first: 1, value: values[i], list: [values[i], values[i]], last: 2}})
    })
  })
})

// ================================================================================ XML

describe('xml: entities and character references', () => {
  it('escapes & < > " \' as entities', () => {
    expect(render('<a>{{x}}</a>', 'xml', {x: `a&b<c>d"e'f`})).toBe('<a>a&amp;b&lt;c&gt;d&quot;e&apos;f</a>')
  })

  it('writes tab, LF and CR as character references and keeps other text as it is', () => {
    expect(render('<a v="{{x}}"/>', 'xml', {x: 'a\tb\nc\rd'})).toBe('<a v="a&#9;b&#10;c&#13;d"/>')
    expect(render('<a>{{x}}</a>', 'xml', {x: 'Zoë 日本 ‘’“” ]]>'})).toBe('<a>Zoë 日本 ‘’“” ]]&gt;</a>')
  })

  it('numbers as they are, null as nothing', () => {
    expect(render('<a>{{n}}</a><b>{{z}}</b>', 'xml', {n: 9014, z: null})).toBe('<a>9014</a><b></b>')
  })

  it('a character XML 1.0 cannot hold (U+0001, U+FFFE, a lone surrogate) is a format error at the expression', () => {
    const text = '<a>\n  <b>{{x}}</b>\n</a>'
    for (const x of ['a\u0001b', '\ufffe', 'x\ud800']) {
      const e = errorOf(text, 'xml', {x})
      expect(e.kind, JSON.stringify(x)).toBe('format')
      expect(e.index).toBe(text.indexOf('{{x}}') + 2)
    }
    expect(errorOf(text, 'xml', {x: 'a\u0001b'}).message).toContain('U+0001')
  })

  it('a list is refused: its items are written with {{#each}}', () => {
    const e = errorOf('<a>{{xs}}</a>', 'xml', {xs: ['a']})
    expect(e.kind).toBe('format')
    expect(e.index).toBe(5)
    expect(render('<a>{{#each xs}}<i>{{this}}</i>{{/each}}</a>', 'xml', {xs: ['<', '&']})).toBe('<a><i>&lt;</i><i>&amp;</i></a>')
  })

  it('xmllint reads every escaped value back unchanged, as text and as an attribute', () => {
    const values = [...TRICKY, ...WITH_BREAKS.filter((v) => !/[\u0000\ufeff\u007f]/.test(v)), 'tab\tlf\ncr\r']
    for (const x of values) {
      const doc = render('<?xml version="1.0" encoding="utf-8"?>\n<r xmlns="urn:x"><v a="{{x}}">{{x}}</v><w/></r>\n', 'xml', {x})
      const {file, remove} = tempFile('doc.xml', doc)
      try {
        expect(xmlWellFormed(file).status, doc).toBe(0)
        expect(xpath(file, `string(//${el('v')})`), doc).toBe(x)
        expect(xpath(file, `string(//${el('v')}/@a)`), doc).toBe(x)
        expect(xpath(file, 'count(//*)'), doc).toBe('3')
      } finally {
        remove()
      }
    }
  })
})

// ============================================================================== shell

describe('shell: one word, quoted only when needed', () => {
  it('leaves a word that needs no quoting as it is', () => {
    expect(render('echo {{x}}', 'shell', {x: 'hv_vmbus-1.0/a:b,c=d@e%f+g'})).toBe('echo hv_vmbus-1.0/a:b,c=d@e%f+g')
    expect(render('echo {{n}}', 'shell', {n: 42})).toBe('echo 42')
  })

  it("single-quotes anything else, writing ' as '\\''", () => {
    expect(render('echo {{x}}', 'shell', {x: "it's"})).toBe("echo 'it'\\''s'")
    expect(render('echo {{x}}', 'shell', {x: 'a b'})).toBe("echo 'a b'")
    expect(render('echo {{x}}', 'shell', {x: '$(touch /tmp/pwned)'})).toBe("echo '$(touch /tmp/pwned)'")
    expect(render('echo {{x}}', 'shell', {x: 'Zoë'})).toBe("echo 'Zoë'")
    expect(render('echo {{x}}', 'shell', {x: 'a#b'})).toBe("echo 'a#b'")
    expect(render('echo {{x}}', 'shell', {x: ''})).toBe("echo ''")
    expect(render('echo {{x}}', 'shell', {x: null})).toBe("echo ''")
  })

  it('writes a list as one word per item', () => {
    expect(render('modprobe {{xs}}', 'shell', {xs: ['hv_vmbus', 'a b', "c'd"]})).toBe("modprobe hv_vmbus 'a b' 'c'\\''d'")
  })

  it('a line break in a value is a format error at the expression, on its line', () => {
    const text = 'install\nrootpw --plaintext {{pw}}\n'
    const e = errorOf(text, 'shell', {pw: 'a\nb'})
    expect(e.kind).toBe('format')
    expect(e.index).toBe(text.indexOf('{{pw}}') + 2)
    expect(e.message).toContain('line break')
    for (const pw of ['a\rb', 'a\u2028b', 'a\u0085b', 'a\u0000b', 'a\u007fb']) expect(errorOf(text, 'shell', {pw}).kind, JSON.stringify(pw)).toBe('format')
  })

  it('a map is refused', () => {
    expect(errorOf('x {{o}}', 'shell', {o: {a: 1}}).kind).toBe('format')
  })

  it("Python's shlex.split reads every escaped word back as exactly one word", () => {
    const values = [...TRICKY, 'a\\', "'", "''", '"', '\\\'']
    const lines = values.map((x) => render('cmd --opt={{x}} {{x}} end', 'shell', {x}))
    shlexSplit(lines).forEach((words, i) => {
      expect(words, lines[i]).toEqual(['cmd', `--opt=${values[i]}`, values[i], 'end'])
    })
  })
})

// ============================================================================= errors

describe('errors carry the right kind and index', () => {
  it('an undefined variable inside {{#each}}', () => {
    const text = 'ethernets:\n{{#each xs}}\n  - {{nope}}\n{{/each}}\n'
    const e = errorOf(text, 'yaml', {xs: [1]})
    expect(e.kind).toBe('undefined-variable')
    expect(e.expression).toBe('nope')
    expect(e.index).toBe(text.indexOf('nope'))
  })

  it('an undefined variable inside {{#if}}', () => {
    const text = '<a>\n{{#if on}}\n  <b>{{missing}}</b>\n{{/if}}\n</a>'
    const e = errorOf(text, 'xml', {on: true})
    expect(e.kind).toBe('undefined-variable')
    expect(e.expression).toBe('missing')
    expect(e.index).toBe(text.indexOf('missing'))
  })

  it('a nested path a.b.c under a missing object, whichever level is missing', () => {
    const text = 'x: 1\ny: {{a.b.c}}\n'
    for (const context of [{}, {a: {}}, {a: {b: {}}}]) {
      const e = errorOf(text, 'yaml', context)
      expect(e.kind, JSON.stringify(context)).toBe('undefined-variable')
      expect(e.expression).toBe('a.b.c')
      expect(e.index).toBe(text.indexOf('a.b.c'))
    }
  })

  it('an unknown helper is a syntax error at its name, at compile time', () => {
    const text = 'x: 1\ny: {{frob a}}\n'
    let e: TemplateError | undefined
    try {
      compileDocument(text, 'yaml')
    } catch (error) {
      e = error as TemplateError
    }
    expect(e).toBeInstanceOf(TemplateError)
    expect(e!.kind).toBe('syntax')
    expect(e!.index).toBe(text.indexOf('frob'))
    expect(e!.message).toContain('unknown helper "frob"')
  })

  it('an unclosed block is a syntax error (reported where the parser ran out of text)', () => {
    const text = 'a: 1\n{{#if x}}\nb: 2\n'
    const e = errorOf(text, 'yaml', {x: true})
    expect(e.kind).toBe('syntax')
    expect(e.message).toContain('{{/block}}')
    expect(e.index).toBe(text.length)
  })

  it('an expression missing its "}}" is a syntax error on its line', () => {
    const text = 'a: 1\nb: {{x}\nc: 2\n'
    const e = errorOf(text, 'yaml', {x: 1})
    expect(e.kind).toBe('syntax')
    expect(e.index).toBe(text.indexOf('{{x}') + 3)
  })

  it('{{{raw}}} and {{& raw}} are refused as syntax errors at the expression', () => {
    for (const [text, at] of [
      ['a: 1\nb: {{{raw}}}\n', 'a: 1\nb: '.length],
      ['a: 1\nb: {{& raw}}\n', 'a: 1\nb: '.length],
    ] as const) {
      for (const format of ['yaml', 'xml', 'shell'] as const) {
        const e = errorOf(text, format, {raw: 'x'})
        expect(e.kind, `${text} ${format}`).toBe('syntax')
        expect(e.index).toBe(at)
        expect(e.message).toContain('unescaped')
      }
    }
  })

  it('partials are refused', () => {
    expect(errorOf('a {{> part}}', 'yaml').kind).toBe('syntax')
  })
})

// ============================================================================ helpers

describe('helpers', () => {
  it('eq and ne compare values in {{#if}}', () => {
    const text = '{{#if (eq v "2008r2")}}old{{else}}new{{/if}} {{#if (ne v "2008r2")}}ne{{else}}same{{/if}}'
    expect(render(text, 'yaml', {v: '2008r2'})).toBe('old same')
    expect(render(text, 'yaml', {v: '2022'})).toBe('new ne')
    expect(render('{{#if (eq n 9014)}}jumbo{{/if}}', 'yaml', {n: '9014'})).toBe('') // strict equality
  })

  it('a helper written as a value is escaped for the format too', () => {
    expect(render('a: {{eq v "x"}}', 'yaml', {v: 'x'})).toBe('a: true')
    expect(render('echo {{upper v}}', 'shell', {v: 'a b'})).toBe("echo 'A B'")
    expect(render('echo {{literal "it\'s"}}', 'shell', {})).toBe("echo 'it'\\''s'")
    expect(render('<a>{{lookup o "k"}}</a>', 'xml', {o: {k: '<&>'}})).toBe('<a>&lt;&amp;&gt;</a>')
  })

  it('default gives the fallback for null (an unset optional parameter) and "", and escapes the result', () => {
    expect(render('v: {{default a 100}}', 'yaml', {a: null})).toBe('v: 100')
    expect(render('v: {{default a "x y"}}', 'yaml', {a: ''})).toBe('v: "x y"')
    expect(render('echo {{default a "x y"}}', 'shell', {a: ''})).toBe("echo 'x y'")
    expect(render('echo {{default a "x y"}}', 'shell', {a: "it's"})).toBe("echo 'it'\\''s'")
  })
})

describe('a variable in a condition or a helper argument must exist', () => {
  it('a misspelt condition is an undefined variable at its position, not a silently dropped block', () => {
    const text = 'a: 1\n{{#if guest.jumboPackets}}\nb: 2\n{{/if}}\n'
    const e = errorOf(text, 'yaml', {guest: {jumboPacket: 9014}})
    expect(e).toMatchObject({kind: 'undefined-variable', expression: 'guest.jumboPackets', index: text.indexOf('guest.jumboPackets')})
  })

  it('each, with, helper arguments and hash values are checked too; null is a value', () => {
    expect(errorOf('{{#each nope}}x{{/each}}', 'yaml', {})).toMatchObject({kind: 'undefined-variable', expression: 'nope', index: 8})
    expect(errorOf('{{#with nope}}x{{/with}}', 'yaml', {})).toMatchObject({kind: 'undefined-variable', expression: 'nope'})
    expect(errorOf('{{upper nope}}', 'shell', {})).toMatchObject({kind: 'undefined-variable', expression: 'nope', index: 8})
    expect(errorOf('{{#if (eq a nope)}}x{{/if}}', 'shell', {a: 1})).toMatchObject({kind: 'undefined-variable', expression: 'nope'})
    expect(render('{{#if sshKey}}key{{else}}none{{/if}}', 'yaml', {sshKey: null})).toBe('none')
    expect(render('{{#each list}}[{{this}}]{{/each}}', 'shell', {list: ['a', 'b c']})).toBe("[a]['b c']")
  })
})

describe('backslashes before {{ are path separators', () => {
  it('keeps one and two backslashes before a value', () => {
    expect(render('<p>C:\\VMs\\{{n}}\\boot.vhdx</p>', 'xml', {n: 'web01'})).toBe('<p>C:\\VMs\\web01\\boot.vhdx</p>')
    expect(render('<p>\\\\{{h}}\\share</p>', 'xml', {h: 'hv1'})).toBe('<p>\\\\hv1\\share</p>')
  })

  it('error positions stay those of the original text after a backslash', () => {
    const text = '<p>C:\\VMs\\{{n}}\\{{nope}}</p>'
    const e = errorOf(text, 'xml', {n: 'web01'})
    expect(e.kind).toBe('undefined-variable')
    expect(e.index).toBe(text.indexOf('nope'))
  })
})
