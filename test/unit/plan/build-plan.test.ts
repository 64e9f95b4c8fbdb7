/**
 * The pipeline as a whole: which profile and host a guest gets, where its files go, and how
 * media from the integration and first-boot stages lines up with the template's own DVDs.
 */
import {describe, expect, it} from 'vitest'
import {planRun} from '../../../src/plan/build-plan.js'
import {codesOf, makeProject, planFixture} from '../../helpers/plan-fixture.js'

const slot = (d: {controller: {type: string; number: number; location: number}}) => `${d.controller.type} ${d.controller.number}:${d.controller.location}`

describe('profile in force', () => {
  const inventory = {hosts: [{name: 'hv1', os: 'windows-server-2022', profile: 'intel-10g'}]}

  it('is --profile first', () => {
    const r = planFixture({inventory, request: {profile: 'broadcom-10g'}})
    expect(r.plan.guests[0].profile).toBe('broadcom-10g')
  })
  it('then the host profile from the inventory', () => {
    expect(planFixture({inventory}).plan.guests[0].profile).toBe('intel-10g')
  })
  it('then generic-1g', () => {
    expect(planFixture({}).plan.guests[0].profile).toBe('generic-1g')
  })
  it('a project profile shadows a built-in of the same name', () => {
    const r = planFixture({profiles: {'intel-10g': {network: {jumboPacket: 4088}, capabilities: {jumboPacketValues: [1514, 4088]}}}, spec: {networkAdapters: [{switch: 'Lab'}]}, request: {profile: 'intel-10g'}})
    expect(r.plan.guests[0].networkAdapters[0].jumboPacket).toBe(4088)
  })
})

describe('hosts', () => {
  const inventory = {
    hosts: [
      {name: 'hv1', os: 'windows-server-2022', vmRoot: 'D:\\VMs'},
      {name: 'hv2', os: 'windows-server-2019', vmRoot: 'E:\\Hyper-V\\'},
    ],
  }

  it('spreads guests round-robin without --host, and keeps each host\'s roots', () => {
    const r = planFixture({inventory, request: {count: 3, name: 'g{{index}}'}})
    expect(r.plan.guests.map((g) => `${g.name}@${g.host}`)).toEqual(['g1@hv1', 'g2@hv2', 'g3@hv1'])
    expect(r.plan.guests[1].path).toBe('E:\\Hyper-V\\g2')
    expect(r.plan.guests[1].drives[0].path).toBe('E:\\Hyper-V\\g2\\g2-boot.vhdx')
    expect(r.plan.hosts.map((h) => h.os)).toEqual(['windows-server-2022', 'windows-server-2019'])
  })

  it('--host picks one host', () => {
    const r = planFixture({inventory, request: {count: 2, host: 'HV2'}})
    expect(new Set(r.plan.guests.map((g) => g.host))).toEqual(new Set(['hv2']))
  })

  it('host variables render into paths, backslashes kept', () => {
    const r = planFixture({inventory, spec: {bootDisk: {parent: '{{host.vmRoot}}\\{{name}}\\base.vhdx'}}, request: {host: 'hv1', name: 'web01'}})
    expect(r.plan.guests[0].drives[0].create).toMatchObject({type: 'Differencing', parentPath: 'D:\\VMs\\web01\\base.vhdx'})
  })
})

describe('media order on IDE (Gen1)', () => {
  it('IC media takes IDE 1:0, then the template DVDs 1:1 and 0:1', () => {
    const r = planFixture({
      spec: {os: {family: 'windows', version: '2012r2'}, integration: {install: 'attach-media'}, dvdDrives: [{iso: 'D:\\a.iso'}, {}]},
      request: {hostOs: 'windows-server-2012r2'},
    })
    expect(codesOf(r)).not.toContain('ide-slots-exhausted')
    const g = r.plan.guests[0]
    expect(g.drives.map((d) => `${slot(d)} ${d.role}`)).toEqual(['IDE 0:0 boot', 'IDE 1:0 integration-media', 'IDE 1:1 media', 'IDE 0:1 media'])
    expect(g.drives[1].path).toMatch(/vmguest\.iso$/i)
    expect(g.drives[3].path).toBeNull()
  })

  it('first-boot media comes after IC media and before template DVDs, and counts against IDE', () => {
    const r = planFixture({
      spec: {os: {family: 'windows', version: '2012r2'}, integration: {install: 'attach-media'}, firstBoot: {unattend: 'firstboot/unattend.xml.hbs'}, dvdDrives: [{iso: 'D:\\a.iso'}, {iso: 'D:\\b.iso'}]},
      request: {hostOs: 'windows-server-2012r2'},
    })
    expect(codesOf(r)).toContain('ide-slots-exhausted')
    const ok = planFixture({
      spec: {os: {family: 'windows', version: '2012r2'}, integration: {install: 'attach-media'}, firstBoot: {unattend: 'firstboot/unattend.xml.hbs'}, dvdDrives: [{iso: 'D:\\a.iso'}]},
      request: {hostOs: 'windows-server-2012r2'},
    })
    expect(ok.plan.guests[0].drives.map((d) => `${slot(d)} ${d.role}`)).toEqual(['IDE 0:0 boot', 'IDE 1:0 integration-media', 'IDE 1:1 firstboot-media', 'IDE 0:1 media'])
    expect(ok.plan.guests[0].firstBoot).toMatchObject({kind: 'unattend', label: 'UNATTEND'})
  })
})

describe('plan document', () => {
  it('has every guest field of the plan contract, with null for unset settings', () => {
    const g = planFixture({}).plan.guests[0]
    for (const k of ['name', 'host', 'template', 'profile', 'generation', 'processors', 'memory', 'drives', 'networkAdapters', 'chimney', 'integration', 'firstBoot', 'bootOrder', 'hostname', 'notes', 'firmware', 'floppy', 'nestedVirtualization', 'checkpoints', 'automaticStartAction', 'automaticStopAction', 'start']) {
      expect(g, k).toHaveProperty(k)
    }
    expect(g.notes).toBeNull()
    expect(Object.keys(g.memory).sort()).toEqual(['dynamic', 'maximumBytes', 'minimumBytes', 'startupBytes'])
    expect(Object.keys(g.drives[0].create!).sort()).toEqual(['blockSizeBytes', 'format', 'parentPath', 'sectorSizeBytes', 'sizeBytes', 'type'])
  })

  it('a template problem found in every guest is reported once', () => {
    const r = planFixture({spec: {processors: 'two'}, request: {count: 50}})
    expect(r.plan.diagnostics.filter((d) => d.code === 'schema')).toHaveLength(1)
  })

  it('reports every problem of a template in one run: syntax, undefined variable, unknown key, bad sizes', () => {
    const r = planFixture({
      raw: [
        'apiVersion: hvguest/v1',
        'kind: GuestTemplate',
        'metadata: {name: t1}',
        'spec:',
        '  os: {family: linux, distro: ubuntu, version: "22.04"}',
        '  prosessors: 2',
        '  memory: {startup: -1GB}',
        '  bootDisk: {size: 10XB}',
        '  dataDisks: [{name: d, size: "{{nosuch}}"}]',
        '  networkAdapters: [{switch: Lab, vlan: "{{#if}}"}]',
      ].join('\n'),
    })
    const got = r.plan.diagnostics.map((d) => `${d.source?.line}:${d.code}`)
    expect(got).toEqual(expect.arrayContaining(['6:schema', '7:schema', '8:schema', '9:template-undefined-variable', '10:template-syntax']))
    // No echo of the failed scalars as "required" or refine errors.
    expect(r.plan.diagnostics.filter((d) => d.source?.line === 9 || d.source?.line === 10)).toHaveLength(2)
    expect(r.plan.guests).toHaveLength(0)
  })

  it('plans several templates in one run', () => {
    const cwd = makeProject({})
    const r = planRun({templates: ['t1', 'debian-12'], cwd})
    expect(r.plan.guests.map((g) => g.template)).toEqual(['t1', 'debian-12'])
  })

  it('--strict turns warnings into errors', () => {
    const req = {spec: {os: {family: 'windows', version: '2008r2'}, networkAdapters: [{switch: 'Lab'}]}, request: {profile: 'intel-10g'}}
    const lax = planFixture(req)
    expect(lax.plan.summary.warnings).toBeGreaterThan(0)
    const strict = planFixture({...req, request: {...req.request, strict: true}})
    expect(strict.plan.summary.warnings).toBe(0)
    expect(strict.plan.summary.errors).toBe(lax.plan.summary.errors + lax.plan.summary.warnings)
  })
})

describe('review findings', () => {
  const twoHosts = {hosts: [{name: 'hv1', os: 'windows-server-2022'}, {name: 'hv2', os: 'windows-server-2008r2', profile: 'intel-10g'}]}

  it('plans no host settings for a host that gets no guest', () => {
    const r = planFixture({inventory: twoHosts, spec: {networkAdapters: [{switch: 'Lab'}]}})
    expect(r.plan.hosts.map((h) => h.name)).toEqual(['hv1'])
    expect(r.plan.diagnostics.filter((d) => d.host === 'hv2')).toEqual([])
  })

  it('every diagnostic has guest and host, null when they do not apply', () => {
    const r = planFixture({spec: {processors: 65}, request: {templates: ['t1', 'nosuch']}})
    for (const d of r.plan.diagnostics) {
      expect(d).toHaveProperty('guest')
      expect(d).toHaveProperty('host')
    }
    expect(r.plan.diagnostics.find((d) => d.code === 'template-not-found')).toMatchObject({guest: null, host: null})
    expect(r.plan.diagnostics.find((d) => d.code === 'processors-exceed-generation')).toMatchObject({guest: 't1', host: 'localhost'})
  })

  it('says when --host-os does not apply because the inventory gives the host OS', () => {
    const r = planFixture({inventory: {hosts: [{name: 'hv1', os: 'windows-server-2022'}]}, request: {hostOs: 'windows-server-2008r2'}})
    expect(r.plan.hosts[0].os).toBe('windows-server-2022')
    expect(r.plan.diagnostics.find((d) => d.code === 'host-os-assumed')?.message).toMatch(/--host-os windows-server-2008r2 applies only/)
  })

  it('a --set key that one template of the run declares is not unknown to the others', () => {
    const cwd = makeProject({parameters: {cpu: {type: 'integer', default: 2}}, spec: {processors: '{{cpu}}'}})
    const r = planRun({templates: ['t1', 'debian-12'], sets: ['cpu=4'], cwd})
    expect(r.plan.diagnostics.filter((d) => d.code === 'parameter-unknown')).toEqual([])
    expect(r.plan.guests[0].processors).toBe(4)
    const bad = planRun({templates: ['t1', 'debian-12'], sets: ['nosuch=4'], cwd})
    expect(bad.plan.diagnostics.filter((d) => d.code === 'parameter-unknown')).toHaveLength(1)
  })

  it('compares cluster names without regard to case', () => {
    const r = planFixture({
      spec: {networkAdapters: [{switch: 'Lab'}]},
      inventory: {hosts: [{name: 'n1', os: 'windows-server-2022', cluster: 'CL1', switches: ['Lab']}, {name: 'n2', os: 'windows-server-2022', cluster: 'cl1', switches: ['Prod']}]},
      request: {host: 'n1'},
    })
    expect(r.plan.diagnostics.find((d) => d.code === 'switch-name-mismatch')?.message).toContain('n2')
  })

  it('checks the size of a disk that got no slot, at its own line', () => {
    const r = planFixture({
      spec: {
        dataDisks: [
          {name: 'a', size: '3000GB', format: 'vhd', controller: {type: 'scsi', number: 0, location: 64}},
          {name: 'b', size: '1GB'},
        ],
      },
    })
    const d = r.plan.diagnostics.find((x) => x.code === 'disk-size-exceeds-format')
    expect(d?.message).toContain('"a"')
    expect(d?.source?.path).toBe('spec.dataDisks[0].size')
  })

  it('validates spec.hostname as the computer name, and not the VM name against NetBIOS', () => {
    const bad = planFixture({spec: {os: {family: 'windows', version: '2022'}, hostname: 'this_is not-valid-and-far-too-long'}, request: {name: 'web-frontend-server-01'}})
    const names = bad.plan.diagnostics.filter((d) => d.code === 'name-invalid')
    expect(names.length).toBeGreaterThan(0)
    expect(names.every((d) => d.message.startsWith('hostname:'))).toBe(true)
    const ok = planFixture({spec: {os: {family: 'windows', version: '2022'}, hostname: 'web01'}, request: {name: 'web-frontend-server-01'}})
    expect(codesOf(ok)).not.toContain('name-invalid')
  })
})

describe('guest-side chimney', () => {
  it('is the profile value for a Windows guest on a 2008 R2 host, and null elsewhere', () => {
    const win = {os: {family: 'windows', version: '2008r2'}, bootDisk: {size: '40GB', format: 'vhd'}, networkAdapters: [{switch: 'Lab'}]}
    expect(planFixture({spec: win, request: {profile: 'intel-10g', hostOs: 'windows-server-2008r2'}}).plan.guests[0].chimney).toBe('enabled')
    expect(planFixture({spec: win, request: {profile: 'intel-10g', hostOs: 'windows-server-2012r2'}}).plan.guests[0].chimney).toBeNull()
    expect(planFixture({spec: {networkAdapters: [{switch: 'Lab'}]}, request: {profile: 'intel-10g', hostOs: 'windows-server-2008r2'}}).plan.guests[0].chimney).toBeNull()
  })
})

describe('domain controller guidance', () => {
  const dc = (over: Record<string, unknown>) => ({
    os: {family: 'windows', version: '2022'},
    roles: ['domain-controller'],
    bootDisk: {size: '60GB', type: 'fixed'},
    dataDisks: [{name: 'ntds', size: '20GB', type: 'fixed'}],
    integration: {services: {timeSynchronization: false}},
    checkpoints: 'disabled',
    ...over,
  })
  const dcMessages = (over: Record<string, unknown>) =>
    planFixture({spec: dc(over)})
      .plan.diagnostics.filter((d) => d.code === 'dc-guidance')
      .map((d) => d.message)

  it('is silent for a DC done right', () => expect(dcMessages({})).toEqual([]))
  it('asks for an NTDS disk when there is none', () => expect(dcMessages({dataDisks: []})).toEqual([expect.stringMatching(/add a dataDisks entry/)]))
  it('names the data disk that sits on IDE', () =>
    expect(dcMessages({dataDisks: [{name: 'ntds', size: '20GB', type: 'fixed', controller: {type: 'ide', number: 0, location: 1}}]})).toEqual([
      expect.stringMatching(/"ntds" \(IDE 0:1\) is not on SCSI/),
    ]))
  it('flags dynamic and differencing disks', () => {
    const m = dcMessages({bootDisk: {parent: 'D:\\base.vhdx'}, dataDisks: [{name: 'ntds', size: '20GB'}]})
    expect(m).toEqual([expect.stringMatching(/boot disk is a differencing disk/), expect.stringMatching(/"ntds" is a dynamic disk/)])
  })
  it('asks for time synchronization off', () => expect(dcMessages({integration: {}})).toEqual([expect.stringMatching(/Time Synchronization/)]))
})
