/**
 * What the host's OS decides at plan time: the format of a disk that names
 * none, and the template settings an older host cannot take, each an error at the line that
 * wrote it. A profile default that cannot apply stays a warning (docs/plan-checks.md).
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {planRun} from '../../../src/plan/build-plan.js'
import type {PlanDiagnostic} from '../../../src/model/plan.js'
import {defaultDiskFormat} from '../../../src/resolve/drives.js'
import {HOST_OS, type HostOs} from '../../../src/model/host-os.js'
import {makeProject, planFixture, type Fixture} from '../../helpers/plan-fixture.js'

const win = (version: string) => ({family: 'windows', version})

/** The diagnostic of `code`, and the text of the template line it points at. */
function finding(f: Fixture, code: string): {d: PlanDiagnostic; line: string} {
  const cwd = makeProject(f)
  const r = planRun({templates: ['t1'], cwd, ...f.request})
  const d = r.plan.diagnostics.find((x) => x.code === code)
  expect(d, JSON.stringify(r.plan.diagnostics, null, 1)).toBeDefined()
  expect(d!.source?.line, JSON.stringify(d)).toBeGreaterThan(0)
  const text = readFileSync(join(cwd, 'templates', 't1.yaml'), 'utf8').split('\n')
  return {d: d!, line: text[d!.source!.line! - 1].trim()}
}

const errorsOf = (f: Fixture) => planFixture(f).plan.diagnostics.filter((d) => d.severity === 'error')

describe('a disk with no format gets what the host can use', () => {
  it.each(HOST_OS.map((os) => [os, os === 'windows-server-2008' || os === 'windows-server-2008r2' ? 'vhd' : 'vhdx'] as const))('%s: %s', (os, format) => {
    expect(defaultDiskFormat(os)).toBe(format)
    const r = planFixture({spec: {os: win('2008r2'), bootDisk: {size: '40GB'}, dataDisks: [{name: 'data1', size: '10GB'}]}, request: {hostOs: os}})
    const disks = r.plan.guests[0].drives.filter((d) => d.kind === 'hdd')
    expect(disks.map((d) => d.create?.format)).toEqual([format, format])
    expect(disks.map((d) => d.path!.split('.').pop())).toEqual([format, format])
  })

  it('a 2008 R2 plan of a template that names no format is not an error', () => {
    expect(errorsOf({spec: {os: win('2008r2'), bootDisk: {size: '40GB'}, dataDisks: [{name: 'd', size: '100GB', type: 'fixed'}]}, request: {hostOs: 'windows-server-2008r2'}})).toEqual([])
  })

  it('an explicit vhdx on 2008 R2 is an error at its format line', () => {
    const {d, line} = finding({spec: {os: win('2008r2'), bootDisk: {size: '40GB'}, dataDisks: [{name: 'd', size: '10GB', format: 'vhdx'}]}, request: {hostOs: 'windows-server-2008r2'}}, 'vhdx-unsupported-host')
    expect(d.severity).toBe('error')
    expect(line).toBe('format: vhdx')
    expect(d.message).toContain('data disk "d"')
  })

  it('a differencing disk keeps its parent\'s format: a .vhdx parent on 2008 R2 is an error at the disk', () => {
    const r = planFixture({spec: {os: win('2008r2'), bootDisk: {parent: 'E:\\img\\base.vhdx'}}, request: {hostOs: 'windows-server-2008r2'}})
    expect(r.plan.guests[0].drives[0].create?.format).toBe('vhdx')
    const d = r.plan.diagnostics.find((x) => x.code === 'vhdx-unsupported-host')!
    expect(d.message).toContain('E:\\img\\base.vhdx')
    const vhdParent = planFixture({spec: {os: win('2008r2'), bootDisk: {parent: 'E:\\img\\base.vhd'}}, request: {hostOs: 'windows-server-2008r2'}})
    expect(vhdParent.plan.diagnostics.map((x) => x.code)).not.toContain('vhdx-unsupported-host')
  })

  it('the built-in ws2008r2 template plans on a 2008 R2 host without errors', () => {
    const r = planRun({templates: ['ws2008r2'], hostOs: 'windows-server-2008r2', cwd: makeProject({})})
    expect(r.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  })
})

describe('settings the host OS cannot take, written in the template, are errors at their line', () => {
  it.each(['windows-server-2008r2', 'windows-server-2012'] as HostOs[])('generation: 2 on %s: generation-unsupported-host', (hostOs) => {
    const {d, line} = finding({spec: {generation: 2}, request: {hostOs}}, 'generation-unsupported-host')
    expect(d.severity).toBe('error')
    expect(line).toBe('generation: 2')
  })

  it.each(['production', 'productionOnly', 'disabled'])('checkpoints: %s on 2012 and 2012 R2', (checkpoints) => {
    for (const hostOs of ['windows-server-2012', 'windows-server-2012r2'] as HostOs[]) {
      const {d, line} = finding({spec: {checkpoints}, request: {hostOs}}, 'checkpoints-unsupported-host')
      expect(d.severity).toBe('error')
      expect(line).toBe(`checkpoints: ${checkpoints}`)
    }
    for (const hostOs of ['windows-server-2016', 'windows-10', 'windows-server-2025'] as HostOs[]) {
      expect(planFixture({spec: {checkpoints}, request: {hostOs}}).plan.diagnostics.map((x) => x.code)).not.toContain('checkpoints-unsupported-host')
    }
  })

  it('checkpoints: standard is what 2012 R2 does anyway: no error', () => {
    expect(errorsOf({spec: {checkpoints: 'standard'}, request: {hostOs: 'windows-server-2012r2'}})).toEqual([])
  })

  it('a Gen2 Secure Boot template on 2012 R2 is an error at its line; Gen2 itself is fine there', () => {
    const {d, line} = finding({spec: {generation: 2, firmware: {secureBoot: 'on', secureBootTemplate: 'MicrosoftUEFICertificateAuthority'}}, request: {hostOs: 'windows-server-2012r2'}}, 'secure-boot-template-unsupported-host')
    expect(d.severity).toBe('error')
    expect(line).toBe('secureBootTemplate: MicrosoftUEFICertificateAuthority')
    expect(errorsOf({spec: {generation: 2, firmware: {secureBoot: 'on'}}, request: {hostOs: 'windows-server-2012r2'}})).toEqual([])
  })

  it('nested virtualization before 2016 is an error at its line', () => {
    const {d, line} = finding({spec: {nestedVirtualization: true, memory: {startup: '4GB'}}, request: {hostOs: 'windows-server-2012r2'}}, 'nested-virt-unsupported-host')
    expect(d.severity).toBe('error')
    expect(line).toBe('nestedVirtualization: true')
  })

  it('a domain controller on 2012 R2 is not told to set checkpoints: disabled, which that host cannot take', () => {
    const dc = {
      os: win('2012r2'),
      roles: ['domain-controller'],
      bootDisk: {size: '60GB', type: 'fixed'},
      dataDisks: [{name: 'ntds', size: '20GB', type: 'fixed'}],
      integration: {services: {timeSynchronization: false}},
    }
    const r = planFixture({spec: dc, request: {hostOs: 'windows-server-2012r2'}})
    expect(r.plan.diagnostics.map((d) => d.code)).toEqual([])
    const asked = planFixture({spec: {...dc, checkpoints: 'standard'}, request: {hostOs: 'windows-server-2012r2'}})
    expect(asked.plan.diagnostics.map((d) => [d.code, d.severity])).toEqual([['dc-guidance', 'warning']])
  })

  it('a profile default that cannot apply stays a warning (jumbo frames for Linux on 2012)', () => {
    const r = planFixture({
      profiles: {jumbo: {network: {jumboPacket: 9014}, capabilities: {jumboPacketValues: [1514, 9014]}}},
      spec: {networkAdapters: [{switch: 'Lab'}]},
      request: {hostOs: 'windows-server-2012', profile: 'jumbo'},
    })
    const d = r.plan.diagnostics.find((x) => x.code === 'jumbo-linux-host-too-old')
    expect(d?.severity).toBe('warning')
    expect(r.plan.summary.errors).toBe(0)
  })
})
