/**
 * The rules over static IPv4 settings (src/validate/address-rules.ts): each finding at the
 * template line that decides it, with the reason and the fix; the settings that fit plan clean.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {planRun} from '../../../src/plan/build-plan.js'
import {makeProject, type Fixture} from '../../helpers/plan-fixture.js'

const USER_DATA = {'user-data.yaml.hbs': '#cloud-config\nhostname: {{guest.hostname}}\n'}
const withFirstBoot = (adapters: unknown[], extra: Partial<Fixture> = {}): Fixture => ({
  spec: {networkAdapters: adapters, firstBoot: {cloudInit: 'user-data.yaml.hbs'}},
  files: USER_DATA,
  ...extra,
})
const MAC = '00155D0A0B0C'

/** The run's network-address-* findings: code, severity, the trimmed template line, message. */
function findings(f: Fixture) {
  const cwd = makeProject(f)
  const r = planRun({templates: ['t1'], cwd, ...f.request})
  const text = readFileSync(join(cwd, 'templates', 't1.yaml'), 'utf8').split('\n')
  return r.plan.diagnostics
    .filter((d) => d.code.startsWith('network-address'))
    .map((d) => ({code: d.code, severity: d.severity, guest: d.guest, path: d.source?.path, line: d.source?.line ? text[d.source.line - 1].trim() : '', message: d.message}))
}

describe('static IPv4 settings that fit plan clean', () => {
  it('addresses in the gateway\'s subnet, a /31 and a /32, DNS on a DHCP adapter, every adapter by MAC', () => {
    expect(
      findings(
        withFirstBoot([
          {switch: 'Lab', macAddress: MAC, addresses: ['10.200.1.10/24', '10.200.9.10/24'], gateway: '10.200.9.1', dns: ['10.200.1.53']},
          {switch: 'Lab', macAddress: '00155D0A0B0D', addresses: ['192.0.2.0/31']},
          {switch: 'Lab', macAddress: '00155D0A0B0E', addresses: ['198.51.100.7/32']},
          {switch: 'Lab', macAddress: '00155D0A0B0F', dns: ['10.200.1.53']},
          {switch: 'Lab'},
        ]),
      ),
    ).toEqual([])
  })
})

describe('network-address-needs-mac', () => {
  it('addresses, or DNS servers, on an adapter without a MAC: an error at the setting', () => {
    const r = findings(withFirstBoot([{switch: 'Lab', addresses: ['10.200.1.10/24']}, {name: 'dhcp', switch: 'Lab', dns: ['10.200.1.53']}]))
    expect(r.map((x) => [x.code, x.severity, x.path])).toEqual([
      ['network-address-needs-mac', 'error', 'spec.networkAdapters[0].addresses'],
      ['network-address-needs-mac', 'error', 'spec.networkAdapters[1].dns'],
    ])
    expect(r[0].message).toBe(
      'adapter "Network Adapter" has static IPv4 settings (addresses) but no macAddress: the first-boot media find the adapter by its MAC address, so give it one (macAddress: 00-15-5D-xx-xx-xx)',
    )
  })
})

describe('network-address-invalid', () => {
  const one = (adapter: Record<string, unknown>) => findings(withFirstBoot([{switch: 'Lab', macAddress: MAC, ...adapter}]))

  it('a gateway outside every address\'s subnet names the subnets', () => {
    const r = one({addresses: ['10.200.1.10/24', '10.200.2.10/25'], gateway: '10.200.2.200'})
    expect(r.map((x) => [x.code, x.severity, x.path])).toEqual([['network-address-invalid', 'error', 'spec.networkAdapters[0].gateway']])
    expect(r[0].message).toBe('adapter "Network Adapter": the gateway 10.200.2.200 is outside the adapter\'s subnet (10.200.1.0/24, 10.200.2.0/25), so the guest could not reach it')
  })

  it('a gateway that is the adapter\'s own address', () => {
    const r = one({addresses: ['10.200.1.10/24'], gateway: '10.200.1.10'})
    expect(r.map((x) => x.message)).toEqual(['adapter "Network Adapter": the gateway 10.200.1.10 is one of the adapter\'s own addresses; the gateway is the router\'s address'])
  })

  it('a gateway without addresses', () => {
    const r = one({gateway: '10.200.1.1', dns: ['10.200.1.53']})
    expect(r.map((x) => [x.path, x.message])).toEqual([
      ['spec.networkAdapters[0].gateway', 'adapter "Network Adapter": a gateway (10.200.1.1) needs static addresses; a DHCP adapter gets its gateway from DHCP, so remove gateway or add addresses'],
    ])
  })

  it('the network or broadcast address of its subnet, at that address; the addresses next to them are fine', () => {
    const r = one({addresses: ['10.200.1.0/24', '10.200.1.255/24', '10.200.2.1/24', '10.200.2.254/24', '10.0.0.0/8'], gateway: '10.200.2.253'})
    expect(r.map((x) => [x.path, x.line])).toEqual([
      ['spec.networkAdapters[0].addresses[0]', '- 10.200.1.0/24'],
      ['spec.networkAdapters[0].addresses[1]', '- 10.200.1.255/24'],
      ['spec.networkAdapters[0].addresses[4]', '- 10.0.0.0/8'],
    ])
    expect(r[0].message).toBe('adapter "Network Adapter": 10.200.1.0/24 is the network address of its subnet 10.200.1.0/24; give the guest an address inside it')
    expect(r[1].message).toContain('is the broadcast address of its subnet 10.200.1.0/24')
  })
})

describe('network-address-duplicate', () => {
  it('the same address on two adapters of a guest (whatever the prefix), at the second', () => {
    const r = findings(withFirstBoot([{switch: 'Lab', macAddress: MAC, addresses: ['10.200.1.10/24']}, {name: 'b', switch: 'Lab', macAddress: '00155D0A0B0D', addresses: ['10.200.2.10/24', '10.200.1.10/16']}]))
    expect(r.map((x) => [x.code, x.path])).toEqual([['network-address-duplicate', 'spec.networkAdapters[1].addresses[1]']])
    expect(r[0].message).toBe(
      '10.200.1.10 is given to both t1/Network Adapter and t1/b; each adapter needs its own address (with --count or a counted guest, write the address with {{index}}, e.g. 10.200.1.2{{index}}/24)',
    )
  })

  it('--count copies one address to every guest; {{index}} in the address gives each its own', () => {
    const same = findings(withFirstBoot([{switch: 'Lab', macAddress: '00155D0A0B1{{index}}', addresses: ['10.200.1.10/24']}], {request: {count: 2, name: 'web{{index}}'}}))
    expect(same.map((x) => [x.code, x.guest])).toEqual([['network-address-duplicate', 'web2']])
    const own = findings(withFirstBoot([{switch: 'Lab', macAddress: '00155D0A0B1{{index}}', addresses: ['10.200.1.2{{index}}/24']}], {request: {count: 2, name: 'web{{index}}'}}))
    expect(own).toEqual([])
  })
})

describe('network-address-unsupported', () => {
  it('static settings without first-boot media: a warning, the guest keeps what its image configures', () => {
    const r = findings({spec: {networkAdapters: [{switch: 'Lab', macAddress: MAC, addresses: ['10.200.1.10/24']}]}})
    expect(r.map((x) => [x.code, x.severity, x.path])).toEqual([['network-address-unsupported', 'warning', 'spec.networkAdapters[0].addresses']])
    expect(r[0].message).toContain('the guest has no first-boot media (firstBoot)')
  })
})
