/**
 * The emulated host enforces Hyper-V's rules: each one triggers its failure (a terminating error
 * with a message like the real cmdlet's, state unchanged) and a near miss succeeds. Plus fault
 * injection (HVGUEST_EMULATOR_FAIL, its counts starting again when the value changes) and host
 * snapshots (Save-/Restore-HvEmulatorSnapshot). The checks run in pwsh
 * (test/fixtures/emulator/*.ps1), all three scripts in one process, each on its own fresh host.
 */
import {describe, expect, it} from 'vitest'
import {type CheckResult, expectAllOk, runFixtureJson} from './emulator-helpers.js'

const checks = runFixtureJson<Record<'rules.ps1' | 'faults.ps1' | 'snapshot.ps1', CheckResult[]>>('run-checks.ps1', ['rules.ps1', 'faults.ps1', 'snapshot.ps1'])

describe('emulated host rules', () => {
  const results = checks['rules.ps1']
  const names = results.map((r) => r.name)

  it('covers every rule with its failure and a near miss', () => {
    for (const rule of [
      'duplicate vm name', 'occupied slot (the default DVD at IDE 1:0)', 'third device on IDE controller 0', 'IDE location 2', 'IDE controller 2',
      'a 65th disk on SCSI controller 0', 'a fifth SCSI controller', 'Gen1 BIOS boot from a VHD (SCSI)', 'near miss: IDE first with no IDE disk',
      'Set-VMBios on Gen2', 'Set-VMFirmware on Gen1', 'missing parent VHD', 'unknown switch on New-VM', 'VHD over 2040 GB', 'VHDX over 64 TB',
      'VHD under 3 MB', 'DVD with a missing ISO', 'new-vm gen1 defaults', 'Remove-VM keeps VHD files', 'Add-WindowsPackage without a mounted image',
      'jumbo value not in ValidRegistryValues', 'chimney round trip', 'host facts', 'pass-through disk that is online',
      'near miss: Get-VM -Name with a missing name among others', 'Get-VM -Name of a missing name with -ErrorAction Stop',
    ]) {
      expect(names).toContain(rule)
    }
    expect(results.filter((r) => r.name.startsWith('near miss')).length).toBeGreaterThanOrEqual(20)
  })

  it('every check passes', () => expectAllOk(results))
})

describe('fault injection', () => {
  it('fails exactly the Nth call of each named cmdlet, before any change; a new value (or Reset-HvEmulatorFault) counts from zero', () => {
    const results = checks['faults.ps1']
    expect(results.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'New-VHD call 2 is injected',
        'a new value counts from zero: the first New-VHD after it is call 1',
        'the same value set again is no change: counting goes on (call 2 runs)',
        'Reset-HvEmulatorFault counts from zero with the value unchanged',
        'changed again: every count restarted (Get-VM call 1 is injected)',
        'cleared: no faults, and the next value counts from zero',
      ]),
    )
    expectAllOk(results)
  })
})

describe('snapshots', () => {
  it('Restore-HvEmulatorSnapshot gives back the state file, every file and every folder Save-HvEmulatorSnapshot found', () => {
    const results = checks['snapshot.ps1']
    expect(results.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'the host did change',
        'Restore-HvEmulatorSnapshot gives the host back exactly: state text, files, folders',
        'the emulated cmdlets see the restored host at once',
        'a drive the snapshot lacks is gone (folder removed)',
      ]),
    )
    expectAllOk(results)
  })
})
