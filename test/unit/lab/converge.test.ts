/**
 * Convergence (src/lab/converge.ts): a lab's plan against a host's facts. Every host-side lab
 * check with a case that triggers it and a near miss that does not, what is created, what is the
 * lab's, what only exists, drift, and the lab's record after a run (src/lab/next-record.ts).
 */
import {describe, expect, it} from 'vitest'
import {converge} from '../../../src/lab/converge.js'
import type {LabFacts} from '../../../src/lab/lab-facts.js'
import {guestShape, type LabRecord} from '../../../src/lab/lab-record.js'
import {nextRecord} from '../../../src/lab/next-record.js'
import {readyAsPlanned, wavesOf} from '../../../src/lab/lab-up.js'
import type {IcReport} from '../../../src/execute/guest-status.js'
import {LAN, labFixture, onLan} from '../../helpers/lab-fixture.js'

const NAT_LAN = {...LAN, gateway: '10.200.1.1', nat: true}
const HOST = 'localhost'

function planned(lab: Record<string, unknown> = {}) {
  const r = labFixture({lab: {networks: [NAT_LAN], guests: [{name: 'g1', template: 't1', networks: [onLan('10.200.1.10/24')]}], ...lab}})
  expect(r.labPlan.plan.summary.errors, JSON.stringify(r.labPlan.plan.diagnostics)).toBe(0)
  return r.labPlan
}

/** A Windows Server host with one external switch on Ethernet 2 and an address on its vEthernet adapter. */
function facts(over: Partial<LabFacts> = {}): LabFacts {
  return {
    switches: [{name: 'Lab', type: 'External', nicDescriptions: ['Intel X710'], nics: ['Ethernet 2'], allowManagementOS: true, hostAdapter: 'vEthernet (Lab)', id: 'aaaa', notes: null}],
    nics: [
      {name: 'Ethernet 2', interfaceDescription: 'Intel X710', status: 'Up', macAddress: 'A0-36-9F-00-00-02', linkSpeed: '10 Gbps', mediaType: '802.3', physicalMediaType: '802.3', virtual: false, jumboPacket: null, vmq: null, vmqEnabled: null, tcpOffload: null},
      {name: 'Ethernet 3', interfaceDescription: 'Intel X710 #2', status: 'Up', macAddress: 'A0-36-9F-00-00-03', linkSpeed: '10 Gbps', mediaType: '802.3', physicalMediaType: '802.3', virtual: false, jumboPacket: null, vmq: null, vmqEnabled: null, tcpOffload: null},
      {name: 'Wi-Fi', interfaceDescription: 'Intel Wireless', status: 'Up', macAddress: 'A0-36-9F-00-00-04', linkSpeed: '300 Mbps', mediaType: 'Native 802.11', physicalMediaType: 'Native 802.11', virtual: false, jumboPacket: null, vmq: null, vmqEnabled: null, tcpOffload: null},
    ],
    ipAddresses: [{interfaceAlias: 'vEthernet (Lab)', ipAddress: '192.168.1.50', prefixLength: 24}],
    netNats: [],
    vmAdapters: [],
    labRecords: [],
    vms: [],
    ...over,
  } as unknown as LabFacts
}

const run = (labPlan: ReturnType<typeof planned>, f: LabFacts, os = 'windows-server-2022', recreate?: string[]) => converge(labPlan, new Map([[HOST, f]]), new Map([[HOST, os]]), {recreate})
const codes = (r: ReturnType<typeof run>) => r.problems.map((p) => p.code)

/** The record the lab would have after making everything of `labPlan`. */
function recordAfterUp(labPlan: ReturnType<typeof planned>, f: LabFacts): LabRecord {
  const diff = run(labPlan, f)
  const results = new Map(labPlan.guests.map((g) => [`${HOST}/${g.name}`, {name: g.name, host: HOST, status: 'created' as const, vmId: `id-${g.name}`, error: null, warnings: []}]))
  const made = new Map(labPlan.networks.map((n) => [`${HOST}/${n.name}`, {switchId: 'bbbb', switchCreated: true, addressCreated: true, natCreated: true}]))
  return nextRecord({labPlan, host: diff.hosts[0], runId: 'r1', made, results, began: {hostSettings: [{setting: 'jumbo', action: 'set', adapter: 'Ethernet 2'}, {setting: 'vmq', action: 'skipped'}]}, now: () => new Date(0)})
}

/** The host after that up: the switch, gateway, NAT and VM the lab made, and its record. */
function factsAfterUp(labPlan: ReturnType<typeof planned>, over: Partial<LabFacts> = {}): LabFacts {
  const f = facts()
  const record = recordAfterUp(labPlan, f)
  const g = labPlan.guests[0]
  return facts({
    switches: [...f.switches, {name: 'lan', type: 'Internal', nicDescriptions: [], nics: [], allowManagementOS: true, hostAdapter: 'vEthernet (lan)', id: 'bbbb', notes: 'hvguest lab=lab1'}],
    ipAddresses: [...f.ipAddresses!, {interfaceAlias: 'vEthernet (lan)', ipAddress: '10.200.1.1', prefixLength: 24}],
    netNats: [{name: 'lan', prefix: '10.200.1.0/24'}],
    vms: [{name: g.name, state: 'Running', version: '10.0', heartbeat: 'Ok', clustered: false, silentServices: []}],
    vmAdapters: [{vm: g.name, name: 'Network Adapter', switch: 'lan', macAddress: g.adapters[0].macAddress}],
    labRecords: [{name: 'lab1', record: record as unknown as Record<string, unknown>}],
    ...over,
  } as Partial<LabFacts>)
}

describe('converge: what a lab up would change', () => {
  it('on a host without the lab: the switch, its gateway, the NAT and the guest are to be made', () => {
    const r = run(planned(), facts())
    expect(r.problems).toEqual([])
    expect(r.unchanged).toBe(false)
    expect(r.hosts[0].networks[0]).toMatchObject({switch: 'create', address: 'create', nat: 'create', natName: 'lan', natPrefix: '10.200.1.0/24'})
    expect(r.hosts[0].guests.map((g) => [g.guest.name, g.action])).toEqual([['g1', 'create']])
  })

  it('after the up: everything is the lab\'s, nothing to change', () => {
    const labPlan = planned()
    const r = run(labPlan, factsAfterUp(labPlan))
    expect(r.problems).toEqual([])
    expect(r.unchanged).toBe(true)
    expect(r.hosts[0].networks[0]).toMatchObject({switch: 'owned', switchId: 'bbbb', address: 'owned', nat: 'owned'})
    expect(r.hosts[0].guests.map((g) => [g.guest.name, g.action, g.drift])).toEqual([['g1', 'exists', []]])
  })

  it('a guest added to the file: only it is to be made', () => {
    const labPlan = planned()
    const more = planned({guests: [{name: 'g1', template: 't1', networks: [onLan('10.200.1.10/24')]}, {name: 'g2', template: 't1', networks: [onLan('10.200.1.11/24')]}]})
    const r = run(more, factsAfterUp(labPlan))
    expect(r.hosts[0].guests.map((g) => [g.guest.name, g.action])).toEqual([
      ['g1', 'exists'],
      ['g2', 'create'],
    ])
  })

  it('drift: a guest planned otherwise now, or whose adapter moved, is reported and left alone; --recreate names it', () => {
    const labPlan = planned()
    const moved = factsAfterUp(labPlan)
    moved.vmAdapters = [{...moved.vmAdapters![0], switch: 'Lab'}]
    const r = run(labPlan, moved)
    expect(r.hosts[0].guests[0].action).toBe('drift')
    expect(r.hosts[0].guests[0].drift).toEqual([`adapter ${labPlan.guests[0].adapters[0].macAddress} on Lab, planned lan`])
    expect(r.unchanged, 'drift alone changes nothing').toBe(true)
    const edited = planned({guests: [{name: 'g1', template: 't1', networks: [onLan('10.200.1.12/24')]}]})
    const e = run(edited, factsAfterUp(labPlan))
    expect(e.hosts[0].guests[0].drift.join(' ')).toContain('lan 10.200.1.10/24] → [lan 10.200.1.12/24]')
    const again = run(edited, factsAfterUp(labPlan), 'windows-server-2022', ['g1'])
    expect(again.hosts[0].guests[0].action).toBe('recreate')
    expect(again.unchanged).toBe(false)
  })

  it('lab-name-taken: a switch or VM of the lab\'s names that the lab did not make; near miss: the lab\'s own, by record or by note', () => {
    const labPlan = planned()
    const foreign = facts({switches: [...facts().switches, {name: 'lan', type: 'Internal', nicDescriptions: [], nics: [], allowManagementOS: true, hostAdapter: 'vEthernet (lan)', id: 'cccc', notes: null}]} as Partial<LabFacts>)
    expect(codes(run(labPlan, foreign))).toEqual(['lab-name-taken'])
    expect(run(labPlan, foreign).problems[0]).toMatchObject({host: HOST, source: {line: expect.any(Number), column: expect.any(Number)}})
    const noted = facts({switches: [...facts().switches, {name: 'lan', type: 'Internal', nicDescriptions: [], nics: [], allowManagementOS: true, hostAdapter: 'vEthernet (lan)', id: 'cccc', notes: 'hvguest lab=lab1'}]} as Partial<LabFacts>)
    expect(codes(run(labPlan, noted))).toEqual([])
    const vm = facts({vms: [{name: 'g1', state: 'Off', version: '10.0', heartbeat: '', clustered: false, silentServices: []}]} as Partial<LabFacts>)
    expect(codes(run(labPlan, vm))).toEqual(['lab-name-taken'])
    expect(codes(run(labPlan, factsAfterUp(labPlan)))).toEqual([])
  })

  it('lab-subnet-conflict: the subnet overlaps an address the host has elsewhere; near miss: the lab\'s own gateway on its own vEthernet', () => {
    const labPlan = planned()
    const clash = facts({ipAddresses: [{interfaceAlias: 'vEthernet (Lab)', ipAddress: '10.200.0.9', prefixLength: 16}]})
    expect(codes(run(labPlan, clash))).toEqual(['lab-subnet-conflict'])
    expect(run(labPlan, clash).problems[0].message).toContain('overlaps 10.200.0.9/16 on "vEthernet (Lab)"')
    const own = factsAfterUp(labPlan)
    expect(codes(run(labPlan, own))).toEqual([])
    expect(run(labPlan, own).hosts[0].networks[0].address).toBe('owned')
  })

  it('lab-nat-conflict: a NetNat overlapping without holding the subnet, a second NetNat on Windows Server, no NetNat module; near miss: reuse one that holds it, or a client OS', () => {
    const labPlan = planned()
    expect(codes(run(labPlan, facts({netNats: [{name: 'wide', prefix: '10.200.1.128/25'}]})))).toEqual(['lab-nat-conflict'])
    expect(codes(run(labPlan, facts({netNats: [{name: 'other', prefix: '172.16.0.0/24'}]})))).toEqual(['lab-nat-conflict'])
    expect(codes(run(labPlan, facts({netNats: null})))).toEqual(['lab-nat-conflict'])
    expect(codes(run(labPlan, facts(), 'windows-server-2012r2')), '2012 R2: no -InternalIPInterfaceAddressPrefix').toEqual(['lab-nat-conflict'])
    expect(codes(run(labPlan, facts(), 'windows-server-2016'))).toEqual([])
    const holding = run(labPlan, facts({netNats: [{name: 'big', prefix: '10.200.0.0/16'}]}))
    expect(codes(holding)).toEqual([])
    expect(holding.hosts[0].networks[0]).toMatchObject({nat: 'reuse', natName: 'big'})
    expect(codes(run(labPlan, facts({netNats: [{name: 'other', prefix: '172.16.0.0/24'}]}), 'windows-11'))).toEqual([])
  })

  it('lab-adapter-unavailable: an external network on a missing, wireless, down or bound adapter; near miss: a free wired one', () => {
    const ext = (adapter: string) => planned({networks: [{name: 'up', type: 'external', adapter}], guests: [{name: 'g1', template: 't1', networks: [{network: 'up'}]}]})
    expect(codes(run(ext('Ethernet 9'), facts()))).toEqual(['lab-adapter-unavailable'])
    expect(codes(run(ext('Wi-Fi'), facts()))).toEqual(['lab-adapter-unavailable'])
    expect(run(ext('Wi-Fi'), facts()).problems[0].message).toContain('wireless')
    expect(codes(run(ext('Ethernet 2'), facts()))).toEqual(['lab-adapter-unavailable'])
    const down = facts()
    down.nics[1] = {...down.nics[1], status: 'Disconnected'}
    expect(codes(run(ext('Ethernet 3'), down))).toEqual(['lab-adapter-unavailable'])
    expect(codes(run(ext('Ethernet 3'), facts()))).toEqual([])
  })

  it('lab-mac-conflict: a derived MAC another VM uses; near miss: the lab\'s own guest with it', () => {
    const labPlan = planned()
    const mac = labPlan.guests[0].adapters[0].macAddress
    expect(codes(run(labPlan, facts({vmAdapters: [{vm: 'other', name: 'Network Adapter', switch: 'Lab', macAddress: mac}]})))).toEqual(['lab-mac-conflict'])
    expect(codes(run(labPlan, factsAfterUp(labPlan)))).toEqual([])
  })

  it('lab-network-unknown: an existing network whose switch the host lacks; near miss: it has it', () => {
    const existing = planned({networks: [{name: 'Default Switch', type: 'existing'}], guests: [{name: 'g1', template: 't1', networks: [{network: 'Default Switch'}]}]})
    expect(codes(run(existing, facts()))).toEqual(['lab-network-unknown'])
    const withIt = facts({switches: [...facts().switches, {name: 'Default Switch', type: 'Internal', nicDescriptions: [], nics: [], allowManagementOS: true, hostAdapter: 'vEthernet (Default Switch)', id: 'dddd', notes: null}]} as Partial<LabFacts>)
    expect(codes(run(existing, withIt))).toEqual([])
    expect(run(existing, withIt).hosts[0].networks[0].switch).toBe('existing')
  })
})

describe('what the lab itself claims, and records it cannot read', () => {
  it('lab-nat-conflict and lab-adapter-unavailable for a second network of the same lab that would take the one NetNat or the same NIC; near miss: a client OS, another NIC', () => {
    const two = (over: Record<string, unknown>[]) => planned({networks: over, guests: [{name: 'g1', template: 't1', networks: over.map((n) => ({network: n.name, ...(n.subnet ? {address: String(n.subnet).replace('0/24', '10/24')} : {})}))}]})
    const nats = two([NAT_LAN, {name: 'dmz', type: 'internal', subnet: '10.200.2.0/24', gateway: '10.200.2.1', nat: true}])
    expect(codes(run(nats, facts()))).toEqual(['lab-nat-conflict'])
    expect(codes(run(nats, facts(), 'windows-11'))).toEqual([])
    const nics = (b: string) => two([{name: 'up1', type: 'external', adapter: 'Ethernet 3'}, {name: 'up2', type: 'external', adapter: b}])
    expect(codes(run(nics('Ethernet 3'), facts()))).toEqual(['lab-adapter-unavailable'])
    expect(codes(run(nics('Ethernet 9'), facts()))).toEqual(['lab-adapter-unavailable'])
    const free = facts({nics: [...facts().nics, {...facts().nics[1], name: 'Ethernet 4', interfaceDescription: 'Intel X710 #3'}]} as Partial<LabFacts>)
    expect(codes(run(nics('Ethernet 4'), free))).toEqual([])
  })

  it('lab-record-damaged: the host has the lab\'s record but cannot read it; near miss: another lab\'s', () => {
    const labPlan = planned()
    const damaged = facts({labRecords: [{name: 'lab1', record: null}], errors: [{fact: 'labRecords', cmdlet: null, message: 'lab1.json: not JSON'}]} as Partial<LabFacts>)
    expect(codes(run(labPlan, damaged))).toEqual(['lab-record-damaged'])
    expect(run(labPlan, damaged).problems[0].message).toContain('lab1.json: not JSON')
    expect(codes(run(labPlan, facts({labRecords: [{name: 'other', record: null}]} as Partial<LabFacts>)))).toEqual([])
  })

  it('a switch to make gets its gateway made, whatever a stale adapter of that name holds; a missing existing switch is not found', () => {
    const labPlan = planned()
    const stale = run(labPlan, facts({ipAddresses: [{interfaceAlias: 'vEthernet (lan)', ipAddress: '10.200.1.1', prefixLength: 24}]}))
    expect(stale.hosts[0].networks[0]).toMatchObject({switch: 'create', found: false, address: 'create'})
    const existing = planned({networks: [{name: 'Default Switch', type: 'existing'}], guests: [{name: 'g1', template: 't1', networks: [{network: 'Default Switch'}]}]})
    expect(run(existing, facts()).hosts[0].networks[0]).toMatchObject({switch: 'existing', found: false})
  })
})

describe('the lab record after a run', () => {
  it('says what the lab made, keeps what it made before, and only the host settings begin set', () => {
    const labPlan = planned()
    const record = recordAfterUp(labPlan, facts())
    expect(record).toMatchObject({
      kind: 'LabRecord',
      lab: 'lab1',
      switches: [{network: 'lan', name: 'lan', id: 'bbbb', type: 'internal', created: true}],
      addresses: [{interfaceAlias: 'vEthernet (lan)', ipAddress: '10.200.1.1', prefixLength: 24, created: true}],
      nats: [{name: 'lan', prefix: '10.200.1.0/24', created: true}],
      guests: [{name: 'g1', id: 'id-g1', macAddresses: [labPlan.guests[0].adapters[0].macAddress]}],
      hostSettings: [{setting: 'jumbo', action: 'set', adapter: 'Ethernet 2'}],
    })
    expect(record.guests[0].shape).toEqual(guestShape(labPlan.plan.guests[0]))
    // A second run that adds g2 keeps g1 and the network as the lab's.
    const more = planned({guests: [{name: 'g1', template: 't1', networks: [onLan('10.200.1.10/24')]}, {name: 'g2', template: 't1', networks: [onLan('10.200.1.11/24')]}]})
    const diff = run(more, factsAfterUp(labPlan))
    const results = new Map([[`${HOST}/g2`, {name: 'g2', host: HOST, status: 'created' as const, vmId: 'id-g2', error: null, warnings: []}]])
    const next = nextRecord({labPlan: more, host: diff.hosts[0], runId: 'r2', made: new Map(), results, began: null})
    expect(next.guests.map((g) => [g.name, g.id])).toEqual([
      ['g1', 'id-g1'],
      ['g2', 'id-g2'],
    ])
    expect(next.switches).toEqual(record.switches)
    expect(next.nats).toEqual(record.nats)
    expect(next.hostSettings).toEqual(record.hostSettings)
  })
})

describe('dependsOn and readiness', () => {
  it('waves: a guest comes after every guest it depends on', () => {
    const labPlan = planned({
      guests: [
        {name: 'web', template: 't1', dependsOn: ['db'], networks: [onLan('10.200.1.12/24')]},
        {name: 'db', template: 't1', dependsOn: ['dc'], networks: [onLan('10.200.1.11/24')]},
        {name: 'dc', template: 't1', networks: [onLan('10.200.1.10/24')]},
        {name: 'tool', template: 't1', networks: [onLan('10.200.1.13/24')]},
      ],
    })
    expect(wavesOf(labPlan.guests).map((w) => w.map((g) => g.name).sort())).toEqual([['dc', 'tool'], ['db'], ['web']])
  })

  it('ready as planned: heartbeat and every static address reported; another address is not enough', () => {
    const labPlan = planned()
    const ready = readyAsPlanned(labPlan.guests)
    const report = (ipv4: string[], ok = true) => ({name: 'g1', host: HOST, ready: ok && ipv4.length > 0, ipv4}) as unknown as IcReport
    expect(ready(report(['10.200.1.10']))).toBe(true)
    expect(ready(report(['169.254.3.4']))).toBe(false)
    expect(ready(report(['10.200.1.10'], false))).toBe(false)
  })
})
