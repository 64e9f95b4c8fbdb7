/**
 * The emulated host's own network, as labs change it (issue 15): switches (New-/Set-/Remove-VMSwitch),
 * the host's IPv4 addresses (Get-/New-/Remove-NetIPAddress) and WinNAT (Get-/New-/Remove-NetNat).
 * Each rule triggers its failure (the real cmdlet's message, state file unchanged) beside a near
 * miss that succeeds; the new cmdlets bind their documented parameter sets; the objects have the
 * real shapes; fault injection covers each new mutating cmdlet; the Default Switch is on Windows
 * 10/11 only and the NetNat module not on 2012. The checks run in one pwsh
 * (test/fixtures/emulator/network.ps1), each host fresh.
 */
import {describe, expect, it} from 'vitest'
import {type CheckResult, expectAllOk, runFixtureJson} from './emulator-helpers.js'

const results = runFixtureJson<Record<'network.ps1', CheckResult[]>>('run-checks.ps1', ['network.ps1'])['network.ps1']
const names = results.map((r) => r.name)
const near = (rule: string) => names.some((n) => n.startsWith('near miss') && n.includes(rule))

describe('the host network of an emulated host', () => {
  it('covers each rule with its failure and a near miss', () => {
    const rules: Array<[string, string]> = [
      // [the failing check, a word of its near miss]
      ['New-NetIPAddress on an interface alias that does not exist', 'New-NetIPAddress on vEthernet (corp-lan)'],
      ['duplicate address (the same address again, on another interface)', 'the next address'],
      ['New-NetNat overlapping the existing NetNat\'s prefix', 'New-NetNat for the lab subnet'],
      ['a second NetNat on a Windows Server host (disjoint prefix)', 'the second NAT network is accepted'],
      ['External switch on a NIC another switch binds', 'External switch on the freed wired NIC'],
      ['External switch on a wireless NIC', 'External switch on the freed wired NIC'],
      ['Remove-VMSwitch without -Force asks, which a non-interactive session cannot answer', 'Remove-VMSwitch -Force'],
      ['New-VMSwitch -SwitchType External (not a documented value: an External switch names its NIC)', 'a private switch has no host adapter'],
    ]
    for (const [failure, miss] of rules) {
      expect(names).toContain(failure)
      expect(near(miss), `near miss of "${failure}": ${miss}`).toBe(true)
    }
    for (const rule of [
      'starter host: the loopback and each NIC carry an IPv4 address, on the vEthernet adapter of the External switch that shares the NIC',
      'internal switch: vEthernet (<name>) appears in Get-NetAdapter, with no address yet',
      'Set-VMSwitch -AllowManagementOS $false: the vEthernet adapter goes; the address waits on the bound NIC, hidden',
      'Set-VMSwitch -AllowManagementOS $true: the adapter is back with the NIC\'s address',
      'Remove-VMSwitch -Force: the vEthernet adapter goes, the NIC\'s address goes back to it',
      'Set-VMSwitch -Notes (by name, positional) and -Passthru',
      'windows-11: the Default Switch (Internal, its id) with the host\'s 172.x address on vEthernet (Default Switch)',
      'starter host: a Windows Server host has no Default Switch and no NetNat',
      'windows-11: a second NetNat with a disjoint prefix is accepted',
      'windows-server-2012: no NetNat module (New-NetNat is not a command); NetIPAddress and the switch cmdlets are there',
    ]) {
      expect(names).toContain(rule)
    }
  })

  it('binds the documented parameter sets (defaults, pipelines, what cannot bind)', () => {
    for (const check of [
      'the sets each call binds',
      'New-NetIPAddress with both -InterfaceAlias and -InterfaceIndex cannot bind',
      'Set-VMSwitch with -SwitchType and -NetAdapterName cannot bind',
      'Remove-NetNat with -Name and -InputObject cannot bind',
      'Set-VMSwitch by -VMSwitch from the pipeline',
      'Remove-NetIPAddress -InputObject from the pipeline (the InputObject set) with -PassThru',
      'windows-server-2012r2: NetNat is there, but its New-NetNat has no -InternalIPInterfaceAddressPrefix (that came with 2016)',
    ]) {
      expect(names).toContain(check)
    }
  })

  it('returns objects of the real shapes', () => {
    expect(names).toEqual(expect.arrayContaining([
      'MSFT_NetIPAddress objects: type names and the default view\'s properties',
      'MSFT_NetNat objects: exactly the properties Get-NetNat shows on a host',
    ]))
  })

  it('fault injection covers every new mutating cmdlet', () => {
    for (const cmdlet of ['New-VMSwitch', 'Set-VMSwitch', 'Remove-VMSwitch', 'New-NetIPAddress', 'Remove-NetIPAddress', 'New-NetNat', 'Remove-NetNat']) {
      expect(names).toContain(`fault injection: call 1 of ${cmdlet}`)
    }
  })

  it('every check passes', () => {
    expect(results.length).toBeGreaterThanOrEqual(60)
    expectAllOk(results)
  })
})
