import {describe, expect, it} from 'vitest'
import {locateNowhere} from '../../../../src/model/source.js'
import {normalizeMac, resolveAdapters, type AdaptersInput} from '../../../../src/resolve/network/resolve-adapters.js'
import type {HostOs} from '../../../../src/model/host-os.js'
import type {GuestOs, HardwareProfile, NetworkAdapter} from '../../../../src/model/schemas.js'

const profile = (spec: HardwareProfile['spec'] = {}, name = 'test-nic'): HardwareProfile => ({
  apiVersion: 'hvguest/v1',
  kind: 'HardwareProfile',
  metadata: {name},
  spec,
})
const generic = profile({network: {jumboPacket: 1514}, capabilities: {jumboPacketValues: [1514]}})
const tenGig = profile({network: {jumboPacket: 9014, vmq: true}, capabilities: {jumboPacketValues: [1514, 4088, 9014], vmq: true}})
const oddJumbo = profile({network: {jumboPacket: 4088}, capabilities: {jumboPacketValues: [1514, 9014]}})
const noVmq = profile({network: {vmq: true}, capabilities: {vmq: false}})
const wireless = profile({capabilities: {wireless: true}})

const windows: GuestOs = {family: 'windows', version: '2022'}
const ubuntu: GuestOs = {family: 'linux', distro: 'ubuntu', version: '22.04'}

const run = (adapters: NetworkAdapter[], over: Partial<AdaptersInput> = {}) =>
  resolveAdapters({
    guest: 'g1',
    generation: 1,
    os: windows,
    hostOs: 'windows-server-2022',
    profile: generic,
    adapters,
    locate: locateNowhere('t.yaml'),
    ...over,
  })
const codes = (r: {diagnostics: Array<{code: string}>}) => r.diagnostics.map((d) => d.code)
const severities = (r: {diagnostics: Array<{severity: string}>}) => r.diagnostics.map((d) => d.severity)
const lab = (extra: Partial<NetworkAdapter> = {}): NetworkAdapter => ({switch: 'Lab', ...extra})

describe('resolveAdapters: the planned adapter', () => {
  it('fills every field, with null/false defaults', () => {
    const r = run([lab()])
    expect(r).toEqual({
      adapters: [{name: 'Network Adapter', switch: 'Lab', legacy: false, vlan: null, jumboPacket: null, vmq: false, macAddress: null, macSpoofing: false, ipConfig: null}],
      diagnostics: [],
    })
  })

  it('keeps template values and normalises the MAC address', () => {
    const r = run([lab({name: 'Front', vlan: 42, macAddress: '00-15-5d-0a-0b-0c', macSpoofing: true})])
    expect(r.adapters[0]).toMatchObject({name: 'Front', vlan: 42, macAddress: '00155D0A0B0C', macSpoofing: true})
    expect(normalizeMac('00:15:5D:01:02:03')).toBe('00155D010203')
    expect(normalizeMac('00155d010203')).toBe('00155D010203')
  })

  it('carries static IPv4 settings as ipConfig, with null/empty for what is not written', () => {
    const r = run([
      lab({macAddress: '00155D0A0B0C', addresses: ['10.200.1.10/24', '10.200.1.11/24'], gateway: '10.200.1.1', dns: ['10.200.1.10', '1.1.1.1']}),
      lab({macAddress: '00155D0A0B0D', addresses: ['10.200.2.10/24']}),
      lab({dns: ['10.200.1.10']}),
      lab(),
    ])
    expect(r.adapters.map((a) => a.ipConfig)).toEqual([
      {addresses: ['10.200.1.10/24', '10.200.1.11/24'], gateway: '10.200.1.1', dns: ['10.200.1.10', '1.1.1.1']},
      {addresses: ['10.200.2.10/24'], gateway: null, dns: []},
      {addresses: [], gateway: null, dns: ['10.200.1.10']},
      null,
    ])
  })

  it('names unnamed adapters per kind, skipping names already taken', () => {
    const r = run([lab(), lab({name: 'network adapter 2'}), lab(), lab({legacy: true}), lab({legacy: true})])
    expect(r.adapters.map((a) => a.name)).toEqual(['Network Adapter', 'network adapter 2', 'Network Adapter 3', 'Legacy Network Adapter', 'Legacy Network Adapter 2'])
    expect(r.diagnostics).toEqual([])
  })

  it('reports two adapters written with the same name (nic-name-duplicate); different names are fine', () => {
    const r = run([lab({name: 'Front'}), lab({name: 'FRONT'})])
    expect(codes(r)).toEqual(['nic-name-duplicate'])
    expect(r.diagnostics[0].source?.path).toBe('spec.networkAdapters[1].name')
    expect(codes(run([lab({name: 'Front'}), lab({name: 'Back'})]))).toEqual([])
  })

  it('returns one adapter per template entry, even with errors', () => {
    const r = run([lab({legacy: true}), lab()], {generation: 2})
    expect(r.adapters).toHaveLength(2)
  })
})

describe('resolveAdapters: legacy adapters', () => {
  it('rejects a legacy adapter on Gen2 (legacy-nic-gen2); Gen1 is fine', () => {
    const r = run([lab({legacy: true})], {generation: 2})
    expect(codes(r)).toEqual(['legacy-nic-gen2'])
    expect(r.diagnostics[0]).toMatchObject({severity: 'error', source: {path: 'spec.networkAdapters[0].legacy'}})
    expect(codes(run([lab({legacy: true})]))).toEqual([])
  })
})

describe('resolveAdapters: jumbo frames', () => {
  it('applies the profile value the NIC supports', () => {
    const r = run([lab()], {profile: tenGig})
    expect(r.adapters[0].jumboPacket).toBe(9014)
    expect(r.diagnostics).toEqual([])
  })

  it('leaves the standard 1514 from the profile as null, but keeps an explicit 1514', () => {
    expect(run([lab()]).adapters[0].jumboPacket).toBeNull()
    expect(run([lab({jumboPacket: 1514})], {profile: tenGig}).adapters[0].jumboPacket).toBe(1514)
  })

  it('lets a template value override the profile', () => {
    expect(run([lab({jumboPacket: 4088})], {profile: tenGig}).adapters[0].jumboPacket).toBe(4088)
  })

  it('jumbo-unsupported: explicit is an error, a profile default a warning; a listed value is fine', () => {
    const explicit = run([lab({jumboPacket: 4088})])
    expect(codes(explicit)).toEqual(['jumbo-unsupported'])
    expect(explicit.diagnostics[0]).toMatchObject({severity: 'error', source: {path: 'spec.networkAdapters[0].jumboPacket'}})
    expect(explicit.adapters[0].jumboPacket).toBeNull()

    const fromProfile = run([lab()], {profile: oddJumbo})
    expect(codes(fromProfile)).toEqual(['jumbo-unsupported'])
    expect(fromProfile.diagnostics[0]).toMatchObject({severity: 'warning', source: {path: 'spec.networkAdapters[0]'}})
    expect(fromProfile.diagnostics[0].message).toContain('profile test-nic default')
    expect(fromProfile.adapters[0].jumboPacket).toBeNull()

    expect(codes(run([lab({jumboPacket: 9014})], {profile: oddJumbo}))).toEqual([])
  })

  it('jumbo-legacy-adapter: explicit error, profile warning; 1514 on a legacy adapter is silent', () => {
    const explicit = run([lab({legacy: true, jumboPacket: 9014, vmq: false})], {profile: tenGig})
    expect(codes(explicit)).toEqual(['jumbo-legacy-adapter'])
    expect(severities(explicit)).toEqual(['error'])
    const fromProfile = run([lab({legacy: true, vmq: false})], {profile: tenGig})
    expect(codes(fromProfile)).toEqual(['jumbo-legacy-adapter'])
    expect(severities(fromProfile)).toEqual(['warning'])
    expect(fromProfile.adapters[0].jumboPacket).toBeNull()
    const standard = run([lab({legacy: true})])
    expect(standard.diagnostics).toEqual([])
    expect(standard.adapters[0].jumboPacket).toBeNull()
  })

  it('jumbo-linux-host-too-old: Linux guests before 2012 R2 (explicit error, profile warning)', () => {
    const explicit = run([lab({jumboPacket: 9014})], {profile: tenGig, os: ubuntu, hostOs: 'windows-server-2012'})
    expect(codes(explicit)).toEqual(['jumbo-linux-host-too-old'])
    expect(severities(explicit)).toEqual(['error'])
    const fromProfile = run([lab()], {profile: tenGig, os: ubuntu, hostOs: 'windows-server-2012'})
    expect(codes(fromProfile)).toEqual(['jumbo-linux-host-too-old'])
    expect(severities(fromProfile)).toEqual(['warning'])
    expect(fromProfile.adapters[0].jumboPacket).toBeNull()
  })

  it('jumbo-unsupported-host: no jumbo frames before Hyper-V R2 (explicit error, profile warning)', () => {
    const explicit = run([lab({jumboPacket: 9014})], {profile: tenGig, hostOs: 'windows-server-2008'})
    expect(codes(explicit)).toContain('jumbo-unsupported-host')
    const d = explicit.diagnostics.find((x) => x.code === 'jumbo-unsupported-host')!
    expect(d).toMatchObject({severity: 'error', source: {path: 'spec.networkAdapters[0].jumboPacket'}})
    expect(d.message).toContain('windows-server-2008')
    expect(explicit.adapters[0].jumboPacket).toBeNull()

    const fromProfile = run([lab({vmq: false})], {profile: tenGig, hostOs: 'windows-server-2008'})
    expect(codes(fromProfile)).toEqual(['jumbo-unsupported-host'])
    expect(fromProfile.diagnostics[0]).toMatchObject({severity: 'warning', source: {path: 'spec.networkAdapters[0]'}})
    expect(fromProfile.diagnostics[0].message).toContain('profile test-nic default')
    expect(fromProfile.adapters[0].jumboPacket).toBeNull()
  })

  it('reports a Linux guest on a 2008 host once, as jumbo-unsupported-host (the host has no jumbo at all)', () => {
    const r = run([lab({jumboPacket: 9014, vmq: false})], {profile: tenGig, os: ubuntu, hostOs: 'windows-server-2008'})
    expect(codes(r)).toEqual(['jumbo-unsupported-host'])
  })

  it('keeps standard frames on a 2008 host silent (1514 is not jumbo; near miss)', () => {
    const r = run([lab({jumboPacket: 1514})], {hostOs: 'windows-server-2008'})
    expect(r.diagnostics).toEqual([])
    expect(r.adapters[0].jumboPacket).toBe(1514)
  })

  it.each([
    ['a Windows guest on 2008 R2', windows, 'windows-server-2008r2'],
    ['a Linux guest on 2012 R2', ubuntu, 'windows-server-2012r2'],
    ['a Windows guest on 2012', windows, 'windows-server-2012'],
  ] as const)('allows jumbo for %s (near miss)', (_, os, hostOs: HostOs) => {
    const r = run([lab({jumboPacket: 9014})], {profile: tenGig, os, hostOs})
    expect(r.diagnostics).toEqual([])
    expect(r.adapters[0].jumboPacket).toBe(9014)
  })
})

describe('resolveAdapters: VMQ', () => {
  it('takes VMQ from the profile for synthetic adapters', () => {
    expect(run([lab()], {profile: tenGig}).adapters[0].vmq).toBe(true)
    expect(run([lab({vmq: false})], {profile: tenGig}).adapters[0].vmq).toBe(false)
  })

  it('vmq-legacy-adapter: explicit error, profile warning', () => {
    const explicit = run([lab({legacy: true, vmq: true})])
    expect(codes(explicit)).toEqual(['vmq-legacy-adapter'])
    expect(severities(explicit)).toEqual(['error'])
    const fromProfile = run([lab({legacy: true, jumboPacket: 1514})], {profile: tenGig})
    expect(codes(fromProfile)).toEqual(['vmq-legacy-adapter'])
    expect(severities(fromProfile)).toEqual(['warning'])
    expect(fromProfile.adapters[0].vmq).toBe(false)
    expect(codes(run([lab({legacy: true, vmq: false, jumboPacket: 1514})], {profile: tenGig}))).toEqual([])
  })

  it('vmq-unsupported-nic: explicit error, profile warning; a capable NIC is fine', () => {
    const explicit = run([lab({vmq: true})], {profile: profile({capabilities: {vmq: false}})})
    expect(codes(explicit)).toEqual(['vmq-unsupported-nic'])
    expect(severities(explicit)).toEqual(['error'])
    const fromProfile = run([lab()], {profile: noVmq})
    expect(codes(fromProfile)).toEqual(['vmq-unsupported-nic'])
    expect(severities(fromProfile)).toEqual(['warning'])
    expect(fromProfile.adapters[0].vmq).toBe(false)
    expect(codes(run([lab({vmq: true})], {profile: tenGig}))).toEqual([])
  })
})

describe('resolveAdapters: VMQ before Hyper-V R2', () => {
  it('vmq-unsupported-host: explicit error, profile warning; the adapter is built without VMQ', () => {
    const explicit = run([lab({vmq: true})], {hostOs: 'windows-server-2008'})
    expect(codes(explicit)).toEqual(['vmq-unsupported-host'])
    expect(explicit.diagnostics[0]).toMatchObject({severity: 'error', source: {path: 'spec.networkAdapters[0].vmq'}})
    expect(explicit.diagnostics[0].message).toContain('windows-server-2008')
    expect(explicit.adapters[0].vmq).toBe(false)

    const fromProfile = run([lab({jumboPacket: 1514})], {profile: tenGig, hostOs: 'windows-server-2008'})
    expect(codes(fromProfile)).toEqual(['vmq-unsupported-host'])
    expect(fromProfile.diagnostics[0]).toMatchObject({severity: 'warning', source: {path: 'spec.networkAdapters[0]'}})
    expect(fromProfile.adapters[0].vmq).toBe(false)
  })

  it('applies VMQ on a 2008 R2 host (near miss)', () => {
    const r = run([lab()], {profile: tenGig, hostOs: 'windows-server-2008r2'})
    expect(r.diagnostics).toEqual([])
    expect(r.adapters[0]).toMatchObject({vmq: true, jumboPacket: 9014})
  })

  it('says nothing on a 2008 host when VMQ is off', () => {
    expect(codes(run([lab({vmq: false})], {hostOs: 'windows-server-2008'}))).toEqual([])
  })
})

describe('resolveAdapters: adapter limits', () => {
  const many = (n: number, extra: Partial<NetworkAdapter> = {}) => Array.from({length: n}, () => lab(extra))

  it.each([
    ['windows-server-2016', 8],
    ['windows-10', 8],
    ['windows-server-2019', 64],
    ['windows-11', 64],
  ] as const)('allows %s %i synthetic adapters and rejects one more', (hostOs, limit) => {
    expect(codes(run(many(limit), {hostOs}))).toEqual([])
    const r = run(many(limit + 1), {hostOs})
    expect(codes(r)).toEqual(['nic-limit-exceeded'])
    expect(r.diagnostics[0].source?.path).toBe(`spec.networkAdapters[${limit}]`)
  })

  it('allows 4 legacy adapters beside the synthetic ones and rejects a 5th', () => {
    expect(codes(run([...many(8), ...many(4, {legacy: true})], {hostOs: 'windows-server-2016'}))).toEqual([])
    expect(codes(run(many(5, {legacy: true})))).toEqual(['nic-limit-exceeded'])
  })
})

describe('resolveAdapters: wireless NICs', () => {
  it('rejects any switch but the Default Switch when the profile NIC is wireless', () => {
    const r = run([lab()], {profile: wireless})
    expect(codes(r)).toEqual(['wireless-adapter-switch'])
    expect(r.diagnostics[0]).toMatchObject({severity: 'error', source: {path: 'spec.networkAdapters[0].switch'}})
    expect(r.diagnostics[0].message).toMatch(/Default Switch.*Internal\/NAT/)
  })

  it('accepts the Default Switch on a wireless NIC, and any switch on a wired one (near misses)', () => {
    expect(codes(run([{switch: 'Default Switch'}], {profile: wireless}))).toEqual([])
    expect(codes(run([lab()], {profile: profile({capabilities: {wireless: false}})}))).toEqual([])
  })
})
