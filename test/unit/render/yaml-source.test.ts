import {describe, expect, it} from 'vitest'
import {locateKeyOf, parseYamlSource, readErrorReason, readYamlSource, refInScalar, findNode} from '../../../src/load/yaml-source.js'
import type {Scalar} from 'yaml'
import {dirname} from 'node:path'
import {tempDir} from './_temp.js'

const write = tempDir()

describe('parseYamlSource', () => {
  it('reports a syntax error with its exact line and column', () => {
    const s = parseYamlSource('a: 1\nb:\n\t- x\n', 'f.yaml')
    expect(s.diagnostics).toHaveLength(1)
    expect(s.diagnostics[0]).toMatchObject({code: 'yaml-syntax', severity: 'error', source: {file: 'f.yaml', line: 3, column: 1}})
  })

  it('reports every error, not only the first', () => {
    const s = parseYamlSource('a: 1\na: 2\nb:\n  c: 1\n  c: 2\n', 'f.yaml')
    expect(s.diagnostics.map((d) => [d.source?.line, d.source?.column])).toEqual([
      [2, 1],
      [5, 3],
    ])
  })

  it('makes duplicate keys errors that name the key', () => {
    const s = parseYamlSource('spec:\n  processors: 2\n  processors: 4\n', 'f.yaml')
    expect(s.diagnostics).toHaveLength(1)
    expect(s.diagnostics[0].message).toContain('duplicate key "processors"')
    expect(s.diagnostics[0].source).toMatchObject({line: 3, column: 3})
  })

  it('refuses a second document', () => {
    const s = parseYamlSource('a: 1\n---\nb: 2\n', 'f.yaml')
    expect(s.diagnostics).toHaveLength(1)
    expect(s.diagnostics[0]).toMatchObject({code: 'yaml-syntax', source: {line: 2}})
    expect(s.diagnostics[0].message).toMatch(/2 YAML documents/)
  })

  it('accepts a leading document marker', () => {
    expect(parseYamlSource('---\na: 1\n', 'f.yaml').diagnostics).toEqual([])
  })
})

describe('readYamlSource', () => {
  it('a folder is file-not-found that says it is a folder, not a raw EISDIR', () => {
    const dir = dirname(write('in-dir.yaml', 'a: 1\n'))
    const s = readYamlSource(dir)
    expect(s.diagnostics).toHaveLength(1)
    expect(s.diagnostics[0]).toMatchObject({code: 'file-not-found', message: `cannot read ${dir}: it is a folder, not a file`})
    expect(s.doc.contents).toBeNull()
  })

  it('other read errors are explained in words, keeping the code', () => {
    const err = (code: string, message: string) => Object.assign(new Error(message), {code})
    expect(readErrorReason(err('EACCES', "EACCES: permission denied, open '/x/y.yaml'"))).toBe('permission denied (EACCES)')
    expect(readErrorReason(err('ENOTDIR', "ENOTDIR: not a directory, open '/x/y.yaml/z'"))).toBe('a part of the path is a file, not a folder (ENOTDIR)')
    expect(readErrorReason(err('EWEIRD', "EWEIRD: something odd, open '/x'"))).toBe('something odd (EWEIRD)')
  })

  it('turns a missing file into one file-not-found diagnostic and an empty document', () => {
    const s = readYamlSource('/nonexistent/hvguest/x.yaml')
    expect(s.diagnostics).toHaveLength(1)
    expect(s.diagnostics[0]).toMatchObject({code: 'file-not-found', source: {file: '/nonexistent/hvguest/x.yaml'}})
    expect(s.doc.contents).toBeNull()
  })

  it('reads a file and keeps its name in locations', () => {
    const file = write('r.yaml', 'a:\n  b: 1\n')
    const s = readYamlSource(file)
    expect(s.locate(['a', 'b'])).toEqual({file, line: 2, column: 6, path: 'a.b'})
  })
})

describe('locate', () => {
  const text = ['spec:', '  processors: two', '  dataDisks:', '    - name: a', '    - name: b', '      size: 10XB', ''].join('\n')
  const s = parseYamlSource(text, 't.yaml')

  it('points at a scalar value', () => {
    expect(s.locate(['spec', 'dataDisks', 1, 'size'])).toEqual({file: 't.yaml', line: 6, column: 13, path: 'spec.dataDisks[1].size'})
    expect(s.locate(['spec', 'processors'])).toMatchObject({line: 2, column: 15})
  })

  it('points at the key of a block collection', () => {
    expect(s.locate(['spec', 'dataDisks'])).toMatchObject({line: 3, column: 3})
  })

  it('can point at the key rather than the value', () => {
    expect(locateKeyOf(s.locate)(['spec', 'processors'])).toMatchObject({line: 2, column: 3})
  })

  it('falls back to the nearest ancestor that exists, keeping the full path', () => {
    expect(s.locate(['spec', 'dataDisks', 7, 'size'])).toEqual({file: 't.yaml', line: 3, column: 3, path: 'spec.dataDisks[7].size'})
    expect(s.locate(['spec', 'memory', 'startup'])).toMatchObject({line: 1, column: 1, path: 'spec.memory.startup'})
  })
})

describe('refInScalar', () => {
  const at = (text: string, index: number) => {
    const s = parseYamlSource(text, 'x.yaml')
    const node = findNode(s.doc, ['k']).node as Scalar
    return refInScalar(s, node, index)
  }
  it('maps a position in a plain scalar', () => expect(at('k: ab {{x}}', 3)).toMatchObject({line: 1, column: 7}))
  it("maps past a single-quoted ''", () => expect(at("k: 'it''s {{x}}'", 5)).toMatchObject({line: 1, column: 11}))
  it('maps past double-quoted escapes', () => expect(at('k: "a\\\\b {{x}}"', 4)).toMatchObject({line: 1, column: 10}))
  it('maps into a literal block', () => expect(at('k: |\n  one\n  two {{x}}\n', 8)).toMatchObject({line: 3, column: 7}))
})

describe('YAML syntax messages for common mistakes', () => {
  const errors = (text: string) => parseYamlSource(text, 'f.yaml').diagnostics.map((d) => [d.source?.line, d.source?.column, d.message])

  it('a tab used for indentation says so in plain words, then the library text', () => {
    const [[line, column, message]] = errors('spec:\n\tprocessors: 2\n')
    expect([line, column]).toEqual([2, 1])
    expect(message).toBe('YAML does not allow tabs for indentation; use spaces (Tabs are not allowed as indentation)')
  })

  it('an over-indented key is one problem, at the line that is indented wrong', () => {
    // yaml reports two errors at the end of line 2 ("Nested mappings…", "Implicit keys…")
    const ds = errors('spec:\n  os: x\n    processors: 2\n')
    expect(ds).toHaveLength(1)
    expect(ds[0].slice(0, 2)).toEqual([3, 5])
    expect(ds[0][2]).toMatch(/^check the indentation of this line and the one before it \(/)
  })

  it('skips blank lines and comments to find the mistaken line', () => {
    const ds = errors('spec:\n  os: x  # the OS\n\n    processors: 2\n')
    expect(ds.map((d) => d.slice(0, 2))).toEqual([[4, 5]])
  })

  it('a list item indented too far is reported at the item, once', () => {
    const ds = errors('spec:\n  dataDisks:\n    - name: a\n       size: 4\n')
    expect(ds.map((d) => d.slice(0, 2))).toEqual([[4, 8]])
  })

  it('"key: value" as a value says so, on its own line', () => {
    const [[line, column, message]] = errors('spec:\n  bootDisk: size: 40GB\n')
    expect([line, column]).toEqual([2, 13])
    expect(message).toMatch(/^a value cannot be "key: value" on the line of its own key/)
  })

  it('an under-indented key points at the key, not the margin', () => {
    const ds = errors('a:\n  - x\n  b: 1\n')
    expect(ds).toHaveLength(1)
    expect(ds[0].slice(0, 2)).toEqual([3, 3])
    expect(ds[0][2]).toBe('check the indentation of this line and the one before it (All mapping items must start at the same column)')
  })

  it('a stray backslash escape in double quotes suggests single quotes', () => {
    const [[, , message]] = errors('a: "C:\\Images\\x.vhdx"\n')
    expect(message).toMatch(/^in double quotes a backslash starts an escape/)
    expect(message).toMatch(/\(Invalid escape sequence \\I\)$/)
  })

  it('keeps distinct problems on distinct lines', () => {
    expect(errors('spec:\n\tos: x\n\tbootDisk: y\n').map((d) => d[0])).toEqual([2, 3])
  })
})
