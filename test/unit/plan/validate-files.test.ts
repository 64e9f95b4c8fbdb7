/**
 * `validate` checks a file on its own: for a template that includes the plan findings that do
 * not depend on a host, and for an inventory that its profile names resolve.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {validateFiles} from '../../../src/plan/validate-files.js'
import {BASE_SPEC, makeProject} from '../../helpers/plan-fixture.js'

const template = (spec: Record<string, unknown>, name = 't1') =>
  stringify({apiVersion: 'hvguest/v1', kind: 'GuestTemplate', metadata: {name}, spec: {...BASE_SPEC, ...spec}})

function check(files: Record<string, string>) {
  const cwd = makeProject({files})
  return validateFiles(Object.keys(files), {strict: false, cwd})
}

describe('validate', () => {
  it('finds layout and disk errors in a template, not only schema errors', () => {
    const r = check({
      'bad.yaml': template({dvdDrives: [{}, {}, {}, {}], dataDisks: [{name: 'a', size: '1GB', controller: {type: 'scsi', number: 0, location: 64}}]}),
    })
    expect(r.status).toBe('invalid')
    const codes = r.files[0].diagnostics.map((d) => d.code)
    expect(codes).toEqual(expect.arrayContaining(['ide-slots-exhausted', 'scsi-location-out-of-range']))
  })

  it('leaves host-dependent findings to plan', () => {
    // Jumbo on a Linux guest depends on the host OS: not a template error.
    const r = check({'ok.yaml': template({networkAdapters: [{switch: 'Lab', jumboPacket: 9014}]})})
    expect(r.files[0].diagnostics.map((d) => d.code)).not.toContain('jumbo-linux-host-too-old')
  })

  it('warns, at metadata.name, when the default guest name cannot be a Windows computer name', () => {
    const r = check({'long.yaml': template({os: {family: 'windows', version: '2022'}}, 'longname-web-server')})
    expect(r.status).toBe('ok')
    const d = r.files[0].diagnostics.find((x) => x.code === 'name-invalid')
    expect(d).toMatchObject({severity: 'warning', source: {line: 4}})
    expect(d?.message).toContain('--name')
  })

  it('checks that an inventory names profiles that exist, at their line', () => {
    const inv = stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [{name: 'hv1', os: 'windows-server-2022', profile: 'intel10g'}]})
    const r = check({'hosts.yaml': inv})
    expect(r.status).toBe('invalid')
    expect(r.files[0].diagnostics[0]).toMatchObject({code: 'profile-not-found', source: {line: 6}})
    expect(r.files[0].diagnostics[0].message).toContain('intel-10g')
  })
})
