/**
 * The emulated host enforces Hyper-V's rules: each one triggers its failure (a terminating error
 * with a message like the real cmdlet's, state unchanged) and a near miss succeeds. Plus fault
 * injection (HVGUEST_EMULATOR_FAIL). The checks run in pwsh (test/fixtures/emulator/*.ps1).
 */
import {describe, expect, it} from 'vitest'
import {type CheckResult, expectAllOk, runFixtureJson} from './emulator-helpers.js'

describe('emulated host rules', () => {
  const results = runFixtureJson<CheckResult[]>('rules.ps1')
  const names = results.map((r) => r.name)

  it('covers every rule with its failure and a near miss', () => {
    for (const rule of [
      'duplicate vm name', 'occupied slot (the default DVD at IDE 1:0)', 'third device on IDE controller 0', 'IDE location 2', 'IDE controller 2',
      'a 65th disk on SCSI controller 0', 'a fifth SCSI controller', 'Gen1 BIOS boot from a VHD (SCSI)', 'near miss: IDE first with no IDE disk',
      'Set-VMBios on Gen2', 'Set-VMFirmware on Gen1', 'missing parent VHD', 'unknown switch on New-VM', 'VHD over 2040 GB', 'VHDX over 64 TB',
      'VHD under 3 MB', 'DVD with a missing ISO', 'new-vm gen1 defaults', 'Remove-VM keeps VHD files', 'Add-WindowsPackage without a mounted image',
      'jumbo value not in ValidRegistryValues', 'chimney round trip', 'host facts', 'pass-through disk that is online',
    ]) {
      expect(names).toContain(rule)
    }
    expect(results.filter((r) => r.name.startsWith('near miss')).length).toBeGreaterThanOrEqual(20)
  })

  it('every check passes', () => expectAllOk(results))
})

describe('fault injection', () => {
  it('fails exactly the Nth call of each named cmdlet, before any change', () => {
    expectAllOk(runFixtureJson<CheckResult[]>('faults.ps1'))
  })
})
