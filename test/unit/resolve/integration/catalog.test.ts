import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {compareVersions, loadCatalog, lookupOs, parseVersion} from '../../../../src/resolve/integration/catalog.js'
import {InputError} from '../../../../src/model/diagnostic.js'
import type {GuestOs} from '../../../../src/model/schemas.js'

const catalog = loadCatalog()
const win = (version: string, edition?: 'server' | 'client'): GuestOs => ({family: 'windows', version, ...(edition ? {edition} : {})})
const lin = (distro: string, version: string): GuestOs => ({family: 'linux', distro, version})

describe('loadCatalog', () => {
  it('loads the built-in catalog once and caches it', () => {
    expect(loadCatalog()).toBe(catalog)
    expect(catalog.file).toMatch(/templates[\\/]catalog[\\/]os\.yaml$/)
  })

  it('throws an InputError with the line of a bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvguest-catalog-'))
    const file = join(dir, 'os.yaml')
    writeFileSync(
      file,
      [
        'apiVersion: hvguest/v1',
        'kind: OsCatalog',
        'lisMedia: lis.iso',
        'fallback:',
        '  windows: {id: windows-unknown, name: W, edition: server, icDelivery: media, offlineCab: null, updateNeedsKvp: true, inboxDrivers: false, reason: r}',
        '  linux: {id: linux-unknown, name: L, strategy: linux-builtin, initramfs: null, kernelModules: [], packages: [], inboxDrivers: false, reason: r}',
        'windows:',
        '  - {id: windows-2019, name: WS2019, edition: server, versions: ["2019"], icDelivery: telepathy, offlineCab: null, updateNeedsKvp: false, inboxDrivers: true}',
        'linux: []',
        '',
      ].join('\n'),
    )
    let error: unknown
    try {
      loadCatalog(file)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    const d = (error as InputError).diagnostics[0]
    expect(d.code).toBe('schema')
    expect(d.message).toContain('windows[0].icDelivery')
    expect(d.source).toMatchObject({file, line: 8})
  })
})

describe('lookupOs: every built-in OS', () => {
  it.each([
    ['2008', 'windows-2008', 'media', null],
    ['2008r2', 'windows-2008r2', 'media', 'Windows6.x-HyperVIntegrationServices-x64.cab'],
    ['2012', 'windows-2012', 'media', 'Windows6.2-HyperVIntegrationServices-x64.cab'],
    ['2012r2', 'windows-2012r2', 'media', 'Windows6.2-HyperVIntegrationServices-x64.cab'],
    ['2016', 'windows-2016', 'windows-update', null],
    ['2019', 'windows-2019', 'windows-update', null],
    ['2022', 'windows-2022', 'windows-update', null],
    ['2025', 'windows-2025', 'windows-update', null],
  ])('Windows Server %s → %s', (version, id, icDelivery, offlineCab) => {
    const m = lookupOs(catalog, win(version, 'server'))
    expect(m).toMatchObject({known: true, entry: {family: 'windows', id, icDelivery, offlineCab, edition: 'server', inboxDrivers: true}})
    expect(lookupOs(catalog, win(version)).entry.id).toBe(id)
  })

  it.each([
    ['7', 'windows-7', 'media'],
    ['8', 'windows-8', 'media'],
    ['8.1', 'windows-8.1', 'media'],
    ['10', 'windows-10', 'windows-update'],
    ['11', 'windows-11', 'windows-update'],
  ])('Windows %s (client) → %s', (version, id, icDelivery) => {
    expect(lookupOs(catalog, win(version, 'client'))).toMatchObject({known: true, entry: {id, icDelivery, edition: 'client'}})
  })

  it('needs the Data Exchange service for Windows Update exactly where [IS] says so', () => {
    const needsKvp = ['2008r2', '2012', '7', '8']
    for (const v of ['2008', '2008r2', '2012', '2012r2', '2016', '7', '8', '8.1', '10']) {
      const e = lookupOs(catalog, win(v)).entry
      expect(e.family === 'windows' && e.updateNeedsKvp, v).toBe(needsKvp.includes(v))
    }
  })

  it.each(['2012 R2', '2012R2', 'Server 2012 R2'])('normalises the Windows version "%s"', (v) => {
    expect(lookupOs(catalog, win(v)).entry.id).toBe('windows-2012r2')
  })

  it.each([
    ['ubuntu', '12.04', 'linux-ubuntu', 'initramfs-tools', ['linux-cloud-tools-virtual']],
    ['ubuntu', '24.04', 'linux-ubuntu-2404', 'initramfs-tools', ['linux-cloud-tools-virtual']],
    ['debian', '7', 'linux-debian', 'initramfs-tools', ['hyperv-daemons']],
    ['debian', '12', 'linux-debian', 'initramfs-tools', ['hyperv-daemons']],
    ['centos', '7', 'linux-centos', 'dracut', ['hyperv-daemons']],
    ['centos', '7.9.2009', 'linux-centos', 'dracut', ['hyperv-daemons']],
    ['rhel', '9.4', 'linux-rhel', 'dracut', ['hyperv-daemons']],
    ['RedHat', '8', 'linux-rhel', 'dracut', ['hyperv-daemons']],
    ['oracle', '7', 'linux-oracle', 'dracut', ['hyperv-daemons']],
    ['rocky', '9', 'linux-rocky-9', 'dracut', ['hyperv-daemons']],
    ['almalinux', '8', 'linux-almalinux', 'dracut', ['hyperv-daemons']],
    ['sles', '12', 'linux-sles', 'dracut', ['hyper-v']],
    ['sles', '15-SP5', 'linux-sles', 'dracut', ['hyper-v']],
  ])('%s %s → %s (in-kernel drivers)', (distro, version, id, initramfs, packages) => {
    const m = lookupOs(catalog, lin(distro, version))
    expect(m).toMatchObject({known: true, entry: {family: 'linux', id, strategy: 'linux-builtin', initramfs, packages, lisMedia: null, inboxDrivers: true}})
    if (m.entry.family === 'linux') expect(m.entry.kernelModules).toEqual(['hv_vmbus', 'hv_storvsc', 'hv_netvsc', 'hv_utils'])
  })

  // Microsoft's CentOS/RHEL support tables: no built-in drivers before 5.9 and in 6.0-6.3 (LIS needed).
  it.each([
    ['centos', '5.2', 'linux-centos-5-lis'],
    ['centos', '5.8', 'linux-centos-5-lis'],
    ['centos', '6', 'linux-centos-6-lis'],
    ['centos', '6.3', 'linux-centos-6-lis'],
    ['rhel', '5.5', 'linux-rhel-5-lis'],
    ['rhel', '6.0', 'linux-rhel-6-lis'],
    ['rhel', '6.3', 'linux-rhel-6-lis'],
    ['oracle', '6.9', 'linux-oracle-6'],
  ])('%s %s → %s (LIS media)', (distro, version, id) => {
    expect(lookupOs(catalog, lin(distro, version))).toMatchObject({
      known: true,
      entry: {id, strategy: 'linux-lis', lisMedia: 'LinuxIntegrationServices-4.1.3-2.iso', lisOption: null, inboxDrivers: false},
    })
  })

  // ... and built-in drivers in 5.9-5.11 and 6.4-6.10, where LIS is optional (for its extras).
  it.each([
    ['centos', '5.9', 'linux-centos-5', 'mkinitrd', []],
    ['centos', '5.11', 'linux-centos-5', 'mkinitrd', []],
    ['rhel', '5.10', 'linux-rhel-5', 'mkinitrd', []],
    ['centos', '6.4', 'linux-centos-6', 'dracut', ['hypervkvpd']],
    ['centos', '6.10', 'linux-centos-6', 'dracut', ['hypervkvpd']],
    ['rhel', '6.4', 'linux-rhel-6', 'dracut', ['hypervkvpd']],
    ['RedHat', '6.10', 'linux-rhel-6', 'dracut', ['hypervkvpd']],
  ])('%s %s → %s (built-in drivers, LIS optional)', (distro, version, id, initramfs, packages) => {
    expect(lookupOs(catalog, lin(distro, version))).toMatchObject({
      known: true,
      entry: {
        id,
        strategy: 'linux-builtin',
        initramfs,
        packages,
        lisMedia: null,
        lisOption: {media: 'LinuxIntegrationServices-4.1.3-2.iso', packages: ['kmod-microsoft-hyper-v', 'microsoft-hyper-v']},
        inboxDrivers: true,
      },
    })
  })

  it('names its source for the RHEL/CentOS 5 and 6 split', () => {
    const text = readFileSync(catalog.file, 'utf8')
    expect(text).toContain('https://learn.microsoft.com/windows-server/virtualization/hyper-v/supported-centos-and-red-hat-enterprise-linux-virtual-machines-on-hyper-v')
    expect(text).toContain('b16d89406c004e62496ea1bcbe14c71fa411b884')
  })
})

describe('lookupOs: unknown OS', () => {
  it.each([win('2003'), win('xp'), win('2019', 'client'), win('10', 'server')])('falls back to windows-unknown for %o', (os) => {
    const m = lookupOs(catalog, os)
    expect(m).toMatchObject({known: false, entry: {id: 'windows-unknown', icDelivery: 'media', offlineCab: null, inboxDrivers: false}})
    expect(m.reason).toBeTruthy()
  })

  it.each([lin('arch', '2024.01'), lin('ubuntu', '10.04'), lin('centos', '4.8'), lin('centos', '5.1'), lin('oracle', '5'), lin('debian', 'bookworm'), {family: 'linux', version: '6'} as GuestOs])(
    'falls back to linux-unknown for %o',
    (os) => {
      expect(lookupOs(catalog, os)).toMatchObject({known: false, entry: {id: 'linux-unknown', strategy: 'linux-builtin', packages: [], inboxDrivers: false}})
    },
  )
})

describe('version helpers', () => {
  it('compares dotted versions number by number', () => {
    expect(compareVersions(parseVersion('6.10')!, parseVersion('6.9')!)).toBeGreaterThan(0)
    expect(compareVersions(parseVersion('7')!, parseVersion('7.0')!)).toBe(0)
    expect(parseVersion('bookworm')).toBeNull()
  })
})
