/**
 * The runtime module's source, read by PowerShell's own parser
 * ([System.Management.Automation.Language.Parser]::ParseFile): every cmdlet it calls is documented
 * (ps/emulator/reference/versions/<docset>.json, one per Windows Server version) and gets only
 * documented parameters, in a combination one documented parameter set accepts; a parameter or
 * cmdlet that some version where the call can run lacks sits behind a capability guard
 * (Test-HvCommand / Test-HvCommandParameter, docs/host-versions.md); no value can become code;
 * stdout belongs to the protocol.
 */
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO, runPwshFile} from '../helpers/pwsh.js'
import {FIXTURES} from '../fixtures/runtime/harness.js'

interface Call {
  command: string
  parameters: string[]
  splatted: string[]
  positional: number
  file: string
  line: number
}
interface Report {
  files: string[]
  calls: Call[]
  violations: Array<{rule: string; file: string; line: number; message: string; parameter?: string; versions?: string[]}>
  dismountInFinally: boolean
  referenceCmdlets: string[]
  docsets: string[]
}

const MODULE = join(REPO, 'ps', 'HvGuest')
const BAD_MODULE = join(FIXTURES, 'bad-module')

let cached: Record<string, Report> | null = null
/** One run of the checker for the whole file: the runtime and the deliberately bad module, in one pwsh (each parsed once). */
function reports(): Record<string, Report> {
  if (cached) return cached
  const r = runPwshFile(join(FIXTURES, 'check-runtime-sources.ps1'), ['-ReferenceDir', join(REPO, 'ps', 'emulator', 'reference', 'versions'), MODULE, BAD_MODULE], {
    env: {TERM: 'dumb'},
  })
  if (r.code !== 0) throw new Error(`check-runtime-sources.ps1 failed (${r.code}): ${r.stderr}`)
  cached = JSON.parse(r.stdout) as Record<string, Report>
  return cached
}
const report = (): Report => reports()[MODULE]

describe('the runtime module source (parsed with PowerShell\'s parser)', () => {
  it('parses without errors and is split by concern', () => {
    const r = report()
    expect(r.violations.filter((v) => v.rule === 'parse-error')).toEqual([])
    expect(r.files.sort()).toEqual(
      ['Bootstrap.ps1', 'Capability.ps1', 'Facts.ps1', 'Guest.ps1', 'GuestStatus.ps1', 'HostNetwork.ps1', 'HostSettings.ps1', 'HvGuest.psm1', 'IcInject.ps1', 'Inventory.ps1', 'Journal.ps1', 'Lab.ps1', 'Lock.ps1', 'Manifest.ps1', 'MountedImage.ps1', 'Probe.ps1', 'Protocol.ps1', 'SeedMedia.ps1', 'Stage.ps1', 'StateFiles.ps1', 'Util.ps1'].sort(),
    )
  }, 120_000)

  it('calls only documented cmdlets, with only documented parameters, each call fitting one parameter set', () => {
    const r = report()
    expect(r.violations).toEqual([])
    // The reference really was read, and the runtime really calls the Hyper-V cmdlets.
    expect(r.referenceCmdlets).toEqual(expect.arrayContaining(['New-VM', 'New-VHD', 'Add-VMHardDiskDrive', 'Remove-VMDvdDrive', 'Get-Disk']))
    const called = new Set(r.calls.map((c) => c.command))
    for (const c of [
      'New-VHD', 'New-VM', 'Remove-VMNetworkAdapter', 'Remove-VMDvdDrive', 'Set-VMProcessor', 'Set-VMMemory', 'Add-VMScsiController',
      'Add-VMHardDiskDrive', 'Add-VMDvdDrive', 'Add-VMNetworkAdapter', 'Set-VMNetworkAdapterVlan', 'Set-VMNetworkAdapter', 'Set-VMBios',
      'Set-VMFirmware', 'Get-VMIntegrationService', 'Enable-VMIntegrationService', 'Disable-VMIntegrationService', 'Mount-VHD', 'Get-Disk',
      'Get-Partition', 'Add-WindowsPackage', 'Dismount-VHD', 'Set-VM', 'Start-VM', 'Get-VMSwitch', 'Get-NetAdapter',
      'Get-NetAdapterAdvancedProperty', 'Set-NetAdapterAdvancedProperty', 'Get-NetOffloadGlobalSetting', 'Set-NetOffloadGlobalSetting',
    ]) {
      expect(called.has(c), c).toBe(true)
    }
  }, 120_000)

  it('names every parameter of the cmdlets it calls the way the plan needs them', () => {
    const r = report()
    const params = (cmd: string) => new Set(r.calls.filter((c) => c.command === cmd).flatMap((c) => [...c.parameters, ...c.splatted]))
    expect([...params('New-VHD')]).toEqual(expect.arrayContaining(['Path', 'SizeBytes', 'ParentPath', 'BlockSizeBytes', 'LogicalSectorSizeBytes', 'PhysicalSectorSizeBytes', 'Dynamic', 'Fixed', 'Differencing']))
    expect([...params('New-VM')]).toEqual(expect.arrayContaining(['Name', 'Generation', 'NoVHD', 'Path', 'MemoryStartupBytes', 'Version']))
    expect([...params('Add-VMHardDiskDrive')]).toEqual(expect.arrayContaining(['ControllerType', 'ControllerNumber', 'ControllerLocation', 'Path', 'DiskNumber']))
    expect([...params('Add-VMNetworkAdapter')]).toEqual(expect.arrayContaining(['IsLegacy', 'SwitchName', 'Name', 'StaticMacAddress']))
    expect([...params('Set-VMNetworkAdapterVlan')]).toEqual(expect.arrayContaining(['Access', 'VlanId']))
    expect([...params('Set-VMNetworkAdapter')]).toEqual(expect.arrayContaining(['VmqWeight', 'MacAddressSpoofing']))
    expect([...params('Set-VMBios')]).toContain('StartupOrder')
    expect([...params('Add-WindowsPackage')]).toEqual(expect.arrayContaining(['PackagePath', 'Path']))
    // Integration services: never by (localized) name.
    for (const cmd of ['Get-VMIntegrationService', 'Enable-VMIntegrationService', 'Disable-VMIntegrationService']) expect(params(cmd).has('Name'), cmd).toBe(false)
    // VMs and adapters are passed as objects, never looked up by a (wildcard) name.
    for (const c of r.calls.filter((x) => /^(Get|Set|Add|Remove|Start|Stop|Enable|Disable)-VM/.test(x.command))) {
      expect([...c.parameters, ...c.splatted].some((p) => p === 'VMName'), `${c.command} at ${c.file}:${c.line}`).toBe(false)
    }
  }, 120_000)

  it('the checker itself catches every kind of violation (a deliberately bad module)', () => {
    const bad = reports()[BAD_MODULE]
    const rules = (rule: string) => bad.violations.filter((v) => v.rule === rule).map((v) => v.message)
    expect(rules('undocumented-parameter').join('\n')).toContain('New-VHD -Bogus')
    expect(rules('no-parameter-set').join('\n')).toContain('New-VHD -Path -ParentPath -Fixed')
    expect(rules('positional-argument').join('\n')).toContain('Add-VMHardDiskDrive')
    expect(rules('integration-service-by-name').join('\n')).toContain('Enable-VMIntegrationService')
    expect(rules('undocumented-command').join('\n')).toContain('Set-VMFloppyDiskDrive')
    expect(rules('forbidden-command')).toEqual(expect.arrayContaining(['Invoke-Expression', 'Write-Host']))
    expect(rules('code-from-data').join('\n')).toContain('[scriptblock]::Create')
    expect(rules('dynamic-invocation').join('\n')).toContain('& $sb')
    expect(rules('splat-unreadable').join('\n')).toContain('computed index key')
    expect(bad.dismountInFinally).toBe(false)
  }, 120_000)

  it('the checker itself tells guarded from unguarded version differences (the bad module)', () => {
    const bad = reports()[BAD_MODULE]
    expect(bad.docsets).toEqual(['winserver2012-ps', 'winserver2012r2-ps', 'winserver2016-ps', 'winserver2019-ps', 'winserver2022-ps', 'winserver2025-ps'])
    const versionFindings = bad.violations
      .filter((v) => v.rule.startsWith('version-'))
      .map((v) => ({rule: v.rule, file: v.file, parameter: v.parameter ?? null, versions: v.versions}))
    // Each unguarded case, with the versions lacking it; the guarded -Generation, Get-VMHostSupportedVersion
    // -Default and Set-VMFirmware call (its cmdlet guard) are absent.
    expect(versionFindings).toEqual([
      {rule: 'version-parameter-unguarded', file: 'Bad.psm1', parameter: 'CheckpointType', versions: ['winserver2012-ps', 'winserver2012r2-ps']},
      {rule: 'version-parameter-unguarded', file: 'Bad.psm1', parameter: 'AutomaticCheckpointsEnabled', versions: ['winserver2012-ps', 'winserver2012r2-ps']},
      {rule: 'version-parameter-unguarded', file: 'Bad.psm1', parameter: 'SecureBootTemplate', versions: ['winserver2012r2-ps']},
      {rule: 'version-parameter-unguarded', file: 'Bad.psm1', parameter: 'CheckpointType', versions: ['winserver2012-ps', 'winserver2012r2-ps']},
      {rule: 'version-command-unguarded', file: 'Bad.psm1', parameter: null, versions: ['winserver2012-ps', 'winserver2012r2-ps']},
    ])
    const lines = bad.violations.filter((v) => v.rule.startsWith('version-')).map((v) => v.message)
    expect(lines[0]).toMatch(/^Set-VM -CheckpointType \(splat key\) is passed where winserver2012-ps, winserver2012r2-ps lack it \(Bad\.psm1:\d+\)/)
    expect(lines[4]).toMatch(/^Get-VMHostSupportedVersion is called where winserver2012-ps, winserver2012r2-ps lack it/)
  }, 120_000)

  it('dismounts a mounted VHD in a finally block', () => {
    expect(report().dismountInFinally).toBe(true)
  }, 120_000)

  it('has no text a value could turn into code (and no direct console output)', () => {
    for (const f of listFiles(MODULE)) {
      const text = readFileSync(f, 'utf8')
      expect(text, f).not.toMatch(/Invoke-Expression|\biex\b|\[scriptblock\]::Create|NewScriptBlock|Add-Type|Write-Host/i)
    }
  })
})

function listFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : /\.(ps1|psm1|psd1)$/.test(e.name) ? [join(dir, e.name)] : []))
}
