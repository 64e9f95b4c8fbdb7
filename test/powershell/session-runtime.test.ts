/**
 * The session with the REAL runtime (ps/HvGuest, bootstrapped by ps/HvGuest/Bootstrap.ps1 from
 * the package folder) against a fresh emulated host (ps/emulator): `facts` comes back.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {openSession} from '../../src/powershell/session.js'
import {REPO, runPwsh} from '../helpers/pwsh.js'
import {emulatorHost, tempDir} from '../fixtures/session/helpers.js'

/** A fresh emulated host state (New-HvEmulatorState), its path passed as data (an environment variable). */
function newEmulatorState(dir: string, switches: string[]): string {
  const stateFile = join(dir, 'host ‘1’', 'state.json')
  const r = runPwsh(
    [
      "$ErrorActionPreference = 'Stop'",
      "Import-Module -Name (Join-Path $env:HVG_REPO 'ps/emulator/HvEmulator/HvEmulator.psd1')",
      '[void][IO.Directory]::CreateDirectory([IO.Path]::GetDirectoryName($env:HVG_STATE))',
      'New-HvEmulatorState -Path $env:HVG_STATE -Switches ($env:HVG_SWITCHES | ConvertFrom-Json) | Out-Null',
    ].join('\n'),
    {env: {HVG_REPO: REPO, HVG_STATE: stateFile, HVG_SWITCHES: JSON.stringify(switches)}},
  )
  expect(r.code, r.stderr).toBe(0)
  expect(existsSync(stateFile)).toBe(true)
  return stateFile
}

describe('a session with the real runtime', () => {
  it('bootstraps ps/HvGuest against a fresh emulated host and answers facts', async () => {
    const stateFile = newEmulatorState(tempDir(), ['Lab', `it's “quoted” $(x)`])
    const s = await openSession(emulatorHost('emu1', stateFile))
    try {
      const r = await s.request<{hyperV: boolean; switches: Array<{name: string}>}>({action: 'facts'}, {timeoutMs: 60_000})
      expect(r.ok, JSON.stringify(r.error)).toBe(true)
      expect(r.action).toBe('facts')
      expect(r.data!.hyperV).toBe(true)
      expect(r.data!.switches.map((x) => x.name)).toEqual(['Lab', `it's “quoted” $(x)`])
      expect(s.stats).toEqual({processesStarted: 1, requests: 1})
    } finally {
      await s.close()
    }
  }, 90_000)
})
