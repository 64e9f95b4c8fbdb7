/**
 * The releases of today in the OS catalog (templates/catalog/os.yaml): each resolves to its own
 * entry with its integration facts, the open-ended family entries keep the older releases, and
 * the built-in templates of the dnf/dracut family and Debian 13 render a cloud-init user-data that
 * `cloud-init schema` accepts and that installs and enables what the catalog names.
 */
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {loadCatalog, lookupOs} from '../../../../src/resolve/integration/catalog.js'
import {planRun} from '../../../../src/plan/build-plan.js'
import type {GuestOs} from '../../../../src/model/schemas.js'
import {cloudInitSchemaTexts} from '../../../helpers/independent-tools.js'

const catalog = loadCatalog()
const lin = (distro: string, version: string): GuestOs => ({family: 'linux', distro, version})
const HV = ['hv_vmbus', 'hv_storvsc', 'hv_netvsc', 'hv_utils']
const EL_UNITS = ['hypervkvpd.service', 'hypervvssd.service', 'hypervfcopyd.service']
const UBUNTU_UNITS = ['hv-kvp-daemon.service', 'hv-vss-daemon.service', 'hv-fcopy-daemon.service']
const DEBIAN_UNITS = ['hyperv-daemons.hv-kvp-daemon.service', 'hyperv-daemons.hv-vss-daemon.service', 'hyperv-daemons.hv-fcopy-daemon.service']

const RELEASES: Array<{os: GuestOs; id: string; initramfs: string; packages: string[]; daemonUnits: string[]}> = [
  {os: lin('ubuntu', '24.04'), id: 'linux-ubuntu-2404', initramfs: 'initramfs-tools', packages: ['linux-cloud-tools-virtual'], daemonUnits: UBUNTU_UNITS},
  {os: lin('ubuntu', '24.04.2'), id: 'linux-ubuntu-2404', initramfs: 'initramfs-tools', packages: ['linux-cloud-tools-virtual'], daemonUnits: UBUNTU_UNITS},
  {os: lin('ubuntu', '26.04'), id: 'linux-ubuntu-2604', initramfs: 'dracut', packages: ['linux-cloud-tools-virtual'], daemonUnits: UBUNTU_UNITS},
  {os: lin('debian', '13'), id: 'linux-debian-13', initramfs: 'initramfs-tools', packages: ['hyperv-daemons'], daemonUnits: DEBIAN_UNITS},
  {os: lin('debian', '13.2'), id: 'linux-debian-13', initramfs: 'initramfs-tools', packages: ['hyperv-daemons'], daemonUnits: DEBIAN_UNITS},
  {os: lin('rocky', '9'), id: 'linux-rocky-9', initramfs: 'dracut', packages: ['hyperv-daemons'], daemonUnits: EL_UNITS},
  {os: lin('rocky', '9.6'), id: 'linux-rocky-9', initramfs: 'dracut', packages: ['hyperv-daemons'], daemonUnits: EL_UNITS},
  {os: lin('rockylinux', '10'), id: 'linux-rocky-10', initramfs: 'dracut', packages: ['hyperv-daemons'], daemonUnits: EL_UNITS},
  {os: lin('almalinux', '9.4'), id: 'linux-almalinux-9', initramfs: 'dracut', packages: ['hyperv-daemons'], daemonUnits: EL_UNITS},
  {os: lin('alma', '10'), id: 'linux-almalinux-10', initramfs: 'dracut', packages: ['hyperv-daemons'], daemonUnits: EL_UNITS},
]

describe('the releases of today in the OS catalog', () => {
  for (const r of RELEASES) {
    it(`${r.os.distro} ${r.os.version} resolves to ${r.id} with its facts`, () => {
      const m = lookupOs(catalog, r.os)
      expect(m.known).toBe(true)
      expect(m.entry).toMatchObject({
        id: r.id,
        family: 'linux',
        strategy: 'linux-builtin',
        initramfs: r.initramfs,
        kernelModules: HV,
        packages: r.packages,
        daemonUnits: r.daemonUnits,
        inboxDrivers: true,
        lisMedia: null,
        lisOption: null,
      })
    })
  }

  it('keeps the releases around them on the family entries', () => {
    const id = (distro: string, version: string) => lookupOs(catalog, lin(distro, version)).entry.id
    expect(id('ubuntu', '22.04')).toBe('linux-ubuntu')
    expect(id('ubuntu', '24.10')).toBe('linux-ubuntu')
    expect(id('ubuntu', '12.04')).toBe('linux-ubuntu')
    expect(id('debian', '12')).toBe('linux-debian')
    expect(id('debian', '14')).toBe('linux-debian')
    expect(id('rocky', '8.10')).toBe('linux-rocky')
    expect(id('almalinux', '8')).toBe('linux-almalinux')
    expect(id('rocky', '11')).toBe('linux-rocky')
  })

  it('Windows Server 2025 is a server that takes its ICs from Windows Update, with in-box drivers', () => {
    const m = lookupOs(catalog, {family: 'windows', version: '2025'})
    expect(m.known).toBe(true)
    expect(m.entry).toMatchObject({id: 'windows-2025', edition: 'server', icDelivery: 'windows-update', offlineCab: null, updateNeedsKvp: false, inboxDrivers: true})
  })
})

describe('cloud-init user-data of the dnf/dracut family and Debian 13', () => {
  const render = (template: string, hostOs: 'windows-server-2025' | 'windows-server-2022') => {
    const result = planRun({templates: [template], sets: ['adminPassword=S3cret pass!'], hostOs, profile: 'generic-1g', cwd: process.cwd()})
    const guest = result.plan.guests[0]
    expect(result.plan.diagnostics.filter((d) => d.severity === 'error'), template).toEqual([])
    const f = guest.firstBoot?.files.find((x) => x.name === 'user-data')
    if (!f) throw new Error(`${template}: no user-data`)
    return {guest, text: f.content}
  }
  const rocky = render('rocky-10', 'windows-server-2025')
  const debian = render('debian-13', 'windows-server-2022')

  it('passes `cloud-init schema`', async () => {
    const results = await cloudInitSchemaTexts([rocky.text, debian.text])
    for (const [i, r] of results.entries()) {
      expect(r.status, `${['rocky-10', 'debian-13'][i]}\n${r.output}`).toBe(0)
      expect(r.output).toMatch(/Valid cloud-config/)
    }
  })

  it('rocky-10 installs hyperv-daemons, writes a dracut drop-in, runs dracut -f and enables the EL units', () => {
    expect(rocky.guest.integration.catalogEntry).toBe('linux-rocky-10')
    const doc = parse(rocky.text)
    expect(doc.packages).toEqual(['hyperv-daemons'])
    expect(doc.write_files).toEqual([{path: '/etc/dracut.conf.d/hyperv.conf', content: `add_drivers+=" ${HV.join(' ')} "\n`, append: false}])
    expect(doc.runcmd).toEqual([['dracut', '-f', '--regenerate-all'], ...EL_UNITS.map((u) => ['systemctl', 'enable', '--now', u]), ['touch', '/var/lib/hvguest-firstboot-done']])
    expect(rocky.text).not.toMatch(/update-initramfs|apt-get|linux-cloud-tools/)
  })

  it('debian-13 installs hyperv-daemons, adds the hv_* modules for update-initramfs and enables the Debian units', () => {
    expect(debian.guest.integration.catalogEntry).toBe('linux-debian-13')
    const doc = parse(debian.text)
    expect(doc.packages).toEqual(['hyperv-daemons'])
    expect(doc.write_files).toEqual([{path: '/etc/initramfs-tools/modules', content: HV.map((m) => `${m}\n`).join(''), append: true}])
    expect(doc.runcmd).toEqual([['update-initramfs', '-u', '-k', 'all'], ...DEBIAN_UNITS.map((u) => ['systemctl', 'enable', '--now', u]), ['touch', '/var/lib/hvguest-firstboot-done']])
  })
})
