import {describe, expect, it} from 'vitest'
import type {LoadedTemplate} from '../../../src/load/loaded-template.js'
import {loadGuestTemplate} from '../../../src/render/template-file.js'
import {checkParameterValue, resolveParameters} from '../../../src/load/parameters.js'
import {guestTemplate, tempDir} from '../render/_temp.js'

const write = tempDir()

// Parameter lines start at line 6 (line 5 is `parameters:`).
const PARAMS = [
  '  cpu: { type: integer, default: 2, minimum: 1, maximum: 16 }',
  '  disk: { type: size, default: 50GB, minimum: 10GB, maximum: 2TB }',
  '  env: { type: string, allowed: [dev, test, prod] }',
  '  domain: { type: string, pattern: "[a-z]+(\\\\.[a-z]+)*", default: lab.local }',
  '  dc: { type: boolean, default: false }',
  '  vlan: { type: integer, required: false }',
  '  owner: { type: string }',
].join('\n')
const SPEC = ['  os: { family: linux, version: "22.04" }', '  bootDisk: { size: 40GB }'].join('\n')

function template(): LoadedTemplate {
  const r = loadGuestTemplate(write('p.yaml', guestTemplate(SPEC, PARAMS)))
  expect(r.diagnostics).toEqual([])
  return r.template!
}
const t = template()
const ok = ['env=dev', 'owner=me']

describe('resolveParameters', () => {
  it('types --set values and fills defaults; optional ones without a value are unset', () => {
    const r = resolveParameters(t, {sets: [...ok, 'cpu=4', 'dc=true', 'disk=100GB']})
    expect(r.diagnostics).toEqual([])
    expect(r.values).toEqual({cpu: 4, disk: '100GB', env: 'dev', domain: 'lab.local', dc: true, owner: 'me'})
    expect([...r.unset]).toEqual(['vlan'])
  })

  it('takes everything after the first "=" verbatim', () => {
    const value = ' a=b\nkey: value # x "q" '
    expect(resolveParameters(t, {sets: ['env=dev', `owner=${value}`]}).values.owner).toBe(value)
  })

  it('reports every missing, unknown and invalid parameter at once', () => {
    const r = resolveParameters(t, {sets: ['cpus=4', 'cpu=two', 'disk=10XB', 'dc=yes', 'env=prd', 'nothing']})
    const byCode = (code: string) => r.diagnostics.filter((d) => d.code === code).map((d) => d.message)
    expect(byCode('parameter-unknown')).toEqual(['--set cpus: the template has no parameter "cpus" (did you mean "cpu"?)'])
    expect(byCode('parameter-invalid')).toEqual([
      '--set cpu: expected an integer, got "two"',
      expect.stringMatching(/^--set disk: "10XB" is not a size/),
      '--set dc: expected true or false, got "yes"',
      '--set env: "prd" is not one of "dev", "test", "prod" (did you mean "prod"?)',
      '--set "nothing": expected NAME=VALUE',
    ])
    // env was given (invalid), so only owner is missing; it points at its declaration
    expect(byCode('parameter-missing')).toEqual([expect.stringMatching(/^parameter "owner" is required/)])
    expect(r.diagnostics.find((d) => d.code === 'parameter-missing')?.source).toMatchObject({line: 12, column: 3})
  })

  it('checks minimum and maximum, sizes in bytes', () => {
    const msgs = (sets: string[]) => resolveParameters(t, {sets: [...ok, ...sets]}).diagnostics.map((d) => d.message)
    expect(msgs(['cpu=0'])).toEqual(['--set cpu: 0 is below the minimum 1'])
    expect(msgs(['cpu=17'])).toEqual(['--set cpu: 17 is above the maximum 16'])
    expect(msgs(['disk=10239MB'])).toEqual(['--set disk: "10239MB" is below the minimum "10GB"'])
    expect(msgs(['disk=2048GB'])).toEqual([])
    expect(msgs(['disk=2049GB'])).toEqual(['--set disk: "2049GB" is above the maximum "2TB"'])
    expect(msgs(['disk=-1GB'])[0]).toMatch(/"-1GB" is not a size/)
  })

  it('a bare number for a size is bytes: a small one gets a hint', () => {
    const msgs = (sets: string[]) => resolveParameters(t, {sets: [...ok, ...sets]}).diagnostics.map((d) => d.message)
    expect(msgs(['disk=4096'])).toEqual(['--set disk: "4096" is below the minimum "10GB" (a bare number is bytes; did you mean 4096MB?)'])
    // a byte count that is plainly bytes, or a number with a unit, gets no hint
    expect(msgs(['disk=2000000'])).toEqual(['--set disk: "2000000" is below the minimum "10GB"'])
    expect(msgs(['disk=512KB'])).toEqual(['--set disk: "512KB" is below the minimum "10GB"'])
  })

  it('a default that does not fit its parameter is an error when it is used (and only then)', () => {
    const params = ['  size: { type: size, default: 40G }', '  cpu: { type: integer, default: 2 }'].join('\n')
    const loaded = loadGuestTemplate(write('bad-default.yaml', guestTemplate(SPEC, params)))
    const template = loaded.template!
    expect(template).toBeDefined()
    const used = resolveParameters(template, {})
    // the very diagnostic the load reported (so a run that shows both shows it once)
    expect(used.diagnostics).toEqual(loaded.diagnostics)
    expect(used.values).toEqual({cpu: 2})
    expect([...used.invalid]).toEqual(['size'])
    const given = resolveParameters(template, {sets: ['size=40GB']})
    expect(given.diagnostics).toEqual([])
    expect(given.values).toEqual({size: '40GB', cpu: 2})
  })

  it('matches a pattern against the whole value', () => {
    expect(resolveParameters(t, {sets: [...ok, 'domain=corp.example']}).diagnostics).toEqual([])
    expect(resolveParameters(t, {sets: [...ok, 'domain=Corp!']}).diagnostics[0].message).toMatch(/does not match the pattern/)
  })

  it('integer accepts -?\\d+ only; boolean true/false only', () => {
    expect(resolveParameters(t, {sets: [...ok, 'vlan=-3']}).values.vlan).toBe(-3)
    expect(resolveParameters(t, {sets: [...ok, 'vlan=1e3']}).diagnostics).toHaveLength(1)
    expect(resolveParameters(t, {sets: [...ok, 'vlan= 3']}).diagnostics).toHaveLength(1)
    expect(resolveParameters(t, {sets: [...ok, 'dc=True']}).diagnostics).toHaveLength(1)
  })

  it('reads --values with its own locations; --set wins', () => {
    const file = write('values.yaml', ['env: test', 'cpu: 8', 'owner: 42', 'disk: huge', 'cpuu: 1', 'domain: [a]', ''].join('\n'))
    const r = resolveParameters(t, {valuesFile: file, sets: ['cpu=3']})
    expect(r.values).toMatchObject({env: 'test', cpu: 3, owner: '42'})
    expect(r.diagnostics.map((d) => [d.code, d.source?.line, d.source?.column])).toEqual([
      ['parameter-invalid', 4, 7],
      ['parameter-unknown', 5, 1],
      ['parameter-invalid', 6, 1],
    ])
    expect(r.diagnostics[0].source?.file).toBe(file)
    expect(r.diagnostics[1].message).toBe('the template has no parameter "cpuu" (did you mean "cpu"?)')
  })

  it('a missing or broken values file is reported', () => {
    expect(resolveParameters(t, {valuesFile: '/nonexistent/v.yaml', sets: ok}).diagnostics[0].code).toBe('file-not-found')
    const bad = write('bad-values.yaml', 'env: [dev\n')
    expect(resolveParameters(t, {valuesFile: bad, sets: ok}).diagnostics[0].code).toBe('yaml-syntax')
    const list = write('list-values.yaml', '- a\n')
    expect(resolveParameters(t, {valuesFile: list, sets: ok}).diagnostics[0]).toMatchObject({code: 'parameter-invalid'})
  })
})

describe('checkParameterValue', () => {
  it('keeps a size as written', () => {
    expect(checkParameterValue({type: 'size'}, '1TB', true)).toEqual({ok: true, value: '1TB'})
  })
  it('compares size allowed values in bytes', () => {
    expect(checkParameterValue({type: 'size', allowed: ['1GB', '2GB']}, '1024MB', true).ok).toBe(true)
  })
  it('does not coerce non-text values', () => {
    expect(checkParameterValue({type: 'integer'}, '4', false).ok).toBe(false)
  })
})
