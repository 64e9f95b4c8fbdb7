import {describe, expect, it} from 'vitest'
import type {PlannedNetworkAdapter} from '../../../../src/model/plan.js'
import {resolveHostNetwork, type HostNetworkInput} from '../../../../src/resolve/network/resolve-host-network.js'
import type {HostOs} from '../../../../src/model/host-os.js'
import type {ChimneySetting, GuestOs, HardwareProfile} from '../../../../src/model/schemas.js'

const profile = (spec: HardwareProfile['spec'] = {}): HardwareProfile => ({apiVersion: 'hvguest/v1', kind: 'HardwareProfile', metadata: {name: 'p'}, spec})
const chimney = (value: ChimneySetting, capable = true) => profile({network: {chimney: value}, capabilities: {chimney: capable}})
const nic = (sw: string, jumboPacket: number | null, legacy = false): PlannedNetworkAdapter => ({
  name: `${sw}-${jumboPacket}`,
  switch: sw,
  legacy,
  vlan: null,
  jumboPacket,
  vmq: false,
  macAddress: null,
  macSpoofing: false,
  ipConfig: null,
})
const windows: GuestOs = {family: 'windows', version: '2022'}
const ubuntu: GuestOs = {family: 'linux', distro: 'ubuntu', version: '22.04'}

const run = (over: Partial<HostNetworkInput>) =>
  resolveHostNetwork({host: 'hv1', hostOs: 'windows-server-2022', profile: profile(), guests: [], ...over})
const codes = (r: {diagnostics: Array<{code: string}>}) => r.diagnostics.map((d) => d.code)

describe('resolveHostNetwork: jumbo frames', () => {
  it('sets the largest value per switch on the physical NIC and the host vEthernet', () => {
    const r = run({
      guests: [
        {name: 'a', os: windows, adapters: [nic('Lab', 4088), nic('Storage', 9014)]},
        {name: 'b', os: windows, adapters: [nic('lab', 9014), nic('Lab', null), nic('Mgmt', 1514)]},
      ],
    })
    expect(r.network.jumbo).toEqual([
      {switch: 'Lab', value: 9014, targets: ['physical-nic', 'host-vethernet']},
      {switch: 'Storage', value: 9014, targets: ['physical-nic', 'host-vethernet']},
    ])
    expect(r.diagnostics).toEqual([])
  })

  it('has no physical NIC to set behind the Default Switch (NAT)', () => {
    const r = run({guests: [{name: 'a', os: windows, adapters: [nic('Default Switch', 9014)]}]})
    expect(r.network.jumbo).toEqual([{switch: 'Default Switch', value: 9014, targets: ['host-vethernet']}])
  })

  it('ignores legacy adapters, and Linux guests on hosts before 2012 R2', () => {
    expect(run({guests: [{name: 'a', os: windows, adapters: [nic('Lab', 9014, true)]}]}).network.jumbo).toEqual([])
    const guests = [{name: 'a', os: ubuntu, adapters: [nic('Lab', 9014)]}]
    expect(run({hostOs: 'windows-server-2012', guests}).network.jumbo).toEqual([])
    expect(run({hostOs: 'windows-server-2012r2', guests}).network.jumbo).toHaveLength(1)
  })

  it('sets no jumbo frames on a Windows Server 2008 host (R2 added them); 2008 R2 does', () => {
    const guests = [{name: 'a', os: windows, adapters: [nic('Lab', 9014)]}]
    expect(run({hostOs: 'windows-server-2008', guests}).network.jumbo).toEqual([])
    expect(run({hostOs: 'windows-server-2008r2', guests}).network.jumbo).toHaveLength(1)
  })

  it('is empty without guests', () => {
    expect(run({}).network).toEqual({jumbo: [], chimney: null, vmq: null})
  })
})

describe('resolveHostNetwork: TCP Chimney', () => {
  it.each(['enabled', 'automatic'] as const)('applies %s on a 2008 R2 host', (value) => {
    const r = run({hostOs: 'windows-server-2008r2', profile: chimney(value)})
    expect(r.network.chimney).toBe(value)
    expect(r.diagnostics).toEqual([])
  })

  it.each([
    ['windows-server-2008', 'enabled'],
    ['windows-server-2012', 'enabled'],
    ['windows-server-2016', 'automatic'],
    ['windows-10', 'enabled'],
    ['windows-server-2025', 'automatic'],
  ] as const)('warns chimney-unsupported-host on %s (%s) and leaves chimney alone', (hostOs: HostOs, value) => {
    const r = run({hostOs, profile: chimney(value)})
    expect(r.network.chimney).toBeNull()
    expect(codes(r)).toEqual(['chimney-unsupported-host'])
    expect(r.diagnostics[0].severity).toBe('warning')
    expect(r.diagnostics[0].message).toContain('hv1')
  })

  it.each(['windows-server-2008r2', 'windows-server-2012', 'windows-server-2022'] as const)('always applies disabled (%s)', (hostOs) => {
    const r = run({hostOs, profile: chimney('disabled', false)})
    expect(r.network.chimney).toBe('disabled')
    expect(r.diagnostics).toEqual([])
  })

  it('warns chimney-unsupported-nic when a NIC without chimney asks for enabled', () => {
    const r = run({hostOs: 'windows-server-2008r2', profile: chimney('enabled', false)})
    expect(codes(r)).toEqual(['chimney-unsupported-nic'])
    expect(r.diagnostics[0].severity).toBe('warning')
    expect(r.network.chimney).toBeNull()
  })

  it('lets automatic stand on a NIC without chimney (the OS decides; near miss)', () => {
    const r = run({hostOs: 'windows-server-2008r2', profile: chimney('automatic', false)})
    expect(r.diagnostics).toEqual([])
    expect(r.network.chimney).toBe('automatic')
  })

  it('leaves chimney alone when the profile does not mention it', () => {
    expect(run({hostOs: 'windows-server-2008r2'}).network.chimney).toBeNull()
  })
})

describe('resolveHostNetwork: VMQ', () => {
  it('applies the profile VMQ setting when the NIC supports it', () => {
    expect(run({profile: profile({network: {vmq: true}, capabilities: {vmq: true}})}).network.vmq).toBe(true)
    expect(run({profile: profile({network: {vmq: false}, capabilities: {vmq: false}})}).network.vmq).toBe(false)
    expect(run({profile: profile({network: {vmq: true}, capabilities: {vmq: false}})}).network.vmq).toBeNull()
    expect(run({}).network.vmq).toBeNull()
  })

  it('leaves VMQ alone on a Windows Server 2008 host (R2 added VMQ; adapters report it); 2008 R2 applies it', () => {
    const vmq = profile({network: {vmq: true}, capabilities: {vmq: true}})
    const r = run({hostOs: 'windows-server-2008', profile: vmq})
    expect(r.network.vmq).toBeNull()
    expect(r.diagnostics).toEqual([])
    expect(run({hostOs: 'windows-server-2008r2', profile: vmq}).network.vmq).toBe(true)
    // A 2008 host has no VMQ to turn off either: nothing to set.
    expect(run({hostOs: 'windows-server-2008', profile: profile({network: {vmq: false}})}).network.vmq).toBeNull()
  })
})
