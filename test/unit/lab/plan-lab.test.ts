import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {stringify} from 'yaml'
import {describe, expect, it} from 'vitest'
import {planLab, staticMac} from '../../../src/lab/plan-lab.js'
import {validateAllFiles} from '../../../src/lab/validate-lab.js'
import {loadLab} from '../../../src/load/load-files.js'
import {LAN, labCodesOf, labFixture, onLan} from '../../helpers/lab-fixture.js'
import {BASE_SPEC, makeProject} from '../../helpers/plan-fixture.js'

const guest = (name: string, extra: Record<string, unknown> = {}) => ({name, template: 't1', ...extra})
const errorsOf = (r: ReturnType<typeof labFixture>) => r.labPlan.plan.diagnostics.filter((d) => d.severity === 'error')

describe('loading a lab file', () => {
  it('reports a schema error at its line and column, with a did-you-mean', () => {
    const cwd = makeProject({})
    const file = join(cwd, 'lab.yaml')
    writeFileSync(file, ['apiVersion: hvguest/v1', 'kind: Lab', 'metadata: {name: l}', 'spec:', '  networks:', '    - name: lan', '      type: internal', '      subent: 10.0.0.0/24', '  guests: [{name: a, template: t1}]', ''].join('\n'))
    const r = loadLab(file)
    expect(r.lab).toBeUndefined()
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'schema', source: {file, line: 8, column: 7}})
    expect(r.diagnostics[0].message).toMatch(/subnet/)
  })

  it('refuses what the schema says a network type cannot have, at the key', () => {
    const r = labFixture({lab: {networks: [{name: 'up', type: 'external'}, {name: 'p', type: 'private', gateway: '10.0.0.1', subnet: '10.0.0.0/24'}]}})
    const ds = errorsOf(r)
    expect(ds.map((d) => [d.code, d.source?.path])).toEqual([
      ['schema', 'spec.networks[0].adapter'],
      ['schema', 'spec.networks[1].gateway'],
    ])
    expect(ds[0].message).toMatch(/adapter/)
    expect(ds.every((d) => (d.source?.line ?? 0) > 0)).toBe(true)
    expect(r.labPlan.guests).toEqual([])
  })

  it('a lab file that is not a lab is kind-mismatch, and the LabPlan is still a LabPlan', () => {
    const r = labFixture({raw: 'apiVersion: hvguest/v1\nkind: HostInventory\nhosts: [{name: hv1}]\n'})
    expect(labCodesOf(r)).toEqual(['kind-mismatch'])
    expect(r.labPlan).toMatchObject({kind: 'LabPlan', networks: [], guests: []})
    expect(r.labPlan.plan.summary.errors).toBe(1)
  })
})

describe('guests, names and addresses', () => {
  const lab = {
    prefix: 'corp-',
    networks: [{...LAN, nat: true, dns: ['10.200.1.10']}, {name: 'Default Switch', type: 'existing'}],
    guests: [guest('web{{index}}', {count: 3, networks: [onLan('10.200.1.20/24'), {network: 'Default Switch'}]})],
  }

  it('count with {{index}} names the guests; the address grows by one per guest; the prefix names VMs and the switches the lab creates', () => {
    const r = labFixture({lab})
    expect(errorsOf(r)).toEqual([])
    expect(r.labPlan.guests.map((g) => g.name)).toEqual(['corp-web1', 'corp-web2', 'corp-web3'])
    expect(r.labPlan.guests.map((g) => g.adapters[0].address)).toEqual(['10.200.1.20/24', '10.200.1.21/24', '10.200.1.22/24'])
    expect(r.labPlan.guests[0].adapters.map((a) => a.switch)).toEqual(['corp-lan', 'Default Switch'])
    expect(r.labPlan.networks.map((n) => [n.switch, n.gateway, n.natName, n.dhcp])).toEqual([
      ['corp-lan', '10.200.1.1', 'corp-lan', false],
      ['Default Switch', null, null, null],
    ])
    // gateway and DNS from the network; the DHCP adapter has none
    expect(r.labPlan.guests[1].adapters[0]).toMatchObject({gateway: '10.200.1.1', dns: ['10.200.1.10']})
    expect(r.labPlan.guests[1].adapters[1]).toMatchObject({address: null, gateway: null, dns: []})
    expect(r.labPlan.plan.guests.map((g) => g.name)).toEqual(['corp-web1', 'corp-web2', 'corp-web3'])
  })

  it('the adapters reach the plan: switch, static MAC and address, with the template adapter at the same position lending its settings', () => {
    const r = labFixture({
      lab,
      project: {spec: {networkAdapters: [{switch: 'Lab', vlan: 20, jumboPacket: 9014}]}, profiles: {}},
    })
    const planned = r.labPlan.plan.guests[0].networkAdapters
    const labAdapters = r.labPlan.guests[0].adapters
    expect(planned).toHaveLength(2)
    expect(planned[0]).toMatchObject({switch: 'corp-lan', vlan: 20, macAddress: labAdapters[0].macAddress, ipConfig: {addresses: ['10.200.1.20/24'], gateway: '10.200.1.1', dns: ['10.200.1.10']}})
    expect(planned[1]).toMatchObject({switch: 'Default Switch', vlan: null, macAddress: labAdapters[1].macAddress, ipConfig: null})
  })

  it('an adapter with its own gateway and DNS keeps them', () => {
    const r = labFixture({lab: {networks: [LAN], guests: [guest('a', {networks: [onLan('10.200.1.10/24', {gateway: '10.200.1.254', dns: ['127.0.0.1']})]})]}})
    expect(r.labPlan.guests[0].adapters[0]).toMatchObject({gateway: '10.200.1.254', dns: ['127.0.0.1']})
  })

  it('a count that runs past the subnet is lab-address-invalid at the address, for the guests past it only', () => {
    const r = labFixture({lab: {networks: [{...LAN, subnet: '10.200.1.0/29'}], guests: [guest('w{{index}}', {count: 4, networks: [onLan('10.200.1.4/29')]})]}})
    const ds = errorsOf(r)
    expect(ds.map((d) => [d.code, d.guest])).toEqual([
      ['lab-address-invalid', 'w4'],
    ])
    expect(ds[0].message).toMatch(/10\.200\.1\.7\/29.*broadcast/)
    const past = labFixture({lab: {networks: [{...LAN, subnet: '10.200.1.0/29'}], guests: [guest('w{{index}}', {count: 6, networks: [onLan('10.200.1.4/29')]})]}})
    expect(errorsOf(past).map((d) => d.guest)).toEqual(['w4', 'w5', 'w6'])
    expect(errorsOf(past)[1].message).toMatch(/outside the subnet 10\.200\.1\.0\/29: the count runs past the subnet/)
    expect(errorsOf(past)[1].source).toMatchObject({path: 'spec.guests[0].networks[0].address', line: expect.any(Number), column: expect.any(Number)})
  })

  it('an address on the gateway, the network address, another prefix length or outside the subnet is lab-address-invalid', () => {
    for (const [address, why] of [
      ['10.200.1.1/24', /gateway/],
      ['10.200.1.0/24', /network address/],
      ['10.200.1.10/16', /prefix length/],
      ['10.200.2.10/24', /outside/],
    ] as const) {
      const r = labFixture({lab: {networks: [LAN], guests: [guest('a', {networks: [onLan(address)]})]}})
      expect(labCodesOf(r), address).toEqual(['lab-address-invalid'])
      expect(r.labPlan.plan.diagnostics[0].message).toMatch(why)
    }
  })
})

describe('static MACs', () => {
  const lab = {networks: [LAN, {name: 'b', type: 'private'}], guests: [guest('w{{index}}', {count: 5, networks: [onLan('10.200.1.10/24'), {network: 'b'}]})]}

  it('are 00155D and 3 bytes, the same on every plan of the lab, and unique within it', () => {
    const first = labFixture({lab}).labPlan.guests.flatMap((g) => g.adapters.map((a) => a.macAddress))
    const again = labFixture({lab}).labPlan.guests.flatMap((g) => g.adapters.map((a) => a.macAddress))
    expect(first).toHaveLength(10)
    expect(first.every((m) => /^00155D[0-9A-F]{6}$/.test(m))).toBe(true)
    expect(again).toEqual(first)
    expect(new Set(first).size).toBe(10)
  })

  it('depend on the lab name, the guest name and the position', () => {
    const used = () => new Set<string>()
    const base = staticMac('corp', 'dc1', 0, used())
    expect(staticMac('corp', 'dc1', 0, used())).toBe(base)
    expect(staticMac('corp2', 'dc1', 0, used())).not.toBe(base)
    expect(staticMac('corp', 'dc2', 0, used())).not.toBe(base)
    expect(staticMac('corp', 'dc1', 1, used())).not.toBe(base)
  })

  it('a value already given moves to the next free one', () => {
    const base = staticMac('corp', 'dc1', 0, new Set())
    const next = (mac: string) => '00155D' + ((parseInt(mac.slice(6), 16) + 1) % 0x1000000).toString(16).toUpperCase().padStart(6, '0')
    const taken = new Set([base, next(base)])
    expect(staticMac('corp', 'dc1', 0, taken)).toBe(next(next(base)))
    expect(taken.has(next(next(base)))).toBe(true)
  })
})

describe('dependsOn', () => {
  it('orders guests dependencies first, otherwise in file order', () => {
    const r = labFixture({lab: {guests: [guest('c', {dependsOn: ['b']}), guest('b', {dependsOn: ['a']}), guest('a'), guest('d')]}})
    expect(errorsOf(r)).toEqual([])
    expect(r.labPlan.guests.map((g) => [g.name, g.dependsOn])).toEqual([
      ['a', []],
      ['b', ['a']],
      ['c', ['b']],
      ['d', []],
    ])
    expect(r.labPlan.plan.guests.map((g) => g.name)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('an invalid or duplicate guest name is reported at its name in the lab file', () => {
    const invalid = labFixture({lab: {guests: [guest('g1'), guest('web_{{index}}')]}})
    expect(invalid.labPlan.plan.diagnostics.map((d) => [d.code, d.source?.path])).toEqual([['name-invalid', 'spec.guests[1].name']])
    const twice = labFixture({lab: {guests: [guest('a{{index}}', {count: 2}), guest('a1')]}})
    expect(twice.labPlan.plan.diagnostics.map((d) => [d.code, d.source?.path])).toEqual([['name-duplicate', 'spec.guests[0].name']])
  })

  it('an entry name as written stands for all its guests; names get the prefix', () => {
    const r = labFixture({lab: {prefix: 'x-', guests: [guest('app', {dependsOn: ['web{{index}}']}), guest('web{{index}}', {count: 2})]}})
    expect(r.labPlan.guests.map((g) => [g.name, g.dependsOn])).toEqual([
      ['x-web1', []],
      ['x-web2', []],
      ['x-app', ['x-web1', 'x-web2']],
    ])
  })

  it('an unknown name and a cycle are lab-dependency-invalid at the dependsOn entry', () => {
    const unknown = labFixture({lab: {guests: [guest('a', {dependsOn: ['dc']}), guest('dc1')]}})
    expect(labCodesOf(unknown)).toEqual(['lab-dependency-invalid'])
    expect(unknown.labPlan.plan.diagnostics[0]).toMatchObject({source: {path: 'spec.guests[0].dependsOn[0]', line: expect.any(Number)}})
    expect(unknown.labPlan.plan.diagnostics[0].message).toMatch(/Did you mean "dc1"/)
    const cycle = labFixture({lab: {guests: [guest('a', {dependsOn: ['c']}), guest('b', {dependsOn: ['a']}), guest('c', {dependsOn: ['b']})]}})
    expect(labCodesOf(cycle)).toEqual(['lab-dependency-invalid'])
    expect(cycle.labPlan.plan.diagnostics[0].message).toMatch(/cycle: a -> c -> b -> a/)
    const self = labFixture({lab: {guests: [guest('a', {dependsOn: ['a']})]}})
    expect(labCodesOf(self)).toContain('lab-dependency-invalid')
  })
})

describe('templates and values', () => {
  it('a template path is relative to the lab file, a name is looked up in the project, then the built-ins', () => {
    const cwd = makeProject({})
    mkdirSync(join(cwd, 'labs', 'tpl'), {recursive: true})
    writeFileSync(join(cwd, 'labs', 'tpl', 'near.yaml'), stringify({apiVersion: 'hvguest/v1', kind: 'GuestTemplate', metadata: {name: 'near'}, spec: BASE_SPEC}))
    writeFileSync(
      join(cwd, 'labs', 'lab.yaml'),
      stringify({apiVersion: 'hvguest/v1', kind: 'Lab', metadata: {name: 'l'}, spec: {guests: [guest('a', {template: 'tpl/near.yaml'}), guest('b', {template: 't1'}), guest('c', {template: 'ubuntu-2204'})]}}),
    )
    const r = planLab({file: 'labs/lab.yaml', cwd})
    expect(r.labPlan.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(r.labPlan.guests.map((g) => g.template)).toEqual(['near', 't1', 'ubuntu-2204'])
    // the same path is not relative to the folder planLab runs in
    writeFileSync(join(cwd, 'lab.yaml'), stringify({apiVersion: 'hvguest/v1', kind: 'Lab', metadata: {name: 'l'}, spec: {guests: [guest('a', {template: 'tpl/near.yaml'})]}}))
    const elsewhere = planLab({file: 'lab.yaml', cwd})
    expect(elsewhere.labPlan.plan.diagnostics.map((d) => [d.code, d.source?.path])).toEqual([['file-not-found', 'spec.guests[0].template']])
  })

  it('the profile of defaults is used for every guest; an unknown one is reported at its line', () => {
    expect(labFixture({lab: {defaults: {profile: 'intel-10g'}}}).labPlan.plan.guests[0].profile).toBe('intel-10g')
    const r = labFixture({lab: {defaults: {profile: 'intel-10', values: {}}}})
    expect(r.labPlan.plan.diagnostics.map((d) => [d.code, d.source?.path])).toEqual([['profile-not-found', 'spec.defaults.profile']])
  })

  it('an unknown template name is reported at the guest\'s template line', () => {
    const r = labFixture({lab: {guests: [guest('a', {template: 'ubuntu-2205'})]}})
    expect(r.labPlan.plan.diagnostics.map((d) => [d.code, d.source?.path])).toEqual([['template-not-found', 'spec.guests[0].template']])
    expect(r.labPlan.plan.diagnostics[0].source?.line).toBeGreaterThan(0)
  })

  it('values: every unknown, invalid and missing one is reported at once, at the lab file\'s lines', () => {
    const r = labFixture({
      project: {parameters: {cpu: {type: 'integer', default: 1}, owner: {type: 'string'}}, spec: {processors: '{{cpu}}', notes: '{{owner}}'}},
      lab: {defaults: {values: {cpu: 2, colour: 'red'}}, guests: [guest('a', {values: {cpu: 'two', bogus: 1}})]},
    })
    const ds = r.labPlan.plan.diagnostics.map((d) => [d.code, d.source?.path])
    expect(ds).toEqual(
      expect.arrayContaining([
        ['parameter-unknown', 'spec.defaults.values.colour'],
        ['parameter-invalid', 'spec.guests[0].values.cpu'],
        ['parameter-unknown', 'spec.guests[0].values.bogus'],
        ['parameter-missing', 'spec.guests[0].template'],
      ]),
    )
    expect(ds).toHaveLength(4)
    expect(r.labPlan.plan.diagnostics.every((d) => d.source?.file === join(r.cwd, 'lab.yaml') && (d.source?.line ?? 0) > 0)).toBe(true)
  })

  it('defaults.values fill the guests whose template declares them; a guest\'s own values win', () => {
    const project = {parameters: {cpu: {type: 'integer', default: 1}}, spec: {processors: '{{cpu}}'}}
    const r = labFixture({project, lab: {defaults: {values: {cpu: 3}}, guests: [guest('a'), guest('b', {values: {cpu: 4}}), guest('c', {template: 'ubuntu-2204'})]}})
    expect(errorsOf(r)).toEqual([])
    expect(r.labPlan.plan.guests.map((g) => g.processors)).toEqual([3, 4, 2])
  })
})

describe('networks and hosts', () => {
  it('the switches a lab creates count as there on a host whose inventory lists its switches', () => {
    const inventory = {hosts: [{name: 'hv1', os: 'windows-server-2022', switches: ['Lab']}]}
    const r = labFixture({project: {inventory}, lab: {networks: [LAN], guests: [guest('a', {networks: [onLan('10.200.1.10/24')]})]}})
    expect(errorsOf(r)).toEqual([])
    expect(r.labPlan.networks[0].hosts).toEqual(['hv1'])
    const existing = labFixture({project: {inventory}, lab: {networks: [{name: 'Prod', type: 'existing'}], guests: [guest('a', {networks: [{network: 'Prod'}]})]}})
    expect(labCodesOf(existing)).toContain('switch-name-mismatch')
  })

  it('a guest names its host; one the run does not target is host-not-found at that line', () => {
    const inventory = {hosts: [{name: 'hv1', os: 'windows-server-2022'}, {name: 'hv2', os: 'windows-server-2022'}]}
    const r = labFixture({project: {inventory}, lab: {guests: [guest('a', {host: 'hv2'}), guest('b', {host: 'hv3'})]}})
    expect(r.labPlan.guests.map((g) => [g.name, g.host])).toEqual([['a', 'hv2']])
    expect(r.labPlan.plan.diagnostics.map((d) => [d.code, d.source?.path])).toEqual([['host-not-found', 'spec.guests[1].host']])
  })

  it('more networks than Generation 1 allows on the host is nic-limit-exceeded', () => {
    const nine = Array.from({length: 9}, () => onLan())
    const r = labFixture({lab: {networks: [LAN], guests: [guest('a', {networks: nine})]}, request: {hostOs: 'windows-server-2016'}})
    expect(labCodesOf(r)).toContain('nic-limit-exceeded')
    // the ninth network of the guest in the lab file, not the template
    expect(r.labPlan.plan.diagnostics.find((d) => d.code === 'nic-limit-exceeded')?.source).toMatchObject({file: join(r.cwd, 'lab.yaml'), path: 'spec.guests[0].networks[8]', line: expect.any(Number)})
    const eight = labFixture({lab: {networks: [LAN], guests: [guest('a', {networks: nine.slice(1)})]}, request: {hostOs: 'windows-server-2016'}})
    expect(labCodesOf(eight)).not.toContain('nic-limit-exceeded')
  })
})

describe('hvguest validate of a lab file', () => {
  it('checks it as a lab: a good one is valid, one with an unknown network is not', () => {
    const good = labFixture({lab: {networks: [LAN], guests: [guest('a', {networks: [onLan('10.200.1.10/24')]})]}})
    expect(validateAllFiles(['lab.yaml'], {strict: false, cwd: good.cwd})).toMatchObject({status: 'ok', files: [{kind: 'Lab', valid: true, diagnostics: []}]})
    const bad = labFixture({lab: {networks: [LAN], guests: [guest('a', {networks: [{network: 'wan'}]})]}})
    const v = validateAllFiles(['lab.yaml'], {strict: false, cwd: bad.cwd})
    expect(v.status).toBe('invalid')
    expect(v.files[0].diagnostics.map((d) => [d.code, d.source?.line])).toEqual([['lab-network-unknown', expect.any(Number)]])
  })
})
