import {describe, expect, it} from 'vitest'
import {loadCatalog} from '../../../../src/resolve/integration/catalog.js'
import {resolveIntegration, VMGUEST_ISO, type IntegrationInput} from '../../../../src/resolve/integration/resolve-integration.js'
import {locateNowhere} from '../../../../src/model/source.js'
import type {HostOs} from '../../../../src/model/host-os.js'
import type {GuestOs, IntegrationSpec} from '../../../../src/model/schemas.js'

const catalog = loadCatalog()
const win = (version: string): GuestOs => ({family: 'windows', version})
const lin = (distro: string, version: string): GuestOs => ({family: 'linux', distro, version})
const WS2012R2: HostOs = 'windows-server-2012r2'
const WS2022: HostOs = 'windows-server-2022'

const run = (os: GuestOs, hostOs: HostOs, spec?: IntegrationSpec) =>
  resolveIntegration({
    guest: 'g1',
    os,
    spec,
    hostOs,
    host: {isoRoot: 'D:\\ISO', imageRoot: 'D:\\Images'},
    catalog,
    locate: locateNowhere('t.yaml'),
  } satisfies IntegrationInput)
const codes = (r: {diagnostics: Array<{code: string}>}) => r.diagnostics.map((d) => d.code)

/** Hosts that ship vmguest.iso, and hosts that do not [IS]. */
const MEDIA_HOSTS: HostOs[] = ['windows-server-2008r2', 'windows-server-2012', WS2012R2]
const UPDATE_HOSTS: HostOs[] = ['windows-10', 'windows-server-2016', 'windows-server-2019', 'windows-11', WS2022, 'windows-server-2025']

describe('resolveIntegration: Windows, install auto', () => {
  it.each(MEDIA_HOSTS)('attaches vmguest.iso for an IC-media-era guest on %s', (host) => {
    const r = run(win('2012r2'), host)
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({strategy: 'windows-ic-media', install: 'auto', catalogEntry: 'windows-2012r2', media: VMGUEST_ISO})
    expect(r.guestHasDrivers).toBe(true)
  })

  it.each(UPDATE_HOSTS)('uses Windows Update for an IC-media-era guest on %s (info)', (host) => {
    const r = run(win('2008r2'), host)
    expect(r.integration).toMatchObject({strategy: 'windows-update', media: null, offlinePackages: []})
    expect(codes(r)).toEqual(['ic-via-windows-update'])
    expect(r.diagnostics[0]).toMatchObject({severity: 'info', source: {path: 'spec.integration.install'}})
    expect(r.diagnostics[0].message).toContain('Data Exchange')
  })

  it.each([...MEDIA_HOSTS, ...UPDATE_HOSTS])('uses Windows Update for Windows Server 2022 on %s, silently', (host) => {
    const r = run(win('2022'), host)
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({strategy: 'windows-update', catalogEntry: 'windows-2022', media: null})
    expect(r.guestHasDrivers).toBe(true)
  })

  it('warns when Windows Update needs KVP and the template turns it off', () => {
    const r = run(win('2012'), WS2022, {services: {keyValuePairExchange: false}})
    expect(codes(r)).toEqual(['ic-via-windows-update', 'ic-kvp-needed-for-update'])
    expect(r.diagnostics[1]).toMatchObject({severity: 'warning', source: {path: 'spec.integration.services.keyValuePairExchange'}})
  })

  it.each([
    ['KVP on', win('2012'), WS2022, {services: {keyValuePairExchange: true}}],
    ['2012 R2 needs no KVP for Windows Update [IS]', win('2012r2'), WS2022, {services: {keyValuePairExchange: false}}],
    ['vmguest.iso on a 2012 R2 host', win('2012'), WS2012R2, {services: {keyValuePairExchange: false}}],
  ] as const)('does not warn about KVP (%s)', (_, os, host, spec) => {
    expect(codes(run(os, host, spec))).not.toContain('ic-kvp-needed-for-update')
  })
})

describe('resolveIntegration: Windows, explicit install', () => {
  it('attach-media on a 2016+ host is ic-media-unavailable, planned as auto', () => {
    const r = run(win('2012r2'), 'windows-server-2016', {install: 'attach-media'})
    expect(codes(r)).toEqual(['ic-media-unavailable', 'ic-via-windows-update'])
    expect(r.diagnostics[0]).toMatchObject({severity: 'error', source: {path: 'spec.integration.install'}})
    expect(r.integration).toMatchObject({install: 'attach-media', strategy: 'windows-update', media: null})
  })

  it.each(['windows-10', 'windows-11'] as const)('attach-media on a %s host is ic-media-unavailable', (host) => {
    expect(codes(run(win('2019'), host, {install: 'attach-media'}))).toEqual(['ic-media-unavailable'])
  })

  it('attach-media on a 2012 R2 host attaches vmguest.iso (near miss)', () => {
    const r = run(win('2019'), WS2012R2, {install: 'attach-media'})
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({strategy: 'windows-ic-media', media: VMGUEST_ISO})
  })

  it('offline on a host with vmguest takes the cab from the host', () => {
    const r = run(win('2008r2'), WS2012R2, {install: 'offline'})
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({
      strategy: 'windows-offline',
      media: null,
      offlinePackages: ['C:\\Windows\\vmguest\\support\\amd64\\Windows6.x-HyperVIntegrationServices-x64.cab'],
    })
    expect(r.guestHasDrivers).toBe(true)
  })

  it('offline on a 2016+ host expects the KB3071740 cab in imageRoot', () => {
    const r = run(win('2012'), WS2022, {install: 'offline'})
    expect(r.diagnostics).toEqual([])
    expect(r.integration.offlinePackages).toEqual(['D:\\Images\\Windows6.2-HyperVIntegrationServices-x64.cab'])
  })

  it.each([win('2008'), win('2016'), win('2003')])('offline for %o is ic-offline-unsupported', (os) => {
    const r = run(os, WS2012R2, {install: 'offline'})
    expect(codes(r)).toContain('ic-offline-unsupported')
    expect(r.integration.strategy).not.toBe('windows-offline')
  })

  it('none plans no ICs and trusts in-box drivers', () => {
    const r = run(win('2019'), WS2022, {install: 'none'})
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({strategy: 'none', install: 'none', media: null})
    expect(r.guestHasDrivers).toBe(true)
    expect(r.integration.services).toHaveLength(6)
  })
})

describe('resolveIntegration: Linux', () => {
  it.each([WS2012R2, WS2022])('uses in-kernel drivers for Ubuntu on %s', (host) => {
    const r = run(lin('ubuntu', '22.04'), host)
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({
      strategy: 'linux-builtin',
      catalogEntry: 'linux-ubuntu',
      media: null,
      kernelModules: ['hv_vmbus', 'hv_storvsc', 'hv_netvsc', 'hv_utils'],
      packages: ['linux-cloud-tools-virtual'],
    })
    expect(r.guestHasDrivers).toBe(true)
  })

  it.each([WS2012R2, WS2022])('attaches LIS media from isoRoot for CentOS 6.0-6.3 on %s', (host) => {
    const r = run(lin('centos', '6.3'), host)
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({strategy: 'linux-lis', catalogEntry: 'linux-centos-6-lis', media: 'D:\\ISO\\LinuxIntegrationServices-4.1.3-2.iso'})
    expect(r.guestHasDrivers).toBe(true)
  })

  it.each([
    [lin('centos', '6.10'), 'linux-centos-6', ['hypervkvpd']],
    [lin('rhel', '6.4'), 'linux-rhel-6', ['hypervkvpd']],
    [lin('centos', '5.9'), 'linux-centos-5', []],
  ])('%o has built-in drivers: auto plans no LIS media and no warning', (os, entry, packages) => {
    const r = run(os, WS2022)
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({strategy: 'linux-builtin', catalogEntry: entry, media: null, packages})
    expect(r.guestHasDrivers).toBe(true)
  })

  it('LIS stays optional where the drivers are built in: attach-media plans the LIS media and its services', () => {
    const r = run(lin('centos', '6.10'), WS2022, {install: 'attach-media'})
    expect(r.diagnostics).toEqual([])
    expect(r.integration).toMatchObject({
      strategy: 'linux-lis',
      catalogEntry: 'linux-centos-6',
      media: 'D:\\ISO\\LinuxIntegrationServices-4.1.3-2.iso',
      packages: ['kmod-microsoft-hyper-v', 'microsoft-hyper-v'],
      daemonUnits: ['hypervkvpd', 'hypervvssd', 'hypervfcopyd'],
    })
  })

  it('a LIS-era guest with install: none has no drivers for synthetic devices; a built-in one has', () => {
    const r = run(lin('centos', '6.3'), WS2022, {install: 'none'})
    expect(r.integration).toMatchObject({strategy: 'none', media: null, packages: []})
    expect(r.guestHasDrivers).toBe(false)
    expect(run(lin('centos', '6.10'), WS2022, {install: 'none'}).guestHasDrivers).toBe(true)
  })

  it('attach-media works for LIS-era guests and is ic-media-unavailable for in-kernel ones', () => {
    expect(codes(run(lin('rhel', '6.5'), WS2022, {install: 'attach-media'}))).toEqual([])
    const r = run(lin('debian', '12'), WS2022, {install: 'attach-media'})
    expect(codes(r)).toEqual(['ic-media-unavailable'])
    expect(r.integration.strategy).toBe('linux-builtin')
  })

  it('offline is ic-offline-unsupported for Linux', () => {
    const r = run(lin('ubuntu', '22.04'), WS2012R2, {install: 'offline'})
    expect(codes(r)).toEqual(['ic-offline-unsupported'])
    expect(r.integration.strategy).toBe('linux-builtin')
  })
})

describe('resolveIntegration: unknown OS', () => {
  it('warns os-unknown for Windows and plans the conservative strategy', () => {
    const media = run(win('2003'), WS2012R2)
    expect(codes(media)).toEqual(['os-unknown'])
    expect(media.diagnostics[0]).toMatchObject({severity: 'warning', guest: 'g1', source: {path: 'spec.os'}})
    expect(media.integration).toMatchObject({strategy: 'windows-ic-media', catalogEntry: 'windows-unknown', media: VMGUEST_ISO})
    expect(media.integration.summary).toMatch(/^unknown OS/)
    expect(media.guestHasDrivers).toBe(false)
    const update = run(win('2003'), WS2022)
    expect(codes(update)).toEqual(['os-unknown', 'ic-via-windows-update'])
    expect(update.guestHasDrivers).toBe(false)
  })

  it('warns os-unknown for Linux and flags its drivers as unknown', () => {
    const r = run(lin('arch', '2024.01'), WS2022)
    expect(codes(r)).toEqual(['os-unknown'])
    expect(r.integration).toMatchObject({strategy: 'linux-builtin', catalogEntry: 'linux-unknown', packages: []})
    expect(r.guestHasDrivers).toBe(false)
  })

  it('stays silent for a known OS (near miss)', () => {
    expect(codes(run(lin('ubuntu', '12.04'), WS2022))).toEqual([])
  })
})

describe('resolveIntegration: services and summary', () => {
  it('carries every service with its GUID, template values over defaults', () => {
    const r = run(lin('ubuntu', '22.04'), WS2022, {services: {guestServiceInterface: true, vss: false}})
    const byKey = Object.fromEntries(r.integration.services.map((s) => [s.key, s]))
    expect(byKey.guestServiceInterface).toMatchObject({enabled: true, id: '6C09BB55-D683-4DA0-8931-C9BF705F6480'})
    expect(byKey.vss).toMatchObject({enabled: false, id: '5CED1297-4598-4915-A5FC-AD21BB4D02A4'})
    expect(byKey.heartbeat.enabled).toBe(true)
  })

  it.each([
    [win('2008r2'), WS2012R2, undefined],
    [win('2008r2'), WS2022, undefined],
    [win('2012'), WS2012R2, {install: 'offline'}],
    [lin('centos', '6'), WS2022, undefined],
    [lin('sles', '15'), WS2022, undefined],
    [win('2022'), WS2022, {install: 'none'}],
  ] as const)('summarises %o on %s in one line', (os, host, spec) => {
    const s = run(os, host, spec).integration.summary
    expect(s.length).toBeGreaterThan(20)
    expect(s).not.toContain('\n')
  })
})
