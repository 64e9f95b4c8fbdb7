/**
 * Emulated guests take their addresses from the network configuration on their first-boot media
 * (docs/emulator-guests.md, "Addresses"): a cloud-init network-config, kickstart network
 * commands, the answer file's TCPIP interfaces. An entry whose MAC (or name, or driver) matches an
 * adapter gives it its static addresses; DHCP gives one only where the switch has DHCP; an entry
 * for a MAC no adapter has configures nothing, and the guest's notes say so. The addresses show
 * where the runtime reads them (Get-VMNetworkAdapter IPAddresses, the KVP items), and the
 * runtime's guest-status answer is what `create --wait` decides readiness from.
 */
import {writeFileSync} from 'node:fs'
import {beforeAll, describe, expect, it} from 'vitest'
import {analyzeGuest} from '../../src/execute/guest-status.js'
import {type Probe, guestFixture, hasNote, localPath, makeIso, requireTool, runGuestScript, vhdHeader} from '../helpers/emulator-guest.js'
import {type EmulatorProject, makeEmulatorProject} from '../helpers/emulator-project.js'
import {runSession} from '../fixtures/runtime/harness.js'

// Lab: External (its physical network has DHCP); LabNet: Internal, no DHCP; HostDhcp: Internal whose
// record says the host serves DHCP on it (dhcp: true); Default Switch: Internal with DHCP, as
// Windows 10/11 have it (its record says dhcp: true, and the host has an address on it).
const SWITCHES = ['Lab', ...['LabNet', 'HostDhcp', 'Default Switch'].map((name) => ({name, type: 'Internal' as const}))]
// The host's address on vEthernet (Default Switch), as Internet Connection Sharing gives it.
const DEFAULT_SWITCH_HOST = {interfaceAlias: 'vEthernet (Default Switch)', ipAddress: '172.17.240.1', prefixLength: 20}

const mac = (n: number) => `00155D0A00${n.toString(16).toUpperCase().padStart(2, '0')}`
const colon = (m: string) => m.toLowerCase().match(/../g)!.join(':')
const dashed = (m: string) => m.match(/../g)!.join('-')

/** What hvguest's cloud-init template renders for one adapter with a static address (flow style, quoted). */
const staticNetworkConfig = (m: string, address: string) =>
  [
    'version: 2',
    'ethernets:',
    '  "nic0":',
    `    match: {"macaddress": "${colon(m)}"}`,
    '    set-name: "nic0"',
    '    dhcp4: false',
    `    addresses: ["${address}"]`,
    '    routes: [{"to": "default", "via": "10.200.1.1"}]',
    '    nameservers: {"addresses": ["10.200.1.53"]}',
    '',
  ].join('\n')

const unattendWith = (name: string, components: string) =>
  guestFixture('unattend/unattend.xml')
    .replace('<ComputerName>SQL01</ComputerName>', `<ComputerName>${name}</ComputerName>`)
    .replace('  </settings>\n  <settings pass="oobeSystem">', `${components}\n  </settings>\n  <settings pass="oobeSystem">`)

/** Microsoft-Windows-TCPIP and -DNS-Client for one interface, in the order the reference asks for. */
const tcpip = (identifier: string, address: string) => `
    <component name="Microsoft-Windows-TCPIP" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">
      <Interfaces>
        <Interface wcm:action="add">
          <Ipv4Settings><DhcpEnabled>false</DhcpEnabled></Ipv4Settings>
          <Identifier>${identifier}</Identifier>
          <UnicastIpAddresses><IpAddress wcm:action="add" wcm:keyValue="1">${address}</IpAddress></UnicastIpAddresses>
          <Routes><Route wcm:action="add"><Identifier>0</Identifier><NextHopAddress>10.200.1.1</NextHopAddress><Prefix>0.0.0.0/0</Prefix></Route></Routes>
        </Interface>
      </Interfaces>
    </component>
    <component name="Microsoft-Windows-DNS-Client" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">
      <Interfaces>
        <Interface wcm:action="add">
          <Identifier>${identifier}</Identifier>
          <DNSServerSearchOrder><IpAddress wcm:action="add" wcm:keyValue="1">10.200.1.53</IpAddress></DNSServerSearchOrder>
        </Interface>
      </Interfaces>
    </component>`

const IPV6_LINK_LOCAL = /^fe80::/
const ipv4Of = (probe: Probe) => probe.addresses.filter((a) => !a.includes(':'))

/** 172.17.240.0/20 without its network, broadcast and host addresses. */
function inDefaultSwitchSubnet(address: string): boolean {
  const [a, b, c, d] = address.split('.').map(Number)
  const value = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d
  const network = ((172 << 24) >>> 0) + (17 << 16) + (240 << 8)
  return value > network && value < network + 4095 && address !== DEFAULT_SWITCH_HOST.ipAddress
}

describe('guests take their addresses from their first-boot media, matched by MAC', () => {
  let p: EmulatorProject
  let probes: Record<string, Probe>
  beforeAll(() => {
    requireTool('xorriso')
    requireTool('genisoimage')
    p = makeEmulatorProject({guestTiming: {heartbeatSeconds: 0, addressSeconds: 0}, switches: SWITCHES})
    const state = p.state()
    const record = (name: string) => state.switches.find((s: {name: string}) => s.name === name)
    record('HostDhcp').dhcp = true
    record('Default Switch').dhcp = true
    record('LabNet').dhcp = false
    state.netIPAddresses = [...(state.netIPAddresses ?? []), DEFAULT_SWITCH_HOST]
    writeFileSync(p.stateFile, JSON.stringify(state, null, 2) + '\n')

    const seed = (name: string, networkConfig: string) =>
      makeIso('xorriso', 'cidata', {'user-data': `#cloud-config\nhostname: ${name}\n`, 'meta-data': `instance-id: ${name}-1\n`, 'network-config': networkConfig}, localPath(p, `C:\\ISO\\${name}.iso`))
    seed('cistatic', staticNetworkConfig(mac(1), '10.200.1.10/24'))
    // Block style, wrapped in network:, upper-case MAC, a YAML 1.1 boolean.
    seed('cidefault', `network:\n  version: 2\n  ethernets:\n    lan:\n      match:\n        macaddress: ${colon(mac(2)).toUpperCase()}\n      dhcp4: yes\n`)
    seed('ciinternal', `version: 2\nethernets:\n  lan:\n    match: {macaddress: "${colon(mac(3))}"}\n    dhcp4: true\n`)
    seed('cimismatch', staticNetworkConfig(mac(0x99), '10.200.1.14/24'))
    // The first adapter by MAC, the second by its kernel name (an entry without match).
    seed('citwo', `${staticNetworkConfig(mac(5), '10.200.1.15/24')}  eth1:\n    dhcp4: true\n`)
    seed('cihostdhcp', 'version: 2\nethernets:\n  all:\n    match: {driver: hv_netvsc}\n    dhcp4: true\n')
    // What h-firstboot's template renders for a static adapter: plain keys, a 0.0.0.0/0 route.
    seed('cirendered', `version: 2\nethernets:\n  nic0:\n    match: {"macaddress": "${colon(mac(14))}"}\n    set-name: nic0\n    dhcp4: false\n    addresses: ["10.200.1.16/24"]\n    routes: [{to: 0.0.0.0/0, via: "10.200.1.1" }]\n    nameservers: {addresses: ["10.200.1.53", "1.1.1.1"] }\n`)

    const ks = guestFixture('ks-centos6.cfg')
    const ksStatic = ks.replace(/^network .*$/m, `network --device=${colon(mac(8))} --bootproto=static --ip=10.200.1.30 --netmask=255.255.255.0 --gateway=10.200.1.1 --nameserver=10.200.1.53,1.1.1.1 --hostname=db1`)
    expect(ksStatic).not.toBe(ks)
    makeIso('genisoimage', 'OEMDRV', {'ks.cfg': `${ksStatic}\nreboot\n`}, localPath(p, 'C:\\ISO\\ksstatic.iso'))
    makeIso('genisoimage', 'OEMDRV', {'ks.cfg': `${ks}\nreboot\n`}, localPath(p, 'C:\\ISO\\ksdhcp.iso'))

    const answer = (name: string, components: string) => makeIso('genisoimage', 'UNATTEND', {'unattend.xml': unattendWith(name.toUpperCase(), components)}, localPath(p, `C:\\ISO\\${name}.iso`))
    answer('winstatic', tcpip(dashed(mac(10)), '10.200.1.40/24'))
    answer('winalias', tcpip('Ethernet', '10.200.1.41/24'))
    answer('winmismatch', tcpip(dashed(mac(0x99)), '10.200.1.42/24'))
    answer('windefault', '')

    probes = runGuestScript<Record<string, Probe>>(
      p,
      [
        "New-HvEmulatorImage -Path 'C:\\Images\\jammy.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init', 'linux-cloud-tools-virtual' | Out-Null",
        "New-HvEmulatorImage -Path 'C:\\Images\\ws2022.vhdx' -Os 'windows/2022' | Out-Null",
        "New-HvEmulatorMedia -Path 'C:\\ISO\\CentOS-6.10.iso' -Kind installer -Os 'linux/centos/6.10' | Out-Null",
        "New-HvEmulatorMedia -Path 'C:\\ISO\\LinuxIC-4.3.5.iso' -Kind linux-integration-services -Version 4.3.5 | Out-Null",
        'function New-AddressedVm {',
        '    # -Adapters: "<switch>=<MAC>" per adapter, in order.',
        '    param([string]$Name, [string]$Image, [string]$Seed, [string[]]$Adapters, [switch]$Install)',
        '    $first = $Adapters[0].Split("=")',
        '    New-Item -ItemType Directory -Force -Path "C:\\Hyper-V\\$Name" | Out-Null',
        '    if ($Install) {',
        '        New-VM -Name $Name -MemoryStartupBytes 1GB -NewVHDPath "C:\\Hyper-V\\$Name\\boot.vhdx" -NewVHDSizeBytes 20GB -SwitchName $first[0] | Out-Null',
        "        Set-VMDvdDrive -VMName $Name -ControllerNumber 1 -ControllerLocation 0 -Path 'C:\\ISO\\CentOS-6.10.iso'",
        '        Add-VMDvdDrive -VMName $Name -ControllerNumber 1 -ControllerLocation 1 -Path $Seed',
        "        Add-VMDvdDrive -VMName $Name -ControllerNumber 0 -ControllerLocation 1 -Path 'C:\\ISO\\LinuxIC-4.3.5.iso'",
        '    }',
        '    else {',
        '        New-VHD -Path "C:\\Hyper-V\\$Name\\boot.vhdx" -ParentPath $Image | Out-Null',
        '        New-VM -Name $Name -MemoryStartupBytes 1GB -VHDPath "C:\\Hyper-V\\$Name\\boot.vhdx" -SwitchName $first[0] | Out-Null',
        '        Set-VMDvdDrive -VMName $Name -ControllerNumber 1 -ControllerLocation 0 -Path $Seed',
        '    }',
        '    Set-VMNetworkAdapter -VMName $Name -StaticMacAddress $first[1]',
        '    foreach ($more in @($Adapters | Select-Object -Skip 1)) { $a = $more.Split("="); Add-VMNetworkAdapter -VMName $Name -Name "Network Adapter 2" -SwitchName $a[0] -StaticMacAddress $a[1] }',
        '    Start-VM -Name $Name',
        '}',
        `New-AddressedVm cistatic 'C:\\Images\\jammy.vhdx' 'C:\\ISO\\cistatic.iso' 'LabNet=${mac(1)}'`,
        `New-AddressedVm cidefault 'C:\\Images\\jammy.vhdx' 'C:\\ISO\\cidefault.iso' 'Default Switch=${mac(2)}'`,
        `New-AddressedVm ciinternal 'C:\\Images\\jammy.vhdx' 'C:\\ISO\\ciinternal.iso' 'LabNet=${mac(3)}'`,
        `New-AddressedVm cimismatch 'C:\\Images\\jammy.vhdx' 'C:\\ISO\\cimismatch.iso' 'LabNet=${mac(4)}'`,
        `New-AddressedVm citwo 'C:\\Images\\jammy.vhdx' 'C:\\ISO\\citwo.iso' 'LabNet=${mac(5)}', 'Lab=${mac(6)}'`,
        `New-AddressedVm cihostdhcp 'C:\\Images\\jammy.vhdx' 'C:\\ISO\\cihostdhcp.iso' 'HostDhcp=${mac(7)}'`,
        `New-AddressedVm cirendered 'C:\\Images\\jammy.vhdx' 'C:\\ISO\\cirendered.iso' 'LabNet=${mac(14)}'`,
        `New-AddressedVm ksstatic $null 'C:\\ISO\\ksstatic.iso' 'LabNet=${mac(8)}' -Install`,
        `New-AddressedVm ksdhcp $null 'C:\\ISO\\ksdhcp.iso' 'LabNet=${mac(9)}' -Install`,
        `New-AddressedVm winstatic 'C:\\Images\\ws2022.vhdx' 'C:\\ISO\\winstatic.iso' 'LabNet=${mac(10)}'`,
        `New-AddressedVm winalias 'C:\\Images\\ws2022.vhdx' 'C:\\ISO\\winalias.iso' 'LabNet=${mac(11)}'`,
        `New-AddressedVm winmismatch 'C:\\Images\\ws2022.vhdx' 'C:\\ISO\\winmismatch.iso' 'LabNet=${mac(12)}'`,
        `New-AddressedVm windefault 'C:\\Images\\ws2022.vhdx' 'C:\\ISO\\windefault.iso' 'Default Switch=${mac(13)}'`,
        'Write-GuestProbes cistatic, cidefault, ciinternal, cimismatch, citwo, cihostdhcp, cirendered, ksstatic, ksdhcp, winstatic, winalias, winmismatch, windefault',
      ].join('\n'),
    )
  }, 180_000)

  it('cloud-init network-config: the static address of the entry that matches the adapter\'s MAC, on an internal switch, in IPAddresses and KVP', () => {
    const g = probes.cistatic
    expect(g.heartbeat).toBe('OkApplicationsUnknown')
    expect(g.adapters).toHaveLength(1)
    expect(g.adapters[0].mac).toBe(mac(1))
    expect(g.adapters[0].addresses[0]).toBe('10.200.1.10')
    expect(g.adapters[0].addresses[1]).toMatch(IPV6_LINK_LOCAL)
    expect(g.adapters[0].addresses).toHaveLength(2)
    expect(g.kvp.NetworkAddressIPv4).toBe('10.200.1.10')
    expect(g.guest?.network).toEqual({
      source: 'network-config on IDE 1:0',
      interfaces: [{id: 'nic0', match: {macAddress: mac(1)}, dhcp4: false, addresses: ['10.200.1.10/24'], gateway: '10.200.1.1', dns: ['10.200.1.53']}],
      unlisted: 'none',
      problems: [],
    })
    hasNote(g, new RegExp(`^network-config on IDE 1:0 nic0 configures 'Network Adapter' \\(eth0, ${mac(1)}\\): static 10\\.200\\.1\\.10/24; gateway 10\\.200\\.1\\.1; DNS 10\\.200\\.1\\.53$`))
    // what the guest applied stays in its disk, as netplan's file does
    expect(vhdHeader(p, 'C:\\Hyper-V\\cistatic\\boot.vhdx').image.network.interfaces[0].addresses).toEqual(['10.200.1.10/24'])
  })

  it('DHCP on the Default Switch: a lease in the subnet of the host\'s vEthernet address', () => {
    const v4 = ipv4Of(probes.cidefault)
    expect(v4).toHaveLength(1)
    expect(inDefaultSwitchSubnet(v4[0]), v4[0]).toBe(true)
    expect(probes.cidefault.kvp.NetworkAddressIPv4).toBe(v4[0])
    expect(probes.windefault.kvp.NetworkAddressIPv4).toMatch(/^172\.17\./)
    expect(inDefaultSwitchSubnet(ipv4Of(probes.windefault)[0])).toBe(true)
  })

  it('DHCP on an internal switch without DHCP: Linux has no IPv4 address (only IPv6 link-local), Windows gives itself APIPA', () => {
    expect(probes.ciinternal.heartbeat).toBe('OkApplicationsUnknown')
    expect(probes.ciinternal.addresses).toHaveLength(1)
    expect(probes.ciinternal.addresses[0]).toMatch(IPV6_LINK_LOCAL)
    expect(probes.ciinternal.kvp.NetworkAddressIPv4).toBeUndefined()
    expect(probes.ciinternal.kvp.NetworkAddressIPv6).toBe(probes.ciinternal.addresses[0])
    expect(probes.ksdhcp.addresses).toHaveLength(1)
    expect(probes.ksdhcp.addresses[0]).toMatch(IPV6_LINK_LOCAL)
    // The answer file names a MAC the VM does not have: Windows keeps its adapter on DHCP, and
    // nothing answers on LabNet.
    expect(ipv4Of(probes.winmismatch)).toHaveLength(1)
    expect(ipv4Of(probes.winmismatch)[0]).toMatch(/^169\.254\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4])\.\d{1,3}$/)
  })

  it('an Internal switch whose record says the host serves DHCP on it gives a lease, to an adapter matched by driver', () => {
    const g = probes.cihostdhcp
    expect(g.guest?.network.interfaces[0].match).toEqual({driver: 'hv_netvsc'})
    expect(ipv4Of(g)).toEqual(['10.10.0.7'])
    hasNote(g, /network-config on IDE 1:0 all configures 'Network Adapter' \(eth0, 00155D0A0007\): DHCP$/)
  })

  it('the network-config hvguest\'s template renders (plain keys, a 0.0.0.0/0 route, two DNS servers) configures its adapter', () => {
    const g = probes.cirendered
    expect(g.adapters[0].addresses[0]).toBe('10.200.1.16')
    expect(g.guest?.network.interfaces).toEqual([
      {id: 'nic0', match: {macAddress: mac(14)}, dhcp4: false, addresses: ['10.200.1.16/24'], gateway: '10.200.1.1', dns: ['10.200.1.53', '1.1.1.1']},
    ])
  })

  it('a MAC no adapter has: the Linux guest configures nothing, and its notes say which entry and which adapter', () => {
    const g = probes.cimismatch
    expect(g.heartbeat).toBe('OkApplicationsUnknown')
    expect(g.services['2A34B1C2-FD73-4043-8A5B-DD2159BC743F'].status).toBe('OK')
    expect(g.addresses).toEqual([])
    expect(g.kvp.NetworkAddressIPv4).toBeUndefined()
    expect(g.kvp.FullyQualifiedDomainName).toBe('cimismatch')
    hasNote(g, new RegExp(`^network-config on IDE 1:0 nic0: no adapter has MAC 00155D0A0099 \\(eth0 ${mac(4)}\\): its addresses \\(10\\.200\\.1\\.14/24\\) are on no adapter$`))
    hasNote(g, new RegExp(`^'Network Adapter' \\(eth0, ${mac(4)}\\) is in no entry of network-config on IDE 1:0: the guest leaves it unconfigured$`))
    hasNote(probes.winmismatch, new RegExp(`^unattend\\.xml on IDE 1:0 Interface 00-15-5D-0A-00-99: no adapter has MAC 00155D0A0099 \\(Ethernet ${mac(12)}\\)`))
  })

  it('two adapters: one static by MAC, the other by its kernel name with DHCP on the External switch', () => {
    const [first, second] = probes.citwo.adapters
    expect(first.mac).toBe(mac(5))
    expect(first.addresses[0]).toBe('10.200.1.15')
    expect(second.mac).toBe(mac(6))
    expect(second.addresses[0]).toBe('10.10.0.6')
    expect(probes.citwo.kvp.NetworkAddressIPv4).toBe('10.200.1.15;10.10.0.6')
  })

  it('kickstart: network --device=<MAC> --bootproto=static gives the installed system its address', () => {
    const g = probes.ksstatic
    expect(g.guest?.bootedFrom).toBe('IDE 0:0 C:\\Hyper-V\\ksstatic\\boot.vhdx')
    expect(g.heartbeat).toBe('OkApplicationsUnknown')
    expect(g.adapters[0].addresses[0]).toBe('10.200.1.30')
    expect(g.kvp.NetworkAddressIPv4).toBe('10.200.1.30')
    expect(g.guest?.network.interfaces).toEqual([
      {id: `network --device=${colon(mac(8))}`, match: {macAddress: mac(8)}, dhcp4: false, addresses: ['10.200.1.30/24'], gateway: '10.200.1.1', dns: ['10.200.1.53', '1.1.1.1']},
    ])
    expect(g.kvp.FullyQualifiedDomainName).toBe('db1')
  })

  it('answer file: the TCPIP interface whose Identifier is the MAC (or the interface alias) gets its address, DNS from the DNS-Client component', () => {
    const g = probes.winstatic
    expect(g.heartbeat).toBe('OkApplicationsHealthy')
    expect(g.adapters[0].addresses[0]).toBe('10.200.1.40')
    expect(g.kvp.NetworkAddressIPv4).toBe('10.200.1.40')
    expect(g.guest?.network.interfaces).toEqual([
      {id: `Interface ${dashed(mac(10))}`, match: {macAddress: mac(10)}, dhcp4: false, addresses: ['10.200.1.40/24'], gateway: '10.200.1.1', dns: ['10.200.1.53']},
    ])
    expect(g.guest?.network.unlisted).toBe('dhcp')
    expect(probes.winalias.adapters[0].addresses[0]).toBe('10.200.1.41')
    expect(probes.winalias.guest?.network.interfaces[0].match).toEqual({name: 'Ethernet'})
  })

  it('the runtime reads them: guest-status answers the addresses, and the readiness rule of create --wait holds a static guest ready and a guest with only APIPA or link-local not', () => {
    const names = ['cistatic', 'ksstatic', 'winstatic', 'ciinternal', 'winmismatch', 'cimismatch']
    const run = runSession({dir: p.dir, stateFile: p.stateFile, state: p.state, local: (w: string) => localPath(p, w)}, [{action: 'guest-status', vmRoot: 'C:\\Hyper-V', names}])
    expect(run.stray).toEqual([])
    const answer = run.answers[0]
    expect(answer.ok, JSON.stringify(answer.error)).toBe(true)
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const guests: any[] = answer.data.guests
    expect(guests.map((g) => g.name)).toEqual(names)
    const byName = Object.fromEntries(guests.map((g) => [g.name, g]))
    expect(byName.cistatic.networkAdapters[0].addresses[0]).toBe('10.200.1.10')
    expect(byName.cistatic.kvp.NetworkAddressIPv4).toBe('10.200.1.10')
    const ready = Object.fromEntries(guests.map((g) => [g.name, analyzeGuest('emu', g).ready]))
    expect(ready).toEqual({cistatic: true, ksstatic: true, winstatic: true, ciinternal: false, winmismatch: false, cimismatch: false})
  }, 120_000)
})

describe("a Windows 11 host's own Default Switch", () => {
  it('gives a DHCP guest a lease in the subnet of the host address on vEthernet (Default Switch)', () => {
    requireTool('xorriso')
    const p = makeEmulatorProject({hostOs: 'windows-11', guestTiming: {heartbeatSeconds: 0, addressSeconds: 0}})
    const state = p.state()
    const sw = state.switches.find((s: {name: string}) => s.name === 'Default Switch')
    expect(sw).toMatchObject({switchType: 'Internal', dhcp: true})
    const host = state.netIPAddresses.find((a: {interfaceAlias: string}) => a.interfaceAlias === 'vEthernet (Default Switch)')
    expect(host.prefixLength).toBeLessThanOrEqual(24)
    makeIso('xorriso', 'cidata', {'user-data': '#cloud-config\nhostname: laptop1\n', 'meta-data': 'instance-id: laptop1-1\n', 'network-config': `version: 2\nethernets:\n  lan:\n    match: {macaddress: "${colon(mac(0x20))}"}\n    dhcp4: true\n`}, localPath(p, 'C:\\ISO\\laptop1.iso'))
    const probes = runGuestScript<Record<string, Probe>>(
      p,
      [
        "New-HvEmulatorImage -Path 'C:\\Images\\jammy.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init', 'linux-cloud-tools-virtual' | Out-Null",
        "New-VHD -Path 'C:\\Images\\laptop1.vhdx' -ParentPath 'C:\\Images\\jammy.vhdx' | Out-Null",
        "New-VM -Name laptop1 -Generation 2 -MemoryStartupBytes 1GB -VHDPath 'C:\\Images\\laptop1.vhdx' -SwitchName 'Default Switch' | Out-Null",
        "Set-VMFirmware -VMName laptop1 -SecureBootTemplate MicrosoftUEFICertificateAuthority",
        `Set-VMNetworkAdapter -VMName laptop1 -StaticMacAddress ${mac(0x20)}`,
        "Add-VMDvdDrive -VMName laptop1 -Path 'C:\\ISO\\laptop1.iso'",
        'Start-VM -Name laptop1',
        'Write-GuestProbes laptop1',
      ].join('\n'),
    )
    const v4 = ipv4Of(probes.laptop1)
    expect(v4).toHaveLength(1)
    const [a, b, c] = String(host.ipAddress).split('.')
    // same network as the host's address (a /20 or longer keeps the first two octets), not the host's own
    expect(v4[0].split('.').slice(0, 2)).toEqual([a, b])
    expect(v4[0]).not.toBe(host.ipAddress)
    expect(Number(v4[0].split('.')[2]) >> (24 - host.prefixLength)).toBe(Number(c) >> (24 - host.prefixLength))
    expect(probes.laptop1.kvp.NetworkAddressIPv4).toBe(v4[0])
  }, 120_000)
})
