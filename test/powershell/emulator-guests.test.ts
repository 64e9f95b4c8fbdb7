/**
 * The emulated host simulates guests that boot (docs/emulator-guests.md): what a guest reports
 * (heartbeat, integration services, KVP items, addresses) follows from what it received — the
 * boot disk's image, the media in its drives and the first-boot files on them, the VM's
 * integration-service settings — never from a flag. Every rule has a case where the guest answers
 * and one where it does not. Seed media are real ISO 9660 images made by xorriso and genisoimage
 * (both required: a missing tool fails these tests, it never skips them), and the reader of those
 * images is checked byte for byte against them.
 */
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {type Probe, guestFixture as fixture, hasNote, localPath, makeIso, psQuote, requireTool, runGuestScript as run, vhdHeader} from '../helpers/emulator-guest.js'
import {type EmulatorProject, type EmulatorProjectOptions, makeEmulatorProject, prebuildEmulatorProjects} from '../helpers/emulator-project.js'
import {REPO, runPwshFile} from '../helpers/pwsh.js'

const KVP = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'
const HEARTBEAT = '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47'
const VSS = '5CED1297-4598-4915-A5FC-AD21BB4D02A4'
const GSI = '6C09BB55-D683-4DA0-8931-C9BF705F6480'
const SHUTDOWN = '9F8233AC-BE49-4C79-8EE3-E7E1985B2077'

/** The hosts of this file, built once (one pwsh for all) and copied per describe. */
const NO_DELAY = {heartbeatSeconds: 0, addressSeconds: 0}
const HOST_2012R2: EmulatorProjectOptions = {hostOs: 'windows-server-2012r2'}
const QUICK: EmulatorProjectOptions = {guestTiming: NO_DELAY}
const QUICK_2012R2: EmulatorProjectOptions = {hostOs: 'windows-server-2012r2', guestTiming: NO_DELAY}
// Two seconds in each phase, so that each probe (a dozen cmdlet calls, warmed up before the
// start) falls inside its phase even on a loaded machine; the waits are on the VM's own uptime.
const TIMED: EmulatorProjectOptions = {guestTiming: {heartbeatSeconds: 2, addressSeconds: 4}}
beforeAll(() => prebuildEmulatorProjects([HOST_2012R2, QUICK, QUICK_2012R2, TIMED]), 180_000)

const ipv4 = /^10\.\d{1,3}\.\d{1,3}\.(\d{1,3})$/

describe('Read-HvIsoImage reads images made by the real tools', () => {
  const files: Record<string, Buffer> = {
    'user-data': Buffer.from('#cloud-config\r\nhostname: web1\r\npackages:\r\n  - linux-cloud-tools-virtual\r\n'),
    'meta-data': Buffer.from('instance-id: i-1\nlocal-hostname: web1\n'),
    'résumé – 日本語.txt': Buffer.from('ünïcödé\n'),
    'big.bin': randomBytes(5000),
    empty: Buffer.alloc(0),
  }
  // Enough entries that the root directory takes several sectors.
  for (let i = 0; i < 70; i++) files[`seed-file-with-a-rather-long-name-${String(i).padStart(2, '0')}.cfg`] = Buffer.from(`file ${i}\n`)

  let read: Record<string, {volumeId: string; joliet: boolean; files: Record<string, string>}>
  beforeAll(() => {
    requireTool('xorriso')
    requireTool('genisoimage')
    const dir = mkdtempSync(join(tmpdir(), 'hvemu-iso-'))
    const images = {
      xorriso: makeIso('xorriso', 'cidata', files, join(dir, 'x.iso')),
      genisoimage: makeIso('genisoimage', 'OEMDRV', files, join(dir, 'g.iso')),
      primary: makeIso('genisoimage', 'PLAIN_ISO', {'README.TXT': 'read me\n', NOEXT: 'no extension\n'}, join(dir, 'p.iso'), false),
    }
    const script = join(dir, 'read.ps1')
    writeFileSync(
      script,
      [
        "$ErrorActionPreference = 'Stop'",
        `$env:PSModulePath = ${psQuote(join(REPO, 'ps', 'emulator'))} + [IO.Path]::PathSeparator + $env:PSModulePath`,
        'Import-Module HvEmulator',
        '$images = $env:HVG_IMAGES | ConvertFrom-Json -AsHashtable',
        '$out = [ordered]@{}',
        'foreach ($k in $images.Keys) {',
        '  $i = Read-HvIsoImage -LocalPath $images[$k]',
        '  $f = [ordered]@{}; foreach ($n in $i.files.Keys) { $f[$n] = [Convert]::ToBase64String($i.files[$n]) }',
        '  $out[$k] = [ordered]@{ volumeId = $i.volumeId; joliet = $i.joliet; files = $f }',
        '}',
        'ConvertTo-Json -InputObject $out -Depth 5 -Compress',
      ].join('\n'),
    )
    const r = runPwshFile(script, [], {env: {HVG_IMAGES: JSON.stringify(images)}})
    if (r.code !== 0) throw new Error(r.stderr + r.stdout)
    read = JSON.parse(r.stdout.trim().split('\n').pop()!)
  }, 120_000)

  for (const tool of ['xorriso', 'genisoimage'] as const) {
    it(`${tool}: the label and every file of the Joliet root, byte for byte, non-ASCII names included`, () => {
      const image = read[tool]
      expect(image.volumeId).toBe(tool === 'xorriso' ? 'cidata' : 'OEMDRV')
      expect(image.joliet).toBe(true)
      expect(Object.keys(image.files).sort()).toEqual(Object.keys(files).sort())
      for (const [name, bytes] of Object.entries(files)) expect(Buffer.from(image.files[name], 'base64').equals(bytes), name).toBe(true)
    })
  }

  it('without Joliet: the primary descriptor, ";1" and a bare "." removed', () => {
    expect(read.primary.volumeId).toBe('PLAIN_ISO')
    expect(read.primary.joliet).toBe(false)
    expect(Object.keys(read.primary.files).sort()).toEqual(['NOEXT', 'README.TXT'])
    expect(Buffer.from(read.primary.files['README.TXT'], 'base64').toString()).toBe('read me\n')
  })
})

describe('images and media', () => {
  it('New-HvEmulatorImage records the image in the VHD header; New-HvEmulatorMedia and vmguest.iso are HVEMU-ISO/1 media', () => {
    const p = makeEmulatorProject(HOST_2012R2)
    const out = run<{bad: string; badFormat: string}>(
      p,
      [
        "New-HvEmulatorImage -Path 'C:\\Images\\jammy.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init', 'openssh-server' | Out-Null",
        "New-HvEmulatorImage -Path 'C:\\Images\\ws.vhd' -Os 'windows/2012r2' -Format vhd -SizeBytes 60GB | Out-Null",
        "New-HvEmulatorMedia -Path 'C:\\ISO\\lis.iso' -Kind linux-integration-services -Version 4.3.5 | Out-Null",
        "New-HvEmulatorMedia -Path 'C:\\ISO\\c7.iso' -Kind installer -Os 'linux/centos/7.9' | Out-Null",
        "$bad = try { New-HvEmulatorImage -Path 'C:\\Images\\x.vhdx' -Os 'linux/gentoo/1' | Out-Null; 'no error' } catch { $_.Exception.Message }",
        "$badFormat = try { New-HvEmulatorImage -Path 'C:\\Images\\y.vhdx' -Os 'windows/2022' -Format vhd | Out-Null; 'no error' } catch { $_.Exception.Message }",
        'ConvertTo-Json -Compress @{ bad = $bad; badFormat = $badFormat }',
      ].join('\n'),
    )
    expect(out.bad).toMatch(/Unknown Linux guest 'linux\/gentoo\/1'/)
    expect(out.badFormat).toMatch(/does not match the extension/)
    const jammy = vhdHeader(p, 'C:\\Images\\jammy.vhdx')
    expect(jammy.image).toEqual({os: {family: 'linux', distro: 'ubuntu', version: '22.04'}, software: ['cloud-init', 'openssh-server'], generalized: true})
    expect(jammy.format).toBe('VHDX')
    const ws = vhdHeader(p, 'C:\\Images\\ws.vhd')
    expect(ws.image.os).toEqual({family: 'windows', distro: null, version: '2012r2'})
    expect([ws.format, ws.sizeBytes]).toEqual(['VHD', 60 * 1024 ** 3])
    const media = (w: string) => readFileSync(localPath(p, w), 'utf8').split('\n')
    expect(media('C:\\ISO\\lis.iso')[0]).toBe('HVEMU-ISO/1')
    expect(JSON.parse(media('C:\\ISO\\lis.iso')[1])).toEqual({kind: 'linux-integration-services', os: null, version: '4.3.5', packages: ['kmod-microsoft-hyper-v', 'microsoft-hyper-v']})
    expect(JSON.parse(media('C:\\ISO\\c7.iso')[1])).toEqual({kind: 'installer', os: {family: 'linux', distro: 'centos', version: '7.9'}, version: null, packages: []})
    // The host's own vmguest.iso: the integration services setup of a 2012 R2 host.
    expect(JSON.parse(media('C:\\Windows\\System32\\vmguest.iso')[1])).toEqual({kind: 'integration-services', os: null, version: '6.3.9600.16384', packages: []})
    expect(p.state().host.guestTiming).toEqual({heartbeatSeconds: 2, addressSeconds: 3})
  })
})

describe('Linux cloud images: cloud-init reads a cidata seed', () => {
  let p: EmulatorProject
  let first: Record<string, Probe>
  beforeAll(() => {
    requireTool('xorriso')
    p = makeEmulatorProject(QUICK)
    const userData = fixture('ubuntu-seed/user-data')
    const metaData = fixture('ubuntu-seed/meta-data')
    makeIso('xorriso', 'cidata', {'user-data': userData, 'meta-data': metaData}, localPath(p, 'C:\\ISO\\web1-seed.iso'))
    const withoutTools = userData.replace(/^ {2}- "linux-cloud-tools-virtual".*\n/m, '')
    expect(withoutTools).not.toMatch(/^ +- .*linux-cloud-tools/m)
    makeIso('xorriso', 'cidata', {'user-data': withoutTools, 'meta-data': metaData.replaceAll('web1', 'web2')}, localPath(p, 'C:\\ISO\\web2-seed.iso'))
    makeIso('xorriso', 'CIDATA', {'user-data': '#cloud-config\nhostname: api\nfqdn: api.lab.example\npackages: [jq, \'linux-cloud-tools-virtual\', "curl"]\n', 'meta-data': 'instance-id: api-1\nlocal-hostname: ignored\n'}, localPath(p, 'C:\\ISO\\api-seed.iso'))
    makeIso('xorriso', 'cidata', {'user-data': userData}, localPath(p, 'C:\\ISO\\half-seed.iso'))
    first = run<Record<string, Probe>>(
      p,
      [
        "New-HvEmulatorImage -Path 'C:\\Images\\jammy.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init', 'openssh-server' | Out-Null",
        'function New-CloudVm {',
        '    param([string]$Name, [string]$Seed, [switch]$NoKvp, [int]$Generation = 1)',
        '    New-Item -ItemType Directory -Force -Path "C:\\Hyper-V\\$Name" | Out-Null',
        '    New-VHD -Path "C:\\Hyper-V\\$Name\\boot.vhdx" -ParentPath \'C:\\Images\\jammy.vhdx\' | Out-Null',
        '    New-VM -Name $Name -Generation $Generation -MemoryStartupBytes 1GB -VHDPath "C:\\Hyper-V\\$Name\\boot.vhdx" -SwitchName Lab | Out-Null',
        '    if ($Seed -and $Generation -eq 1) { Set-VMDvdDrive -VMName $Name -ControllerNumber 1 -ControllerLocation 0 -Path $Seed }',
        '    if ($NoKvp) { Get-VMIntegrationService -VMName $Name | Where-Object { $_.Id -like "*\\' + KVP + '" } | Disable-VMIntegrationService }',
        '    Start-VM -Name $Name',
        '}',
        "New-CloudVm web1 'C:\\ISO\\web1-seed.iso'",
        "New-CloudVm web2 'C:\\ISO\\web2-seed.iso'",
        'New-CloudVm bare',
        "New-CloudVm nokvp 'C:\\ISO\\web1-seed.iso' -NoKvp",
        "New-CloudVm api 'C:\\ISO\\api-seed.iso'",
        "New-CloudVm half 'C:\\ISO\\half-seed.iso'",
        'New-CloudVm g2 -Generation 2',
        'Write-GuestProbes web1, web2, bare, nokvp, api, half, g2',
      ].join('\n'),
    )
  }, 120_000)

  it('a seed listing linux-cloud-tools-virtual: heartbeat OK, KVP OK, an address, the host name from meta-data', () => {
    const web1 = first.web1
    expect(web1.state).toBe('Running')
    expect(web1.heartbeat).toBe('OkApplicationsUnknown')
    expect(web1.services[HEARTBEAT].status).toBe('OK')
    expect(web1.services[KVP]).toMatchObject({enabled: true, status: 'OK', operational: 'Ok'})
    expect(web1.services[VSS].status).toBe('OK')
    expect(web1.guest?.hostname).toBe('web1')
    expect(web1.guest?.software).toEqual(['cloud-init', 'openssh-server', 'linux-cloud-tools-virtual', 'curl', 'libpython3.10'])
    expect(web1.guest?.bootedFrom).toBe('IDE 0:0 C:\\Hyper-V\\web1\\boot.vhdx')
    expect(web1.addresses).toHaveLength(2)
    const [v4, v6] = web1.addresses
    expect(v4).toMatch(ipv4)
    expect(Number(ipv4.exec(v4)![1])).toBeGreaterThan(0)
    expect(Number(ipv4.exec(v4)![1])).toBeLessThan(255)
    expect(v6).toMatch(/^fe80::/)
    expect(web1.kvp).toMatchObject({FullyQualifiedDomainName: 'web1', OSName: 'Ubuntu', OSVersion: '22.04', IntegrationServicesVersion: '3.1', NetworkAddressIPv4: v4, NetworkAddressIPv6: v6})
    // 2022 host: the module no longer grades integration services; the guest's version is in KVP.
    expect([web1.icVersion, web1.icState]).toEqual(['0.0', ''])
  })

  it('the same seed without the package: heartbeat OK but no address, KVP and VSS "No Contact", and why', () => {
    const web2 = first.web2
    expect(web2.heartbeat).toBe('OkApplicationsUnknown')
    expect(web2.services[HEARTBEAT].status).toBe('OK')
    expect(web2.services[SHUTDOWN].status).toBe('OK')
    expect(web2.services[KVP]).toMatchObject({enabled: true, status: 'No Contact', operational: 'NoContact'})
    expect(web2.services[VSS].status).toBe('No Contact')
    expect(web2.addresses).toEqual([])
    expect(web2.kvpComponents).toBe(1)
    expect(web2.kvpStatus).toBe('No Contact')
    expect(web2.kvp).toEqual({})
    expect(web2.guest?.hostname).toBe('web2')
    hasNote(web2, /^no hv_kvp_daemon: package linux-cloud-tools-virtual not installed$/)
  })

  it('no seed: cloud-init has no user data, no address', () => {
    expect(first.bare.heartbeat).toBe('OkApplicationsUnknown')
    expect(first.bare.addresses).toEqual([])
    expect(first.bare.guest?.hostname).toBe('ubuntu')
    hasNote(first.bare, /cloud-init found no cidata media/)
  })

  it('a seed without meta-data is not a NoCloud seed', () => {
    expect(first.half.addresses).toEqual([])
    hasNote(first.half, /has no meta-data \(NoCloud needs both\)/)
  })

  it('KVP disabled on the VM: no address even with the daemon', () => {
    const nokvp = first.nokvp
    expect(nokvp.services[KVP].enabled).toBe(false)
    expect(nokvp.heartbeat).toBe('OkApplicationsUnknown')
    expect(nokvp.addresses).toEqual([])
    expect(nokvp.kvp).toEqual({})
    expect(nokvp.guest?.software).toContain('linux-cloud-tools-virtual')
  })

  it('a flow-sequence packages list, user-data hostname and fqdn over meta-data, a CIDATA label', () => {
    expect(first.api.guest?.software).toEqual(expect.arrayContaining(['jq', 'linux-cloud-tools-virtual', 'curl']))
    expect(first.api.guest?.hostname).toBe('api')
    expect(first.api.kvp.FullyQualifiedDomainName).toBe('api.lab.example')
    expect(first.api.addresses).toHaveLength(2)
  })

  it('Generation 2 with the MicrosoftWindows Secure Boot template does not boot Linux; the UEFI CA template does', () => {
    expect(first.g2.heartbeat).toBe('NoContact')
    expect(first.g2.guest?.os).toBeNull()
    hasNote(first.g2, /Secure Boot with the MicrosoftWindows template rejects/)
    const again = run<Record<string, Probe>>(p, 'Stop-VM -Name g2 -TurnOff\nSet-VMFirmware -VMName g2 -SecureBootTemplate MicrosoftUEFICertificateAuthority\nStart-VM -Name g2\nWrite-GuestProbes g2')
    expect(again.g2.heartbeat).toBe('OkApplicationsUnknown')
    expect(again.g2.guest?.bootedFrom).toBe('SCSI 0:0 C:\\Hyper-V\\g2\\boot.vhdx')
  })

  it('what cloud-init did lives in the differencing disk; the parent image is untouched', () => {
    const child = vhdHeader(p, 'C:\\Hyper-V\\web1\\boot.vhdx')
    expect(child.parentPath).toBe('C:\\Images\\jammy.vhdx')
    expect(child.image).toMatchObject({software: ['linux-cloud-tools-virtual', 'curl', 'libpython3.10'], hostname: 'web1', cloudInit: {instanceId: 'web1-0001'}})
    expect(child.image.os).toBeUndefined()
    expect(vhdHeader(p, 'C:\\Images\\jammy.vhdx').image).toEqual({os: {family: 'linux', distro: 'ubuntu', version: '22.04'}, software: ['cloud-init', 'openssh-server'], generalized: true})
  })

  it('Stop-VM: no contact, no address, no KVP component; the guest record stays; the next start keeps what the first installed', () => {
    const out = run<{off: Probe; again: Probe; noSeed: Probe}>(
      p,
      [
        'Stop-VM -Name web1',
        '$off = Get-GuestProbe web1',
        'Start-VM -Name web1',
        '$again = Get-GuestProbe web1',
        'Stop-VM -Name web1',
        'Set-VMDvdDrive -VMName web1 -ControllerNumber 1 -ControllerLocation 0 -Path $null',
        'Start-VM -Name web1',
        '$noSeed = Get-GuestProbe web1',
        'ConvertTo-Json -Compress -Depth 10 ([ordered]@{ off = $off; again = $again; noSeed = $noSeed })',
      ].join('\n'),
    )
    expect(out.off.state).toBe('Off')
    expect(out.off.heartbeat).toBeNull()
    expect(out.off.services[HEARTBEAT].status).toBeNull()
    expect(out.off.addresses).toEqual([])
    expect(out.off.kvpComponents).toBe(0)
    expect(out.off.uptimeSeconds).toBe(0)
    expect(out.off.guest?.bootedAt).toBe(first.web1.guest?.bootedAt)
    expect(out.again.heartbeat).toBe('OkApplicationsUnknown')
    expect(out.again.addresses).toEqual(first.web1.addresses)
    hasNote(out.again, /instance 'web1-0001' was set up on an earlier boot/)
    expect(out.noSeed.addresses).toEqual(first.web1.addresses)
    expect(out.noSeed.guest?.software).toContain('linux-cloud-tools-virtual')
  })
})

describe('Linux installers: a kickstart from an OEMDRV disc, LIS from its %post', () => {
  let p: EmulatorProject
  let first: Record<string, Probe>
  beforeAll(() => {
    requireTool('genisoimage')
    p = makeEmulatorProject(QUICK)
    const ks = fixture('ks-centos6.cfg')
    makeIso('genisoimage', 'OEMDRV', {'ks.cfg': ks}, localPath(p, 'C:\\ISO\\ks.iso'))
    makeIso('genisoimage', 'OEMDRV', {'ks.cfg': `${ks}\nreboot\n`}, localPath(p, 'C:\\ISO\\ks-reboot.iso'))
    makeIso('genisoimage', 'OEMDRV', {'ks.cfg': `${ks}\npoweroff\n`}, localPath(p, 'C:\\ISO\\ks-poweroff.iso'))
    first = run<Record<string, Probe>>(
      p,
      [
        "New-HvEmulatorMedia -Path 'C:\\ISO\\CentOS-6.10-x86_64-bin-DVD1.iso' -Kind installer -Os 'linux/centos/6.10' | Out-Null",
        "New-HvEmulatorMedia -Path 'C:\\ISO\\CentOS-6.3-x86_64-bin-DVD1.iso' -Kind installer -Os 'linux/centos/6.3' | Out-Null",
        "New-HvEmulatorMedia -Path 'C:\\ISO\\LinuxIC-4.3.5.iso' -Kind linux-integration-services -Version 4.3.5 | Out-Null",
        'function New-InstallVm {',
        "    param([string]$Name, [string]$Ks, [string]$Lis, [string]$Installer = 'C:\\ISO\\CentOS-6.10-x86_64-bin-DVD1.iso', [switch]$DiskFirst)",
        '    New-Item -ItemType Directory -Force -Path "C:\\Hyper-V\\$Name" | Out-Null',
        '    New-VM -Name $Name -MemoryStartupBytes 1GB -NewVHDPath "C:\\Hyper-V\\$Name\\boot.vhdx" -NewVHDSizeBytes 20GB -SwitchName Lab | Out-Null',
        '    # The plan puts media on IDE 1:0, 1:1 and 0:1.',
        '    Set-VMDvdDrive -VMName $Name -ControllerNumber 1 -ControllerLocation 0 -Path $Installer',
        '    if ($Ks) { Add-VMDvdDrive -VMName $Name -ControllerNumber 1 -ControllerLocation 1 -Path $Ks }',
        '    if ($Lis) { Add-VMDvdDrive -VMName $Name -ControllerNumber 0 -ControllerLocation 1 -Path $Lis }',
        '    if ($DiskFirst) { Set-VMBios -VMName $Name -StartupOrder IDE, CD, LegacyNetworkAdapter, Floppy }',
        '    Start-VM -Name $Name',
        '}',
        "New-InstallVm c6lis -Ks 'C:\\ISO\\ks.iso' -Lis 'C:\\ISO\\LinuxIC-4.3.5.iso'",
        "New-InstallVm c6reboot -Ks 'C:\\ISO\\ks-reboot.iso' -Lis 'C:\\ISO\\LinuxIC-4.3.5.iso' -DiskFirst",
        "New-InstallVm c6nolis -Ks 'C:\\ISO\\ks-reboot.iso'",
        'New-InstallVm c6noks',
        "New-InstallVm c63 -Ks 'C:\\ISO\\ks-reboot.iso' -Installer 'C:\\ISO\\CentOS-6.3-x86_64-bin-DVD1.iso'",
        "New-InstallVm c6off -Ks 'C:\\ISO\\ks-poweroff.iso' -Lis 'C:\\ISO\\LinuxIC-4.3.5.iso'",
        'Write-GuestProbes c6lis, c6reboot, c6nolis, c6noks, c63, c6off',
      ].join('\n'),
    )
  }, 120_000)

  it('ks.cfg without reboot: the install runs and records the system in the boot disk; the installer then waits (no heartbeat)', () => {
    const c6 = first.c6lis
    expect(c6.state).toBe('Running')
    expect(c6.heartbeat).toBe('NoContact')
    expect(c6.guest?.os).toBeNull()
    expect(c6.guest?.bootedFrom).toBe('IDE 1:0 C:\\ISO\\CentOS-6.10-x86_64-bin-DVD1.iso (installer)')
    hasNote(c6, /kickstart %post ran install\.sh from the LIS media on IDE 0:1: installed kmod-microsoft-hyper-v, microsoft-hyper-v/)
    hasNote(c6, /waits for a key press to reboot/)
    const header = vhdHeader(p, 'C:\\Hyper-V\\c6lis\\boot.vhdx')
    expect(header.image).toEqual({
      os: {family: 'linux', distro: 'centos', version: '6.10'},
      software: ['openssh-server', 'curl', 'kmod-microsoft-hyper-v', 'microsoft-hyper-v'],
      generalized: false,
      hostname: 'web1.lab.example',
      integrationServicesVersion: '4.3.5',
      // anaconda writes the network command into the installed system (docs/emulator-guests.md, "Addresses")
      network: {
        source: 'ks.cfg on IDE 1:1',
        interfaces: [{id: 'network --device=eth0', match: {name: 'eth0'}, dhcp4: true, addresses: [], gateway: null, dns: []}],
        unlisted: 'none',
        problems: [],
      },
    })
    expect(header.partitions).toBe(1)
  })

  it('after the restart the installed CentOS 6.10 with LIS answers: heartbeat, KVP, an address', () => {
    const out = run<Record<string, Probe>>(p, 'Stop-VM -Name c6lis -TurnOff\nStart-VM -Name c6lis\nWrite-GuestProbes c6lis')
    const c6 = out.c6lis
    expect(c6.guest?.bootedFrom).toBe('IDE 0:0 C:\\Hyper-V\\c6lis\\boot.vhdx')
    hasNote(c6, /the boot disk already holds CentOS Linux 6\.10: booting it/)
    expect(c6.heartbeat).toBe('OkApplicationsUnknown')
    expect(c6.services[KVP].status).toBe('OK')
    expect(c6.services[GSI]).toMatchObject({enabled: false})
    expect(c6.addresses).toHaveLength(2)
    expect(c6.kvp).toMatchObject({FullyQualifiedDomainName: 'web1.lab.example', IntegrationServicesVersion: '4.3.5', NetworkAddressIPv4: c6.addresses[0]})
  })

  it('ks.cfg ending in reboot (and the disk first in the BIOS order, blank): installed and answering on the first start', () => {
    expect(first.c6reboot.heartbeat).toBe('OkApplicationsUnknown')
    expect(first.c6reboot.addresses).toHaveLength(2)
    expect(first.c6reboot.guest?.software).toContain('microsoft-hyper-v')
  })

  it('without LIS media: installed, heartbeat from the built-in drivers, but no KVP daemon and no address', () => {
    const c6 = first.c6nolis
    expect(c6.guest?.os).toEqual({family: 'linux', distro: 'centos', version: '6.10'})
    expect(c6.heartbeat).toBe('OkApplicationsUnknown')
    expect(c6.services[KVP].status).toBe('No Contact')
    expect(c6.addresses).toEqual([])
    hasNote(c6, /%post runs install\.sh but no Linux Integration Services media is attached/)
    hasNote(c6, /^no hv_kvp_daemon: package hypervkvpd \(or hyperv-daemons\) not installed$/)
  })

  it('no ks.cfg: the installer waits at its prompt, nothing ever answers, the disk stays blank', () => {
    const c6 = first.c6noks
    expect(c6.heartbeat).toBe('NoContact')
    // New-VM's defaults: every service on but the Guest Service Interface, so both cases are seen.
    expect(Object.entries(c6.services).filter(([, s]) => !s.enabled).map(([id]) => id)).toEqual([GSI])
    for (const s of Object.values(c6.services)) expect(s.status).toBe(s.enabled ? 'No Contact' : 'OK')
    expect(c6.kvpComponents).toBe(1)
    expect(c6.kvp).toEqual({})
    hasNote(c6, /waits at its prompt: no OEMDRV media with ks\.cfg/)
    expect(vhdHeader(p, 'C:\\Hyper-V\\c6noks\\boot.vhdx').image).toBeUndefined()
  })

  it('CentOS 6.3 has no built-in Hyper-V drivers: installed, but no heartbeat without LIS', () => {
    expect(first.c63.guest?.os).toEqual({family: 'linux', distro: 'centos', version: '6.3'})
    expect(first.c63.heartbeat).toBe('NoContact')
    hasNote(first.c63, /kernel has no Hyper-V drivers/)
  })

  it('ks.cfg ending in poweroff: the VM is off after Start-VM', () => {
    expect(first.c6off.state).toBe('Off')
    hasNote(first.c6off, /turned itself off/)
    expect(vhdHeader(p, 'C:\\Hyper-V\\c6off\\boot.vhdx').image.os.version).toBe('6.10')
  })

  it('nothing bootable: a blank disk and no media never answer', () => {
    const out = run<Record<string, Probe>>(p, "New-VM -Name empty -NewVHDPath 'C:\\Hyper-V\\empty.vhdx' -NewVHDSizeBytes 10GB -SwitchName Lab | Out-Null\nStart-VM -Name empty\nWrite-GuestProbes empty")
    expect(out.empty.heartbeat).toBe('NoContact')
    expect(out.empty.guest?.bootedFrom).toBeNull()
    hasNote(out.empty, /^nothing to boot: CD: no bootable disc \(no media in the DVD drives\); IDE 0:0: C:\\Hyper-V\\empty\.vhdx is blank/)
  })
})

describe('Windows images: the answer file names the computer and runs the IC setup from vmguest.iso', () => {
  let p: EmulatorProject
  let probes: Record<string, Probe>
  beforeAll(() => {
    requireTool('genisoimage')
    p = makeEmulatorProject(QUICK_2012R2)
    const unattend = fixture('unattend/unattend.xml')
    makeIso('genisoimage', 'UNATTEND', {'unattend.xml': unattend}, localPath(p, 'C:\\ISO\\sql01.iso'))
    // Windows Server 2008: the setup runs at first logon; the answer file is saved as UTF-16.
    const firstLogon = unattend
      .replace('<ComputerName>SQL01</ComputerName>', '<ComputerName>LEGACY08</ComputerName>')
      .replace(/<RunSynchronous>[\s\S]*<\/RunSynchronous>/, '')
      .replace('<OOBE>', '<FirstLogonCommands><SynchronousCommand wcm:action="add"><Order>1</Order><CommandLine>E:\\SUPPORT\\amd64\\setup.exe /quiet</CommandLine></SynchronousCommand></FirstLogonCommands><OOBE>')
      .replace('encoding="utf-8"', 'encoding="utf-16"')
    makeIso('genisoimage', 'UNATTEND', {'autounattend.xml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(firstLogon, 'utf16le')])}, localPath(p, 'C:\\ISO\\legacy08.iso'))
    probes = run<Record<string, Probe>>(
      p,
      [
        "New-HvEmulatorImage -Path 'C:\\Images\\ws2012r2.vhdx' -Os 'windows/2012r2' | Out-Null",
        "New-HvEmulatorImage -Path 'C:\\Images\\ws2008.vhdx' -Os 'windows/2008' | Out-Null",
        "New-HvEmulatorImage -Path 'C:\\Images\\ws2008r2.vhdx' -Os 'windows/2008r2' | Out-Null",
        'function New-WindowsVm {',
        '    param([string]$Name, [string]$Image, [string]$Answer, [switch]$VmGuest)',
        '    New-Item -ItemType Directory -Force -Path "C:\\Hyper-V\\$Name" | Out-Null',
        '    New-VHD -Path "C:\\Hyper-V\\$Name\\boot.vhdx" -ParentPath $Image | Out-Null',
        '    New-VM -Name $Name -MemoryStartupBytes 2GB -VHDPath "C:\\Hyper-V\\$Name\\boot.vhdx" -SwitchName Lab | Out-Null',
        '    if ($Answer) { Set-VMDvdDrive -VMName $Name -ControllerNumber 1 -ControllerLocation 0 -Path $Answer }',
        "    if ($VmGuest) { Add-VMDvdDrive -VMName $Name -ControllerNumber 1 -ControllerLocation 1 -Path 'C:\\Windows\\System32\\vmguest.iso' }",
        '    Start-VM -Name $Name',
        '}',
        "New-WindowsVm sql01 'C:\\Images\\ws2012r2.vhdx' 'C:\\ISO\\sql01.iso' -VmGuest",
        "New-WindowsVm legacy08 'C:\\Images\\ws2008.vhdx' 'C:\\ISO\\legacy08.iso' -VmGuest",
        "New-WindowsVm noic08 'C:\\Images\\ws2008.vhdx' 'C:\\ISO\\legacy08.iso'",
        "New-WindowsVm oobe 'C:\\Images\\ws2012r2.vhdx'",
        "New-WindowsVm r2 'C:\\Images\\ws2008r2.vhdx' 'C:\\ISO\\sql01.iso'",
        '# Offline injection [B13]: the cab serviced into the mounted child disk.',
        "New-Item -ItemType Directory -Force -Path 'C:\\Hyper-V\\cab08' | Out-Null",
        "New-VHD -Path 'C:\\Hyper-V\\cab08\\boot.vhdx' -ParentPath 'C:\\Images\\ws2008.vhdx' | Out-Null",
        "$n = (Mount-VHD -Path 'C:\\Hyper-V\\cab08\\boot.vhdx' -Passthru).DiskNumber",
        '$letter = (Get-Disk $n | Get-Partition | Where-Object DriveLetter).DriveLetter',
        "Add-WindowsPackage -Path \"$($letter):\\\" -PackagePath 'C:\\Windows\\vmguest\\support\\amd64\\Windows6.x-HyperVIntegrationServices-x64.cab' | Out-Null",
        "Dismount-VHD -Path 'C:\\Hyper-V\\cab08\\boot.vhdx'",
        "New-VM -Name cab08 -VHDPath 'C:\\Hyper-V\\cab08\\boot.vhdx' -SwitchName Lab | Out-Null",
        'Start-VM -Name cab08',
        'Write-GuestProbes sql01, legacy08, noic08, oobe, r2, cab08',
      ].join('\n'),
    )
  }, 120_000)

  it('2012 R2 image + unattend + vmguest.iso: IC version = the media version, heartbeat, address, FQDN = computer name', () => {
    const sql = probes.sql01
    expect(sql.guest?.integrationServicesVersion).toBe('6.3.9600.16384')
    expect(sql.icVersion).toBe('6.3.9600.16384')
    expect(sql.icState).toBe('Up to date')
    // Windows 8 / 2012 ICs and later report application health.
    expect(sql.heartbeat).toBe('OkApplicationsHealthy')
    expect(sql.services[HEARTBEAT]).toMatchObject({status: 'OK', secondary: 'OK'})
    expect(sql.services[GSI]).toMatchObject({enabled: false, status: 'OK'})
    expect(sql.addresses).toHaveLength(2)
    expect(sql.kvp).toMatchObject({FullyQualifiedDomainName: 'SQL01', OSName: 'Windows Server 2012 R2 Datacenter', OSVersion: '6.3.9600', IntegrationServicesVersion: '6.3.9600.16384', NetworkAddressIPv4: sql.addresses[0]})
    hasNote(sql, /Windows specialize \(unattend\.xml on IDE 1:0\): computer name SQL01/)
    expect(vhdHeader(p, 'C:\\Hyper-V\\sql01\\boot.vhdx').image).toMatchObject({generalized: false, hostname: 'SQL01', integrationServicesVersion: '6.3.9600.16384'})
  })

  it('Windows Server 2008 (no in-box ICs): the setup from vmguest.iso at first logon makes it answer; without the media it never does', () => {
    expect(probes.legacy08.guest?.integrationServicesVersion).toBe('6.3.9600.16384')
    expect(probes.legacy08.heartbeat).toBe('OkApplicationsHealthy')
    expect(probes.legacy08.kvp.FullyQualifiedDomainName).toBe('LEGACY08')
    expect(probes.legacy08.addresses).toHaveLength(2)
    hasNote(probes.legacy08, /autounattend\.xml ran the integration services setup from IDE 1:1/)
    const noic = probes.noic08
    expect(noic.heartbeat).toBe('NoContact')
    expect(noic.services[KVP].status).toBe('No Contact')
    expect(noic.addresses).toEqual([])
    expect(noic.icVersion).toBeNull()
    hasNote(noic, /runs support\\amd64\\setup\.exe but no integration services media \(vmguest\.iso\) is attached/)
    hasNote(noic, /no integration services in the guest/)
  })

  it('Windows Server 2008 with the integration services cab serviced offline into its disk answers', () => {
    expect(probes.cab08.guest?.integrationServicesVersion).toBe('6.3.9600.16384')
    expect(probes.cab08.heartbeat).toBe('OkApplicationsHealthy')
    hasNote(probes.cab08, /integration services 6\.3\.9600\.16384 serviced into the image \(C:\\Windows\\vmguest\\support\\amd64\\Windows6\.x-HyperVIntegrationServices-x64\.cab\)/)
  })

  it('a generalized image without an answer file waits at OOBE with a WIN- name, its in-box ICs answering', () => {
    expect(probes.oobe.heartbeat).toBe('OkApplicationsHealthy')
    expect(probes.oobe.kvp.FullyQualifiedDomainName).toMatch(/^WIN-[A-Z0-9]{11}$/)
    hasNote(probes.oobe, /waits at OOBE/)
    expect(vhdHeader(p, 'C:\\Hyper-V\\oobe\\boot.vhdx').image).toBeUndefined()
  })

  it('2008 R2 in-box ICs on a 2012 R2 host: answering, "Update required"; no Guest Service Interface before 6.3', () => {
    const r2 = probes.r2
    expect(r2.icVersion).toBe('6.1.7601.17514')
    expect(r2.icState).toBe('Update required')
    expect(r2.heartbeat).toBe('OkApplicationsUnknown')
    const out = run<Record<string, Probe>>(p, "Enable-VMIntegrationService -VMName r2 -Name 'Guest Service Interface'\nWrite-GuestProbes r2")
    expect(out.r2.services[GSI]).toMatchObject({enabled: true, status: 'No Contact'})
    hasNote(r2, /have no Guest Service Interface/)
  })
})

describe('timing: no contact before host.guestTiming.heartbeatSeconds, no address before addressSeconds', () => {
  it('counts from the Start-VM', () => {
    requireTool('xorriso')
    const p = makeEmulatorProject(TIMED)
    makeIso('xorriso', 'cidata', {'user-data': fixture('ubuntu-seed/user-data'), 'meta-data': fixture('ubuntu-seed/meta-data')}, localPath(p, 'C:\\ISO\\seed.iso'))
    const out = run<{early: Probe; awake: Probe; addressed: Probe}>(
      p,
      [
        "New-HvEmulatorImage -Path 'C:\\Images\\jammy.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init' | Out-Null",
        "New-VHD -Path 'C:\\Images\\web1.vhdx' -ParentPath 'C:\\Images\\jammy.vhdx' | Out-Null",
        "New-VM -Name web1 -VHDPath 'C:\\Images\\web1.vhdx' -SwitchName Lab | Out-Null",
        "Set-VMDvdDrive -VMName web1 -ControllerNumber 1 -ControllerLocation 0 -Path 'C:\\ISO\\seed.iso'",
        '$null = Get-GuestProbe web1',
        'Start-VM -Name web1',
        '$early = Get-GuestProbe web1',
        'while ((Get-VM web1).Uptime.TotalSeconds -lt 2.05) { Start-Sleep -Milliseconds 50 }',
        '$awake = Get-GuestProbe web1',
        'while ((Get-VM web1).Uptime.TotalSeconds -lt 4.05) { Start-Sleep -Milliseconds 50 }',
        '$addressed = Get-GuestProbe web1',
        'ConvertTo-Json -Compress -Depth 10 ([ordered]@{ early = $early; awake = $awake; addressed = $addressed })',
      ].join('\n'),
    )
    expect(out.early.uptimeSeconds).toBeLessThan(2)
    expect(out.early.heartbeat).toBe('NoContact')
    expect(out.early.services[HEARTBEAT].status).toBe('No Contact')
    expect(out.early.kvp).toEqual({})
    expect(out.awake.uptimeSeconds).toBeGreaterThanOrEqual(2)
    expect(out.awake.uptimeSeconds).toBeLessThan(4)
    expect(out.awake.heartbeat).toBe('OkApplicationsUnknown')
    expect(out.awake.kvp.FullyQualifiedDomainName).toBe('web1')
    expect(out.awake.kvp.NetworkAddressIPv4).toBeUndefined()
    expect(out.awake.addresses).toEqual([])
    expect(out.addressed.uptimeSeconds).toBeGreaterThanOrEqual(4)
    expect(out.addressed.addresses).toHaveLength(2)
    expect(out.addressed.addresses[0]).toMatch(ipv4)
    expect(out.addressed.kvp.NetworkAddressIPv4).toBe(out.addressed.addresses[0])
  }, 60_000)
})
