import {describe, expect, it} from 'vitest'
import type {LoadedTemplate} from '../../../src/load/loaded-template.js'
import {loadGuestTemplate} from '../../../src/render/template-file.js'
import {resolveParameters} from '../../../src/load/parameters.js'
import {renderGuestSpec, renderString, TemplateError, type RenderContext} from '../../../src/render/render.js'
import {guestTemplate, RENDER_HOST, templateLoader, tempDir} from './_temp.js'

const write = tempDir()
const load = templateLoader()
const HOST = RENDER_HOST

function render(template: LoadedTemplate, sets: string[] = [], extra: RenderContext = {}) {
  const p = resolveParameters(template, {sets})
  expect(p.diagnostics).toEqual([])
  const context: RenderContext = {...p.values, name: 'web01', index: 1, host: HOST, profile: {name: 'generic-1g'}, ...extra}
  return renderGuestSpec(template, context, p.unset, 'web01')
}

/** Minimal valid spec lines, indented for `spec:`. */
const BASE = ['  os: { family: linux, distro: ubuntu, version: "22.04" }', '  bootDisk: { size: 40GB }']

// Lines 1-4 are the header; line 5 is `parameters:` (then its lines) or `spec:`.
describe('whole-expression scalars keep the value type', () => {
  const t = load(
    guestTemplate(
      [...BASE, '  processors: "{{cpu}}"', '  nestedVirtualization: "{{nested}}"', '  start: "{{go}}"', '  notes: "cpu={{cpu}}"'].join('\n'),
      ['  cpu: { type: integer, default: 2 }', '  nested: { type: boolean, default: true }', '  go: { type: boolean, default: false }'].join('\n'),
    ),
  )
  it('an integer stays a number, a boolean a boolean; a mixed string is a string', () => {
    const r = render(t, ['cpu=4'])
    expect(r.diagnostics).toEqual([])
    expect(r.spec).toMatchObject({processors: 4, nestedVirtualization: true, start: false, notes: 'cpu=4'})
  })
})

describe('values never change the structure', () => {
  const t = load(guestTemplate([...BASE, '  notes: "{{note}}"', '  hostname: "h-{{note}}"'].join('\n'), '  note: { type: string, default: x }'))
  it('a --set value with a newline, ": " and "#" lands as one string', () => {
    const value = 'a\nkey: value # x'
    const r = render(t, [`note=${value}`])
    expect(r.spec?.notes).toBe(value)
    expect(r.spec?.hostname).toBe(`h-${value}`)
    expect(Object.keys(r.spec!)).not.toContain('key')
  })
  it('a value holding {{ }} is not rendered again', () => {
    expect(render(t, ['note={{host.name}}']).spec?.notes).toBe('{{host.name}}')
  })
})

describe('unset optional parameters', () => {
  const t = load(
    guestTemplate(
      [...BASE, '  networkAdapters:', '    - switch: Lab', '      vlan: "{{vlan}}"', '  roles: ["{{role}}"]', '  notes: "vlan {{vlan}}"'].join('\n'),
      ['  vlan: { type: integer, required: false }', '  role: { type: string, required: false }'].join('\n'),
    ),
  )
  it('a whole-expression key is omitted, a list item dropped', () => {
    const r = render(t, ['vlan=12'])
    expect(r.diagnostics).toEqual([])
    expect(r.spec?.networkAdapters).toEqual([{switch: 'Lab', vlan: 12}])
    expect(r.spec?.roles).toEqual([])
  })
  it('inside a longer string it is an undefined variable that says the parameter is optional', () => {
    const r = render(t)
    expect(r.spec).toBeUndefined()
    expect(r.diagnostics).toHaveLength(1)
    // line 15: `  notes: "vlan {{vlan}}"` -> the expression `vlan` starts at column 18
    expect(r.diagnostics[0]).toMatchObject({code: 'template-undefined-variable', guest: 'web01', source: {line: 15, column: 18, path: 'spec.notes'}})
    expect(r.diagnostics[0].message).toMatch(/optional parameter "vlan" is not set/)
  })
})

describe('undefined variables', () => {
  const t = load(guestTemplate([...BASE, '  notes: "x"', '  floppy: "{{host.imageRoot}}\\\\a-{{host.vmroot}}.vfd"'].join('\n')))
  it('are errors at the expression inside the scalar, with a did-you-mean', () => {
    const r = render(t)
    expect(r.diagnostics).toHaveLength(1)
    // line 9: `  floppy: "{{host.imageRoot}}\\a-{{host.vmroot}}.vfd"`; `host.vmroot` starts at column 36
    expect(r.diagnostics[0]).toMatchObject({code: 'template-undefined-variable', source: {line: 9, column: 36}})
    expect(r.diagnostics[0].message).toBe('spec.floppy: "host.vmroot" is not defined (did you mean "host.vmRoot"?)')
  })
  it('a whole-expression variable that does not exist is an error too', () => {
    const t2 = load(guestTemplate([...BASE, '  processors: "{{cpus}}"'].join('\n'), '  cpu: { type: integer, default: 2 }'))
    const r = render(t2)
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'template-undefined-variable', source: {line: 10, column: 18}})
    expect(r.diagnostics[0].message).toContain('did you mean "cpu"?')
  })
})

describe('backslashes before {{ are path separators', () => {
  const t = load(
    guestTemplate(
      [
        '  os: { family: windows, version: "2022" }',
        "  bootDisk: { parent: 'D:\\VMs\\{{name}}\\boot.vhdx' }",
        '  dvdDrives:',
        "    - iso: '\\\\{{host.name}}\\share\\tools.iso'",
        '    - iso: "{{host.isoRoot}}\\\\x.iso"',
        "  notes: '{{literal \"{{\"}}name}} \\{{literal \"{{\"}}'",
      ].join('\n'),
    ),
  )
  const spec = render(t).spec!
  it('a single backslash', () => expect(spec.bootDisk.parent).toBe('D:\\VMs\\web01\\boot.vhdx'))
  it('a UNC path keeps both backslashes', () => expect(spec.dvdDrives?.[0].iso).toBe('\\\\hv1\\share\\tools.iso'))
  it('a double-quoted escaped backslash', () => expect(spec.dvdDrives?.[1].iso).toBe('E:\\iso\\x.iso'))
  it('the literal helper writes {{', () => expect(spec.notes).toBe('{{name}} \\{{'))
})

describe('helpers', () => {
  const t = load(
    guestTemplate(
      [...BASE, '  hostname: "{{upper name}}-{{pad index 3}}"', '  notes: "{{lower host.name}}"', '  processors: "{{default cpu 3}}"'].join('\n'),
      '  cpu: { type: integer, required: false }',
    ),
  )
  it('pad, upper, lower; a single helper call keeps its value type', () => {
    const r = render(t, [], {index: 7})
    expect(r.diagnostics).toEqual([])
    expect(r.spec).toMatchObject({hostname: 'WEB01-007', notes: 'hv1', processors: 3})
    expect(render(t, ['cpu=8']).spec?.processors).toBe(8)
  })
  it('a helper given arguments it cannot use is a template-helper-error at the call', () => {
    const r = render(load(guestTemplate([...BASE, '  notes: "d{{pad index}}"'].join('\n'))))
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'template-helper-error', source: {line: 8, column: 14}})
  })
  it('an unknown helper is a syntax error at load, with a did-you-mean', () => {
    const r = loadGuestTemplate(write('h.yaml', guestTemplate([...BASE, '  notes: "d{{padd index 2}}"'].join('\n'))))
    // The template is still returned, so that rendering can find its other problems too;
    // the error itself is reported here, at load, before any guest is rendered.
    expect(r.template).toBeDefined()
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'template-syntax', source: {line: 8, column: 14}})
    expect(r.diagnostics[0].message).toContain('did you mean "pad"?')
  })
})

describe('counted entries', () => {
  const spec = (count: string) =>
    [
      ...BASE,
      '  notes: "guest {{index}}"',
      '  dataDisks:',
      '    - name: "data{{index}}"',
      `      count: ${count}`,
      '      size: "{{size}}"',
      '    - name: logs',
      '      size: 1GB',
    ].join('\n')
  const params = ['  n: { type: integer, default: 3, minimum: 0 }', '  size: { type: size, default: 50GB }'].join('\n')

  it('renders an entry count times with index 1..N inside, the batch index outside', () => {
    const r = render(load(guestTemplate(spec('"{{n}}"'), params)), [], {index: 7})
    expect(r.diagnostics).toEqual([])
    expect(r.spec?.notes).toBe('guest 7')
    expect(r.spec?.dataDisks?.map((d) => d.name)).toEqual(['data1', 'data2', 'data3', 'logs'])
    expect(r.spec?.dataDisks?.[0]).not.toHaveProperty('count')
    expect(r.spec?.dataDisks?.[2].size).toBe(50 * 1024 ** 3)
  })
  it('count 0 renders no copies', () => {
    const r = render(load(guestTemplate(spec('"{{n}}"'), params)), ['n=0'])
    expect(r.spec?.dataDisks?.map((d) => d.name)).toEqual(['logs'])
  })
  it('a count that is not a whole number >= 0 is a schema error at the count', () => {
    for (const bad of ['-1', 'two', '1.5']) {
      const r = render(load(guestTemplate(spec(bad), params)))
      expect(r.spec).toBeUndefined()
      // parameters take lines 5-7, spec: line 8; `count:` is on line 14
      expect(r.diagnostics).toHaveLength(1)
      expect(r.diagnostics[0]).toMatchObject({code: 'schema', source: {line: 14, column: 14}})
    }
  })
  it('a bad count names its entry by the index written in the file, and hides nothing after it', () => {
    const entries = [
      '    - { name: "a{{index}}", count: 2, size: 1GB }',
      '    - { name: "b{{index}}", count: two, size: 1GB }',
      '    - { name: "c{{index}}", count: "{{nope}}", size: 1GB }',
      '    - { name: d, size: -1GB }',
    ]
    const r = render(load(guestTemplate([...BASE, '  dataDisks:', ...entries].join('\n'))))
    // spec: is line 5; the entries are on lines 9-12. d is the third RENDERED disk (a1, a2, d).
    expect(r.diagnostics.map((d) => [d.source?.line, d.source?.path, d.message.replace(/ is not a size.*/, ' is not a size')])).toEqual([
      [10, 'spec.dataDisks[1].count', 'spec.dataDisks[1].count: expected a whole number of copies (0 or more), got "two"'],
      [11, 'spec.dataDisks[2].count', 'spec.dataDisks[2].count: "nope" is not defined'],
      [12, 'spec.dataDisks[2].size', 'spec.dataDisks[2].size: "-1GB" is not a size'],
    ])
  })

  it('an undefined variable inside a counted entry is reported once, not once per copy', () => {
    const r = render(load(guestTemplate(spec('3').replace('data{{index}}', 'data{{indx}}'), params)))
    expect(r.diagnostics.map((d) => [d.code, d.source?.line])).toEqual([['template-undefined-variable', 13]])
  })
  it('a count that names an undefined variable is reported once', () => {
    const r = render(load(guestTemplate(spec('"{{nn}}"'), params)))
    expect(r.diagnostics.map((d) => d.code)).toEqual(['template-undefined-variable'])
  })
  it('locate maps expanded items back to the entry they came from', () => {
    const t = load(guestTemplate(spec('2').replace('"{{size}}"', '10XB').replace('1GB', '-1GB'), params))
    const r = render(t)
    // the two copies of the first entry share one mistake: it is reported once
    expect(r.diagnostics.map((d) => [d.source?.path, d.source?.line, d.source?.column])).toEqual([
      ['spec.dataDisks[0].size', 15, 13],
      ['spec.dataDisks[2].size', 17, 13],
    ])
    expect(r.diagnostics[0].message).toMatch(/^spec\.dataDisks\[0\]\.size: "10XB" is not a size/)
    expect(r.diagnostics[1].message).toMatch(/"-1GB" is not a size/)
    expect(r.locate(['spec', 'dataDisks', 1, 'size'])).toMatchObject({line: 15, column: 13, path: 'spec.dataDisks[1].size'})
    expect(r.locate(['spec', 'dataDisks', 1, 'name'])).toMatchObject({line: 13, path: 'spec.dataDisks[1].name'})
  })
})

describe('schema errors after rendering', () => {
  it('unknown keys name the key, at its line, with a did-you-mean', () => {
    const r = render(load(guestTemplate([...BASE, '  procesors: 2'].join('\n'))))
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'schema', source: {line: 8, column: 3}})
    expect(r.diagnostics[0].message).toBe('spec: unknown key "procesors" (did you mean "processors"?)')
  })
  it('a wrong type says what was expected and what was found', () => {
    const r = render(load(guestTemplate([...BASE, '  processors: two'].join('\n'))))
    expect(r.diagnostics[0].message).toBe('spec.processors: expected an integer, got "two"')
    expect(r.diagnostics[0].source).toMatchObject({line: 8, column: 15})
  })
})

describe('renderString', () => {
  it('renders with the same environment (backslashes included)', () => {
    expect(renderString('\\\\{{host.name}}\\{{name}}', {host: {name: 'h'}, name: 'g'})).toBe('\\\\h\\g')
  })
  it('throws a TemplateError for an undefined variable', () => {
    expect(() => renderString('x{{nope}}', {})).toThrow(TemplateError)
  })
})

// Speed is measured by `npm run bench`, never in a timed test; this checks that the compile
// cache shared across guests never leaks one guest's values into another.
describe('many guests from one template', () => {
  it('renders 1000 guests, each with its own values', () => {
    const t = load(
      guestTemplate(
        [
          ...BASE,
          '  processors: "{{cpu}}"',
          '  notes: "{{name}} on {{host.name}}"',
          '  dataDisks:',
          '    - { name: "d{{pad index 2}}", count: 4, size: "{{size}}" }',
          '  networkAdapters:',
          '    - { switch: Lab, vlan: "{{vlan}}" }',
        ].join('\n'),
        ['  cpu: { type: integer, default: 2 }', '  size: { type: size, default: 50GB }', '  vlan: { type: integer, required: false }'].join('\n'),
      ),
    )
    const p = resolveParameters(t, {sets: []})
    for (let i = 1; i <= 1000; i++) {
      const r = renderGuestSpec(t, {...p.values, name: `web${i}`, index: i, host: HOST, profile: {name: 'p'}}, p.unset, `web${i}`)
      if (!r.spec) throw new Error(JSON.stringify(r.diagnostics))
      expect(r.spec.notes).toBe(`web${i} on ${HOST.name}`)
      expect(r.spec.dataDisks?.map((d) => d.name)).toEqual(['d01', 'd02', 'd03', 'd04'])
      expect(r.spec.processors).toBe(2)
    }
  })
})
