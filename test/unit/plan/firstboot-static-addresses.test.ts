/**
 * Static IPv4 addresses from a guest template to the first-boot media, in every format, read
 * back with the tools the guest side uses: cloud-init's own network-config parser and renderers
 * (`cloud-init devel net-convert`) and PyYAML for the NoCloud seed, Python's shlex for the
 * kickstart, xmllint for the answer file.
 *
 * The guests are the built-in templates with their one adapter replaced by four:
 *   nic0  static MAC, two addresses (one for kickstart), a gateway, two DNS servers
 *   nic1  static MAC, DHCP with a DNS server of its own
 *   nic2  no MAC: DHCP, matched as before (its kernel name)
 *   nic3  static MAC, one address in a /28, no gateway and no DNS
 */
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import type {HostOs} from '../../../src/model/host-os.js'
import type {PlannedGuest} from '../../../src/model/plan.js'
import {planRun, type PlanResult} from '../../../src/plan/build-plan.js'
import {cloudInitNetConvert, el, ifcfgValues, kickstartLayout, pyYamlValue, shlexSplit, xmlWellFormed, xpath} from '../../helpers/independent-tools.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'hvguest-static-ip-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))
mkdirSync(join(work, 'templates'))

const MAC = {nic0: '00:15:5d:0a:0b:0c', nic1: '00:15:5d:0a:0b:0d', nic3: '00:15:5d:0a:0b:0e'}

/** The four adapters, as a template writes them (MACs in three spellings hvguest accepts). */
function adapters(nic0Addresses: string[]): string {
  return [
    '  networkAdapters:',
    '    - switch: "{{switch}}"',
    '      macAddress: 00-15-5D-0A-0B-0C',
    `      addresses: [${nic0Addresses.join(', ')}]`,
    '      gateway: 10.200.1.1',
    '      dns: [10.200.1.53, 1.1.1.1]',
    '    - switch: "{{switch}}"',
    '      macAddress: 00155d0a0b0d',
    '      dns: [10.200.1.53]',
    '    - switch: "{{switch}}"',
    '    - switch: "{{switch}}"',
    '      macAddress: "00:15:5D:0A:0B:0E"',
    '      addresses: [192.168.50.5/28]',
    '',
  ].join('\n')
}

/** A built-in template, renamed `<name>-<suffix>`, with its adapter replaced (written into the project). */
function variant(template: string, nic0Addresses = ['10.200.1.10/24', '10.200.1.11/24'], suffix = 'ip'): string {
  const name = `${template}-${suffix}`
  const base = readFileSync(join(ROOT, 'templates', 'guests', `${template}.yaml`), 'utf8')
  const text = base
    .replace(/^ {2}name: .*$/m, `  name: ${name}`)
    .replace(/^ {2}networkAdapters:\n {4}- switch: .*\n {6}vlan: .*\n/m, adapters(nic0Addresses))
  expect(text).toContain('00155d0a0b0d')
  writeFileSync(join(work, 'templates', `${name}.yaml`), text)
  return name
}

interface Case {
  label: string
  result: PlanResult
  guest: PlannedGuest
}

function plan(template: string, hostOs: HostOs = 'windows-server-2022'): Case {
  const result = planRun({templates: [template], hostOs, profile: 'generic-1g', cwd: work})
  return {label: `${template} on ${hostOs}`, result, guest: result.plan.guests[0]}
}

const file = (c: Case, name: string): string => {
  const f = c.guest.firstBoot?.files.find((x) => x.name === name)
  if (!f) throw new Error(`${c.label}: no first-boot file ${name}`)
  return f.content
}

const CLOUD_INIT = ['ubuntu-2204', 'debian-12', 'rocky-9'].map((t) => plan(variant(t)))
const KICKSTART = plan(variant('centos-6', ['10.200.1.10/24']))
const KICKSTART_TWO = plan(variant('centos-6', ['10.200.1.10/24', '10.200.1.11/24'], 'ip2'))
const UNATTEND = [plan(variant('ws2022')), plan(variant('win11'), 'windows-server-2025')]
const ALL = [...CLOUD_INIT, KICKSTART, ...UNATTEND]

describe('the plan', () => {
  it('plans every variant without a diagnostic about addresses, templates or first boot', () => {
    for (const c of ALL) {
      const bad = c.result.plan.diagnostics.filter((d) => d.code.startsWith('network-') || d.code.startsWith('firstboot-') || d.code.startsWith('template-') || d.severity === 'error')
      expect(bad, c.label).toEqual([])
      expect(c.guest, c.label).toBeDefined()
    }
  })

  it('carries each adapter\'s ipConfig, null for the adapter with no settings', () => {
    for (const c of [...CLOUD_INIT, ...UNATTEND]) {
      expect(
        c.guest.networkAdapters.map((a) => [a.macAddress, a.ipConfig]),
        c.label,
      ).toEqual([
        ['00155D0A0B0C', {addresses: ['10.200.1.10/24', '10.200.1.11/24'], gateway: '10.200.1.1', dns: ['10.200.1.53', '1.1.1.1']}],
        ['00155D0A0B0D', {addresses: [], gateway: null, dns: ['10.200.1.53']}],
        [null, null],
        ['00155D0A0B0E', {addresses: ['192.168.50.5/28'], gateway: null, dns: []}],
      ])
    }
  })

  it('kickstart with two addresses on an adapter warns that the installer configures the first only', () => {
    const warnings = KICKSTART_TWO.result.plan.diagnostics.filter((d) => d.code === 'network-address-unsupported')
    expect(warnings.map((d) => [d.severity, d.source?.path])).toEqual([['warning', 'spec.networkAdapters[0].addresses[1]']])
    expect(warnings[0].message).toContain('configures 10.200.1.10/24 only')
    expect(KICKSTART.result.plan.diagnostics.filter((d) => d.code === 'network-address-unsupported')).toEqual([])
  })
})

// =========================================================================== cloud-init

describe('cloud-init network-config', () => {
  it('PyYAML reads the adapters: MAC match and set-name, static settings or DHCP', () => {
    for (const c of CLOUD_INIT) {
      expect(pyYamlValue(file(c, 'network-config')), c.label).toEqual({
        version: 2,
        ethernets: {
          nic0: {
            match: {macaddress: MAC.nic0},
            'set-name': 'nic0',
            dhcp4: false,
            addresses: ['10.200.1.10/24', '10.200.1.11/24'],
            routes: [{to: '0.0.0.0/0', via: '10.200.1.1'}],
            nameservers: {addresses: ['10.200.1.53', '1.1.1.1']},
          },
          nic1: {match: {macaddress: MAC.nic1}, 'set-name': 'nic1', dhcp4: true, nameservers: {addresses: ['10.200.1.53']}},
          nic2: {match: {name: 'eth2'}, dhcp4: true},
          nic3: {match: {macaddress: MAC.nic3}, 'set-name': 'nic3', dhcp4: false, addresses: ['192.168.50.5/28']},
        },
      })
    }
  })

  // The document is the same for every cloud-init template (one built-in network-config).
  const text = file(CLOUD_INIT[0], 'network-config')
  it('is one document for every cloud-init template', () => {
    for (const c of CLOUD_INIT) expect(file(c, 'network-config'), c.label).toBe(text)
  })
  const macs = {eth0: MAC.nic0, eth1: MAC.nic1, eth2: '00:15:5d:0a:0b:99', eth3: MAC.nic3}

  it('cloud-init\'s parser renders it as RHEL ifcfg files (Rocky, Alma): addresses, netmask, gateway, DNS, HWADDR', () => {
    const files = cloudInitNetConvert(text, {distro: 'rhel', output: 'sysconfig', macs})
    const ifcfg = (name: string) => ifcfgValues(files[`etc/sysconfig/network-scripts/ifcfg-${name}`] ?? '')
    expect(ifcfg('nic0')).toMatchObject({
      BOOTPROTO: 'none',
      HWADDR: MAC.nic0,
      IPADDR: '10.200.1.10',
      NETMASK: '255.255.255.0',
      IPADDR1: '10.200.1.11',
      NETMASK1: '255.255.255.0',
      GATEWAY: '10.200.1.1',
      DNS1: '10.200.1.53',
      DNS2: '1.1.1.1',
    })
    expect(ifcfg('nic1')).toMatchObject({BOOTPROTO: 'dhcp', HWADDR: MAC.nic1})
    // the sysconfig renderer writes a DHCP adapter's DNS servers into resolv.conf, with the others
    const resolv = (files['etc/resolv.conf'] ?? '').split('\n').filter((l) => l.startsWith('nameserver '))
    expect(resolv).toEqual(['nameserver 10.200.1.53', 'nameserver 1.1.1.1'])
    expect(ifcfg('nic1')).not.toHaveProperty('IPADDR')
    expect(ifcfg('nic2')).toMatchObject({BOOTPROTO: 'dhcp'})
    expect(ifcfg('nic3')).toMatchObject({BOOTPROTO: 'none', HWADDR: MAC.nic3, IPADDR: '192.168.50.5', NETMASK: '255.255.255.240'})
    expect(ifcfg('nic3')).not.toHaveProperty('GATEWAY')
    expect(ifcfg('nic3')).not.toHaveProperty('DNS1')
    // set-name: udev renames the MAC-matched interfaces
    const udev = files['etc/udev/rules.d/70-persistent-net.rules']
    for (const [name, mac] of [['nic0', MAC.nic0], ['nic1', MAC.nic1], ['nic3', MAC.nic3]]) {
      expect(udev).toContain(`ATTR{address}=="${mac}", NAME="${name}"`)
    }
  })

  it('cloud-init\'s parser renders it as systemd-networkd units (Debian, Ubuntu): MACAddress match, Address, Gateway, DNS', () => {
    const files = cloudInitNetConvert(text, {distro: 'debian', output: 'networkd', macs})
    const unit = (name: string) => files[`etc/systemd/network/10-cloud-init-${name}.network`] ?? ''
    const lines = (name: string) => unit(name).split('\n').map((l) => l.trim()).filter((l) => l !== '')
    expect(lines('nic0')).toEqual(
      expect.arrayContaining([`MACAddress=${MAC.nic0}`, 'Address=10.200.1.10/24', 'Address=10.200.1.11/24', 'Destination=0.0.0.0/0', 'Gateway=10.200.1.1', 'DNS=10.200.1.53 1.1.1.1', 'DHCP=no']),
    )
    expect(lines('nic1')).toEqual(expect.arrayContaining([`MACAddress=${MAC.nic1}`, 'DHCP=ipv4', 'DNS=10.200.1.53']))
    expect(lines('nic3')).toEqual(expect.arrayContaining([`MACAddress=${MAC.nic3}`, 'Address=192.168.50.5/28']))
    expect(unit('nic3')).not.toContain('Gateway=')
  })

  it('the route as `to: default` would be refused by this cloud-init (22.4, as Debian 12 ships): hence 0.0.0.0/0', () => {
    const withDefault = text.replace('to: 0.0.0.0/0', 'to: default')
    expect(withDefault).not.toBe(text)
    expect(() => cloudInitNetConvert(withDefault, {distro: 'rhel', output: 'sysconfig', macs})).toThrow(/default is not a valid ip/)
  })
})

// ============================================================================ kickstart

describe('kickstart', () => {
  const networkCommands = (c: Case) => (shlexSplit(kickstartLayout(file(c, 'ks.cfg')).commands) as string[][]).filter((w) => w[0] === 'network')

  it('writes one network command per adapter, by MAC, static or DHCP; the first carries the hostname', () => {
    const hostname = `--hostname=${KICKSTART.guest.hostname}`
    expect(networkCommands(KICKSTART)).toEqual([
      ['network', `--device=${MAC.nic0}`, '--onboot=yes', '--bootproto=static', '--ip=10.200.1.10', '--netmask=255.255.255.0', '--gateway=10.200.1.1', '--nameserver=10.200.1.53,1.1.1.1', hostname],
      ['network', `--device=${MAC.nic1}`, '--onboot=yes', '--bootproto=dhcp', '--nameserver=10.200.1.53'],
      ['network', '--device=eth2', '--onboot=yes', '--bootproto=dhcp'],
      ['network', `--device=${MAC.nic3}`, '--onboot=yes', '--bootproto=static', '--ip=192.168.50.5', '--netmask=255.255.255.240'],
    ])
  })

  it('with two addresses, the network command holds the first', () => {
    expect(networkCommands(KICKSTART_TWO)[0]).toContain('--ip=10.200.1.10')
    expect(file(KICKSTART_TWO, 'ks.cfg')).not.toContain('10.200.1.11')
  })
})

// ============================================================================= unattend

describe('unattend (specialize)', () => {
  const saved = new Map<Case, string>()
  const fileOf = (c: Case) => {
    if (!saved.has(c)) {
      const f = join(work, `${c.guest.name}-unattend.xml`)
      writeFileSync(f, file(c, 'unattend.xml'))
      saved.set(c, f)
    }
    return saved.get(c)!
  }
  const component = (name: string) => `//${el('settings')}[@pass='specialize']/${el('component')}[@name='${name}']`
  const tcpip = component('Microsoft-Windows-TCPIP')
  const dnsClient = component('Microsoft-Windows-DNS-Client')
  const children = (f: string, path: string) => {
    const n = Number(xpath(f, `count(${path}/*)`))
    return Array.from({length: n}, (_, i) => xpath(f, `local-name(${path}/*[${i + 1}])`))
  }
  const attr = (name: string) => `@*[local-name()='${name}']`

  it('is well-formed, and has one TCPIP and one DNS-Client component with the answer file\'s attributes', () => {
    for (const c of UNATTEND) {
      const f = fileOf(c)
      expect(xmlWellFormed(f).status, c.label).toBe(0)
      for (const path of [tcpip, dnsClient]) {
        expect(xpath(f, `count(${path})`), `${c.label} ${path}`).toBe('1')
        expect(xpath(f, `string(${path}/@processorArchitecture)`), c.label).toBe('amd64')
        expect(xpath(f, `string(${path}/@publicKeyToken)`), c.label).toBe('31bf3856ad364e35')
      }
    }
  })

  it('TCPIP: an Interface per static adapter, by MAC, DHCP off, its addresses, a default route only with a gateway, in the reference\'s order', () => {
    for (const c of UNATTEND) {
      const f = fileOf(c)
      const iface = (n: number) => `${tcpip}/${el('Interfaces')}/${el('Interface')}[${n}]`
      expect(xpath(f, `count(${tcpip}/${el('Interfaces')}/${el('Interface')})`), c.label).toBe('2')
      // Ipv4Settings, Identifier, UnicastIpAddresses, then Routes (Microsoft-Windows-TCPIP | Interfaces | Interface)
      expect(children(f, iface(1)), c.label).toEqual(['Ipv4Settings', 'Identifier', 'UnicastIpAddresses', 'Routes'])
      expect(xpath(f, `string(${iface(1)}/${attr('action')})`), c.label).toBe('add')
      expect(xpath(f, `string(${iface(1)}/${el('Identifier')})`), c.label).toBe('00-15-5D-0A-0B-0C')
      expect(xpath(f, `string(${iface(1)}/${el('Ipv4Settings')}/${el('DhcpEnabled')})`), c.label).toBe('false')
      const ip = (n: number, k: number) => `${iface(n)}/${el('UnicastIpAddresses')}/${el('IpAddress')}[${k}]`
      expect(xpath(f, `count(${iface(1)}/${el('UnicastIpAddresses')}/${el('IpAddress')})`), c.label).toBe('2')
      expect([xpath(f, `string(${ip(1, 1)})`), xpath(f, `string(${ip(1, 1)}/${attr('keyValue')})`), xpath(f, `string(${ip(1, 1)}/${attr('action')})`)], c.label).toEqual(['10.200.1.10/24', '1', 'add'])
      expect([xpath(f, `string(${ip(1, 2)})`), xpath(f, `string(${ip(1, 2)}/${attr('keyValue')})`)], c.label).toEqual(['10.200.1.11/24', '2'])
      // Route: Identifier, (Metric,) NextHopAddress, then Prefix
      const route = `${iface(1)}/${el('Routes')}/${el('Route')}`
      expect(xpath(f, `count(${route})`), c.label).toBe('1')
      expect(children(f, route), c.label).toEqual(['Identifier', 'NextHopAddress', 'Prefix'])
      expect([1, 2, 3].map((k) => xpath(f, `string(${route}/*[${k}])`)), c.label).toEqual(['1', '10.200.1.1', '0.0.0.0/0'])
      // nic3: static without a gateway, so no route
      expect(children(f, iface(2)), c.label).toEqual(['Ipv4Settings', 'Identifier', 'UnicastIpAddresses'])
      expect(xpath(f, `string(${iface(2)}/${el('Identifier')})`), c.label).toBe('00-15-5D-0A-0B-0E')
      expect(xpath(f, `string(${ip(2, 1)})`), c.label).toBe('192.168.50.5/28')
    }
  })

  it('DNS-Client: an Interface per adapter with DNS servers, by MAC, the servers in order', () => {
    for (const c of UNATTEND) {
      const f = fileOf(c)
      const iface = (n: number) => `${dnsClient}/${el('Interfaces')}/${el('Interface')}[${n}]`
      expect(xpath(f, `count(${dnsClient}/${el('Interfaces')}/${el('Interface')})`), c.label).toBe('2')
      const servers = (n: number) => {
        const path = `${iface(n)}/${el('DNSServerSearchOrder')}/${el('IpAddress')}`
        const count = Number(xpath(f, `count(${path})`))
        return Array.from({length: count}, (_, i) => [xpath(f, `string(${path}[${i + 1}]/${attr('keyValue')})`), xpath(f, `string(${path}[${i + 1}])`)])
      }
      expect(children(f, iface(1)), c.label).toEqual(['Identifier', 'DNSServerSearchOrder'])
      expect(xpath(f, `string(${iface(1)}/${el('Identifier')})`), c.label).toBe('00-15-5D-0A-0B-0C')
      expect(servers(1), c.label).toEqual([['1', '10.200.1.53'], ['2', '1.1.1.1']])
      expect(xpath(f, `string(${iface(2)}/${el('Identifier')})`), c.label).toBe('00-15-5D-0A-0B-0D')
      expect(servers(2), c.label).toEqual([['1', '10.200.1.53']])
    }
  })

  it('the server and client answer files write the same two components', () => {
    const block = (c: Case) => {
      const m = /<component name="Microsoft-Windows-TCPIP"[\s\S]*?<component name="Microsoft-Windows-DNS-Client"[\s\S]*?<\/component>/.exec(file(c, 'unattend.xml'))
      expect(m, c.label).not.toBeNull()
      return m![0]
    }
    expect(block(UNATTEND[1])).toBe(block(UNATTEND[0]))
  })

  it('a guest with DHCP adapters only (the built-in templates) gets neither component', () => {
    for (const c of [plan('ws2022'), plan('win11', 'windows-server-2025')]) {
      const f = fileOf(c)
      expect(xpath(f, `count(${tcpip})`), c.label).toBe('0')
      expect(xpath(f, `count(${dnsClient})`), c.label).toBe('0')
    }
  })
})
