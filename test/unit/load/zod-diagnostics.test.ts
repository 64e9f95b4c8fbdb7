import {describe, expect, it} from 'vitest'
import {z} from 'zod'
import {guestSpecSchema, hostInventorySchema} from '../../../src/model/schemas.js'
import {allowedKeysAt, zodToDiagnostics} from '../../../src/load/zod-diagnostics.js'
import {parseYamlSource} from '../../../src/load/yaml-source.js'

/** Parse `text` as YAML, validate `at` (a sub-path) with `schema`, return the messages and locations. */
function check(schema: z.ZodType, text: string, prefix: string[] = []) {
  const src = parseYamlSource(text, 'x.yaml')
  let data: unknown = src.doc.toJS()
  for (const p of prefix) data = (data as Record<string, unknown>)[p]
  const r = schema.safeParse(data, {reportInput: true})
  if (r.success) return []
  return zodToDiagnostics(r.error, schema, src.locate, {pathPrefix: prefix, guest: 'g1'})
}

const spec = (...lines: string[]) =>
  ['spec:', '  os: { family: windows, version: "2022" }', '  bootDisk: { size: 40GB }', ...lines, ''].join('\n')

describe('zodToDiagnostics', () => {
  it('wrong type: path, expected, found, at the value', () => {
    const [d, ...rest] = check(guestSpecSchema, spec('  processors: two'), ['spec'])
    expect(rest).toEqual([])
    expect(d).toMatchObject({code: 'schema', severity: 'error', guest: 'g1', message: 'spec.processors: expected an integer, got "two"'})
    expect(d.source).toEqual({file: 'x.yaml', line: 4, column: 15, path: 'spec.processors'})
  })

  it('a fraction where an integer is wanted', () => {
    expect(check(guestSpecSchema, spec('  processors: 2.5'), ['spec'])[0].message).toBe('spec.processors: expected an integer, got 2.5')
  })

  it('unknown key: names it, suggests the close one, points at the key', () => {
    const [d] = check(guestSpecSchema, spec('  procesors: 2'), ['spec'])
    expect(d.message).toBe('spec: unknown key "procesors" (did you mean "processors"?)')
    expect(d.source).toMatchObject({line: 4, column: 3, path: 'spec.procesors'})
  })

  it('unknown key nested in a list item and in an enum-keyed record', () => {
    const ds = check(guestSpecSchema, spec('  dataDisks:', '    - name: d', '      sise: 1GB', '  integration:', '    services: { hartbeat: true }'), ['spec'])
    expect(ds.map((d) => d.message)).toEqual([
      'spec.dataDisks[0]: unknown key "sise" (did you mean "size"?)',
      'spec.integration.services: unknown key "hartbeat" (did you mean "heartbeat"?)',
    ])
    expect(ds.map((d) => d.source?.line)).toEqual([6, 8])
  })

  it('enum mismatch lists the allowed values and suggests the closest', () => {
    const [d] = check(guestSpecSchema, spec('  dataDisks:', '    - { name: d, size: 1GB, type: dinamic }'), ['spec'])
    expect(d.message).toBe(
      'spec.dataDisks[0].type: expected one of "dynamic", "fixed", "differencing", "passthrough", "existing", got "dinamic" (did you mean "dynamic"?)',
    )
  })

  it('a union of literals reads as one expectation', () => {
    expect(check(guestSpecSchema, spec('  generation: 3'), ['spec'])[0].message).toBe('spec.generation: expected 1 or 2, got 3')
  })

  it('bad sizes: 10XB and -1GB at their line', () => {
    const ds = check(guestSpecSchema, spec('  memory:', '    startup: 10XB', '    minimum: -1GB'), ['spec'])
    expect(ds.map((d) => d.source?.line)).toEqual([5, 6])
    expect(ds[0].message).toMatch(/^spec\.memory\.startup: "10XB" is not a size/)
    expect(ds[1].message).toMatch(/^spec\.memory\.minimum: "-1GB" is not a size/)
  })

  it('a size of the wrong type uses the schema description', () => {
    const [d] = check(guestSpecSchema, spec('  memory: { startup: true }'), ['spec'])
    expect(d.message).toMatch(/^spec\.memory\.startup: expected a size: 512MB, 40GB, 2TB .*, got true$/)
  })

  it('a missing key points at its parent (the key of a collection)', () => {
    const [d] = check(guestSpecSchema, 'spec:\n  os: { family: linux }\n  bootDisk: { size: 1GB }\n', ['spec'])
    expect(d.message).toBe('spec.os.version: required, expected a string or a number')
    expect(d.source).toMatchObject({line: 2, column: 3, path: 'spec.os.version'})
  })

  it('ranges say the bound', () => {
    const ds = check(guestSpecSchema, spec('  networkAdapters:', '    - { switch: "", vlan: 5000 }'), ['spec'])
    expect(ds.map((d) => d.message)).toEqual([
      'spec.networkAdapters[0].switch: must not be empty, got ""',
      'spec.networkAdapters[0].vlan: expected an integer at most 4094, got 5000',
    ])
  })

  it('a forgotten indent: an unknown key that belongs under an empty key beside it', () => {
    const text = ['spec:', '  os: { family: windows, version: "2022" }', '  bootDisk:', '  parent: C:\\base.vhdx', '  type: differencing', ''].join('\n')
    const ds = check(guestSpecSchema, text, ['spec'])
    expect(ds.map((d) => [d.source?.line, d.message])).toEqual([
      [3, 'spec.bootDisk: expected a mapping, got null (no value)'],
      [4, 'spec: unknown key "parent"; did you mean to indent it under "bootDisk"?'],
      [5, 'spec: unknown key "type"; did you mean to indent it under "bootDisk"?'],
    ])
  })

  it('only when the empty key can hold it (otherwise the usual hint)', () => {
    const ds = check(guestSpecSchema, spec('  memory:', '  procesors: 2'), ['spec'])
    expect(ds.map((d) => d.message)).toContain('spec: unknown key "procesors" (did you mean "processors"?)')
    // a key that belongs to spec between them ends the block that lost its indent
    const text = ['spec:', '  os: { family: windows, version: "2022" }', '  bootDisk:', '  processors: 2', '  parent: x', ''].join('\n')
    expect(check(guestSpecSchema, text, ['spec']).map((d) => d.message)).toContain('spec: unknown key "parent"')
  })

  it('refinements keep their own message, at their path', () => {
    const ds = check(hostInventorySchema, 'apiVersion: hvguest/v1\nkind: HostInventory\nhosts:\n  - name: a\n  - name: A\n')
    expect(ds).toHaveLength(1)
    expect(ds[0].message).toBe('hosts[1].name: host "A" is listed twice')
    expect(ds[0].source).toMatchObject({line: 5, column: 11})
  })
})

describe('allowedKeysAt', () => {
  it('walks optional, array and object wrappers', () => {
    expect(allowedKeysAt(guestSpecSchema, ['dataDisks', 0])).toContain('diskNumber')
    expect(allowedKeysAt(guestSpecSchema, ['bootDisk', 'controller'])).toEqual(['type', 'number', 'location'])
  })
})
