import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {loadHardwareProfile, loadHostInventory} from '../../../src/load/load-files.js'
import {loadAnyFile, loadGuestTemplate} from '../../../src/render/template-file.js'
import {resolveParameters} from '../../../src/load/parameters.js'
import {renderGuestSpec} from '../../../src/render/render.js'
import {guestTemplate, tempDir} from '../render/_temp.js'

const write = tempDir()
const SPEC = ['  os: { family: linux, version: "22.04" }', '  bootDisk: { size: 40GB }'].join('\n')

const PROFILE = `apiVersion: hvguest/v1
kind: HardwareProfile
metadata: { name: intel-10g }
spec:
  network: { jumboPacket: 9014, chimney: enabled, vmq: true }
  capabilities: { jumboPacketValues: [1514, 9014], chimney: true }
`
const HOSTS = `apiVersion: hvguest/v1
kind: HostInventory
hosts:
  - name: hv1
    transport: local
    os: windows-server-2019
`

describe('loadGuestTemplate', () => {
  it('loads the header and parameters', () => {
    const file = write('ok.yaml', guestTemplate(SPEC, '  cpu: { type: integer, default: 2 }').replace('name: lab', 'name: lab\n  description: A lab'))
    const r = loadGuestTemplate(file)
    expect(r.diagnostics).toEqual([])
    expect(r.template).toMatchObject({name: 'lab', description: 'A lab', file, parameters: {cpu: {type: 'integer', default: 2}}})
  })

  it('reports a YAML syntax error with line and column and stops', () => {
    const r = loadGuestTemplate(write('syn.yaml', guestTemplate('  os: { family: linux\n  bootDisk: {}')))
    expect(r.template).toBeUndefined()
    expect(r.diagnostics.every((d) => d.code === 'yaml-syntax')).toBe(true)
    expect(r.diagnostics[0].source?.line).toBeGreaterThanOrEqual(6)
  })

  it('kind-mismatch names the kinds', () => {
    const r = loadGuestTemplate(write('kind.yaml', PROFILE))
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'kind-mismatch', source: {line: 2, column: 7}})
    expect(r.diagnostics[0].message).toBe(
      'kind is "HardwareProfile", expected "kind: GuestTemplate" (hvguest files are GuestTemplate, HardwareProfile, HostInventory, Lab)',
    )
    const missing = loadGuestTemplate(write('nokind.yaml', 'apiVersion: hvguest/v1\nspec: {}\n'))
    expect(missing.diagnostics[0]).toMatchObject({code: 'kind-mismatch'})
    expect(missing.diagnostics[0].message).toMatch(/^no kind/)
  })

  it('checks the header with the schema', () => {
    const text = guestTemplate(SPEC, '  cpu: { type: int }').replace('apiVersion: hvguest/v1', 'apiVersion: hvguest/v2')
    const r = loadGuestTemplate(write('hdr.yaml', text))
    expect(r.template).toBeUndefined()
    expect(r.diagnostics.map((d) => [d.code, d.source?.line, d.message])).toEqual([
      ['schema', 1, 'apiVersion: expected "hvguest/v1", got "hvguest/v2"'],
      ['schema', 6, 'parameters.cpu.type: expected one of "string", "integer", "boolean", "size", got "int"'],
    ])
  })

  it('reserves name, index, host and profile', () => {
    const r = loadGuestTemplate(write('res.yaml', guestTemplate(SPEC, '  index: { type: integer, default: 1 }\n  host: { type: string }')))
    expect(r.diagnostics.map((d) => [d.code, d.source?.line, d.source?.column])).toEqual([
      ['schema', 6, 3],
      ['schema', 7, 3],
    ])
    expect(r.diagnostics[0].message).toMatch(/"index" is a built-in variable/)
  })

  it('a default must fit its own type (parameter-invalid at the default)', () => {
    const params = ['  cpu: { type: integer, default: two }', '  size: { type: size, default: 10XB }', '  env: { type: string, default: qa, allowed: [dev, prod] }'].join('\n')
    const r = loadGuestTemplate(write('def.yaml', guestTemplate(SPEC, params)))
    expect(r.diagnostics.map((d) => [d.code, d.source?.line, d.source?.column])).toEqual([
      ['parameter-invalid', 6, 34],
      ['parameter-invalid', 7, 32],
      ['parameter-invalid', 8, 33],
    ])
    expect(r.diagnostics[0].message).toBe('parameters.cpu.default: expected an integer, got "two"')
  })

  it('a Handlebars syntax error is caught at load, at its line and column inside the scalar', () => {
    // line 8: `  notes: "before {{vlan"`
    const r = loadGuestTemplate(write('hbs.yaml', guestTemplate([SPEC, '  notes: "before {{vlan"'].join('\n'))))
    // The template is still returned, so that rendering can find its other problems too;
    // the error itself is reported here, at load, before any guest is rendered.
    expect(r.template).toBeDefined()
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'template-syntax', source: {line: 8, column: 20, path: 'spec.notes'}})
  })

  it('a syntax error on a later line of a block scalar', () => {
    const r = loadGuestTemplate(write('blk.yaml', guestTemplate([SPEC, '  notes: |', '    fine {{name}}', '    {{#if x}} open'].join('\n'))))
    expect(r.diagnostics[0]).toMatchObject({code: 'template-syntax', source: {line: 10}})
  })

  it('a missing file', () => {
    expect(loadGuestTemplate('/nonexistent/t.yaml').diagnostics.map((d) => d.code)).toEqual(['file-not-found'])
  })
})

describe('loadHardwareProfile and loadHostInventory', () => {
  it('load valid documents', () => {
    expect(loadHardwareProfile(write('prof.yaml', PROFILE)).profile?.spec.network?.jumboPacket).toBe(9014)
    const inv = loadHostInventory(write('hosts.yaml', HOSTS))
    expect(inv.inventory?.hosts[0].name).toBe('hv1')
    expect(inv.locate?.(['hosts', 0, 'os'])).toMatchObject({line: 6, column: 9})
  })

  it('report schema errors with locations', () => {
    const r = loadHostInventory(write('hosts-bad.yaml', HOSTS.replace('transport: local', 'transprt: local')))
    expect(r.inventory).toBeUndefined()
    expect(r.diagnostics[0]).toMatchObject({code: 'schema', message: 'hosts[0]: unknown key "transprt" (did you mean "transport"?)', source: {line: 5, column: 5}})
  })

  // Chimney is not part of this check: plan warns with chimney-unsupported-nic instead.
  it('a profile must agree with its own capabilities, reported at the network key', () => {
    const text = [
      'apiVersion: hvguest/v1',
      'kind: HardwareProfile',
      'metadata: { name: odd }',
      'spec:',
      '  network:',
      '    jumboPacket: 9014',
      '    chimney: enabled',
      '    vmq: true',
      '  capabilities:',
      '    jumboPacketValues: [1514, 4088]',
      '    chimney: false',
      '    vmq: false',
      '',
    ].join('\n')
    const file = write('prof-odd.yaml', text)
    const r = loadHardwareProfile(file)
    expect(r.profile).toBeUndefined()
    const expected = [
      ['schema', 6, 18, 'spec.network.jumboPacket: 9014 is not one of this profile\'s capabilities.jumboPacketValues (1514, 4088)'],
      ['schema', 8, 10, 'spec.network.vmq: true, but capabilities.vmq is false (the NIC has no VMQ); use false'],
    ]
    expect(r.diagnostics.map((d) => [d.code, d.source?.line, d.source?.column, d.message])).toEqual(expected)
    expect(loadAnyFile(file).diagnostics.map((d) => [d.code, d.source?.line, d.source?.column, d.message])).toEqual(expected)
    // what a capability leaves out (or says true) is not checked; automatic chimney is allowed
    const fine = text.replace('jumboPacket: 9014', 'jumboPacket: 4088').replace('chimney: enabled', 'chimney: automatic').replace('    vmq: false\n', '')
    expect(loadHardwareProfile(write('prof-fine.yaml', fine)).diagnostics).toEqual([])
  })

  it('refuse the wrong kind', () => {
    expect(loadHardwareProfile(write('inv-as-prof.yaml', HOSTS)).diagnostics[0].code).toBe('kind-mismatch')
  })
})

describe('loadAnyFile', () => {
  it('dispatches on kind', () => {
    expect(loadAnyFile(write('any-prof.yaml', PROFILE))).toEqual({kind: 'HardwareProfile', diagnostics: []})
    expect(loadAnyFile(write('any-hosts.yaml', HOSTS))).toEqual({kind: 'HostInventory', diagnostics: []})
    expect(loadAnyFile(write('any-tpl.yaml', guestTemplate(SPEC)))).toEqual({kind: 'GuestTemplate', diagnostics: []})
  })

  it('an unknown kind is a kind-mismatch that names the kinds', () => {
    const r = loadAnyFile(write('any-x.yaml', 'apiVersion: hvguest/v1\nkind: Guest\n'))
    expect(r.kind).toBeUndefined()
    expect(r.diagnostics[0].message).toBe('kind is "Guest", expected one of GuestTemplate, HardwareProfile, HostInventory, Lab')
  })

  it('renders a template with its defaults and a placeholder host, so one that cannot render is caught', () => {
    const spec = [SPEC, '  processors: "{{cpu}}"', '  dvdDrives:', '    - iso: "{{host.isoRoot}}\\\\x.iso"', '  notes: "{{hots.name}}"'].join('\n')
    const r = loadAnyFile(write('any-render.yaml', guestTemplate(spec, '  cpu: { type: integer, default: 500 }')))
    expect(r.kind).toBe('GuestTemplate')
    // Both problems in one pass: the render error does not hide the schema error beside it.
    expect(r.diagnostics.map((d) => d.code)).toEqual(['template-undefined-variable', 'schema'])
    expect(r.diagnostics[0].message).toContain('did you mean "host.name"?')
    const r2 = loadAnyFile(write('any-render2.yaml', guestTemplate(spec.replace('hots', 'host'), '  cpu: { type: integer, default: 500 }')))
    expect(r2.diagnostics.map((d) => d.message)).toEqual(['spec.processors: expected an integer at most 240, got 500'])
  })

  it('a bad parameter default does not hide the spec\'s own errors, nor cascade into them', () => {
    const params = ['  size: { type: size, default: 40G }', '  cpu: { type: integer, default: 2 }', '  n: { type: integer, default: many }'].join('\n')
    const spec = [
      '  os: { family: linux, version: "22.04" }',
      '  bootDisk: { size: "{{size}}" }',
      '  dataDisks:',
      '    - { name: "d{{index}}", count: 2, size: 40 G }',
      '    - { name: e, size: "{{size}}" }',
      '    - { name: "f{{index}}", count: "{{n}}", size: 1GB }',
      '  processors: "{{cpu}}"',
      '  notes: "disk {{size}}"',
    ].join('\n')
    const file = write('any-bad-default.yaml', guestTemplate(spec, params))
    expect(loadGuestTemplate(file).template).toBeDefined()
    const r = loadAnyFile(file)
    // lines: 5 parameters, 6 size, 8 n, 9 spec, 13 the 40 G disk
    expect(r.diagnostics.map((d) => [d.code, d.source?.line, d.message.replace(/ is not a size.*/, ' is not a size')])).toEqual([
      ['parameter-invalid', 6, 'parameters.size.default: "40G" is not a size'],
      ['parameter-invalid', 8, 'parameters.n.default: expected an integer, got "many"'],
      ['schema', 13, 'spec.dataDisks[0].size: "40 G" is not a size'],
    ])
  })

  it('reports a Handlebars syntax error once (load and trial render find the same one)', () => {
    const r = loadAnyFile(write('any-hbs.yaml', guestTemplate([SPEC, '  notes: "before {{vlan"'].join('\n'))))
    expect(r.diagnostics.map((d) => [d.code, d.source?.line, d.source?.column])).toEqual([['template-syntax', 8, 20]])
  })

  it('a forgotten indent under bootDisk says so', () => {
    const spec = ['  os: { family: linux, version: "22.04" }', '  bootDisk:', '  parent: C:\\base.vhdx'].join('\n')
    const r = loadAnyFile(write('any-indent.yaml', guestTemplate(spec)))
    expect(r.diagnostics.map((d) => [d.source?.line, d.message])).toEqual([
      [7, 'spec.bootDisk: expected a mapping, got null (no value)'],
      [8, 'spec: unknown key "parent"; did you mean to indent it under "bootDisk"?'],
    ])
  })

  it('a folder is a file-not-found that says so', () => {
    const dir = dirname(write('any-dir-probe.yaml', 'a: 1\n'))
    const r = loadAnyFile(dir)
    expect(r.diagnostics).toEqual([
      {code: 'file-not-found', severity: 'error', message: `cannot read ${dir}: it is a folder, not a file`, source: {file: dir}},
    ])
  })

  it('does not render when a required parameter has no default', () => {
    const r = loadAnyFile(write('any-req.yaml', guestTemplate([SPEC, '  notes: "{{who}}"'].join('\n'), '  who: { type: string }')))
    expect(r).toEqual({kind: 'GuestTemplate', diagnostics: []})
  })
})

describe('the full example template (ubuntu-lab.yaml)', () => {
  const file = fileURLToPath(new URL('../../fixtures/templating/ubuntu-lab.yaml', import.meta.url))
  it('loads, validates and renders', () => {
    expect(loadAnyFile(file)).toEqual({kind: 'GuestTemplate', diagnostics: []})
    const t = loadGuestTemplate(file).template!
    const p = resolveParameters(t, {sets: ['vlan=20']})
    const host = {name: 'hv1', imageRoot: 'E:\\Images', isoRoot: 'E:\\ISO'}
    const r = renderGuestSpec(t, {...p.values, name: 'lab1', index: 1, host, profile: {name: 'generic-1g'}}, p.unset, 'lab1')
    expect(r.diagnostics).toEqual([])
    expect(r.spec?.bootDisk.parent).toBe('E:\\Images\\ubuntu-22.04.vhdx')
    expect(r.spec?.dataDisks?.map((d) => [d.name, d.size])).toEqual([
      ['data1', 50 * 1024 ** 3],
      ['data2', 50 * 1024 ** 3],
    ])
    expect(r.spec?.networkAdapters).toEqual([{switch: 'Lab', vlan: 20}])
  })
})
