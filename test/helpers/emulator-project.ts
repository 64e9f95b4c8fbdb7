/**
 * A throwaway project whose inventory has one emulated host: hosts.yaml, a fresh emulator
 * state made by the emulator itself (New-HvEmulatorState, real pwsh), and helpers to read the
 * state and fingerprint every file under the emulated drives.
 */
import {createHash} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {stringify} from 'yaml'
import {REPO, runPwsh} from './pwsh.js'

export interface EmulatorProject {
  dir: string
  stateFile: string
  /** Parsed state file. */
  state(): Record<string, any>
  /** sha256 of every file under the emulated drives, by path relative to the project. */
  files(): Record<string, string>
  /** Runs PowerShell with the emulator initialised on this project's state. */
  pwsh(script: string, env?: Record<string, string>): ReturnType<typeof runPwsh>
}

const psString = (s: string) => `'${s.replaceAll("'", "''")}'`

export interface EmulatorProjectOptions {
  hostOs?: string
  switches?: string[]
  hostName?: string
  profile?: string
  extraHost?: Record<string, unknown>
  /**
   * host.guestTiming of the emulated host: seconds from Start-VM to the guest's first heartbeat
   * and to its reported addresses (docs/emulator-guests.md). The emulator's defaults are 2 and 3;
   * tests that do not test timing pass 0 to stay fast.
   */
  guestTiming?: {heartbeatSeconds?: number; addressSeconds?: number}
}

export function makeEmulatorProject(opts: EmulatorProjectOptions = {}): EmulatorProject {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-emu-'))
  mkdirSync(join(dir, '.hvguest'))
  const stateFile = join(dir, '.hvguest', 'emulator-state.json')
  const hostOs = opts.hostOs ?? 'windows-server-2022'
  const switches = opts.switches ?? ['Lab']
  const modules = join(REPO, 'ps', 'emulator')
  // Values go in as data: the script reads them from environment variables.
  const made = runPwsh(
    [
      "$ErrorActionPreference = 'Stop'",
      `$env:PSModulePath = $env:HVG_MODULES + [IO.Path]::PathSeparator + $env:PSModulePath`,
      'Import-Module HvEmulator',
      '$switches = $env:HVG_SWITCHES | ConvertFrom-Json',
      '$timing = @{}',
      "if ($env:HVG_HEARTBEAT) { $timing.GuestHeartbeatSeconds = [double]::Parse($env:HVG_HEARTBEAT, [Globalization.CultureInfo]::InvariantCulture) }",
      "if ($env:HVG_ADDRESS) { $timing.GuestAddressSeconds = [double]::Parse($env:HVG_ADDRESS, [Globalization.CultureInfo]::InvariantCulture) }",
      'New-HvEmulatorState -Path $env:HVG_STATE -HostOs $env:HVG_OS -Switches @($switches) @timing | Out-Null',
    ].join('\n'),
    {
      env: {
        HVG_MODULES: modules,
        HVG_STATE: stateFile,
        HVG_OS: hostOs,
        HVG_SWITCHES: JSON.stringify(switches),
        HVG_HEARTBEAT: opts.guestTiming?.heartbeatSeconds === undefined ? '' : String(opts.guestTiming.heartbeatSeconds),
        HVG_ADDRESS: opts.guestTiming?.addressSeconds === undefined ? '' : String(opts.guestTiming.addressSeconds),
      },
    },
  )
  if (made.code !== 0) throw new Error(`New-HvEmulatorState failed: ${made.stderr}${made.stdout}`)
  const host = {
    name: opts.hostName ?? 'emu1',
    transport: 'emulator',
    os: hostOs,
    vmRoot: 'C:\\Hyper-V',
    imageRoot: 'C:\\Images',
    isoRoot: 'C:\\ISO',
    switches,
    ...(opts.profile ? {profile: opts.profile} : {}),
    emulator: {stateFile: '.hvguest/emulator-state.json'},
    ...opts.extraHost,
  }
  writeFileSync(join(dir, 'hosts.yaml'), stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [host]}))
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]))
  return {
    dir,
    stateFile,
    state: () => JSON.parse(readFileSync(stateFile, 'utf8')),
    files: () =>
      Object.fromEntries(
        walk(join(dir, '.hvguest', 'drives')).map((f) => [relative(dir, f), createHash('sha256').update(readFileSync(f)).digest('hex')]),
      ),
    pwsh: (script, env = {}) =>
      runPwsh(
        [
          "$ErrorActionPreference = 'Stop'",
          `$env:PSModulePath = ${psString(modules)} + [IO.Path]::PathSeparator + $env:PSModulePath`,
          'Import-Module HvEmulator',
          `Initialize-HvEmulator -StateFile ${psString(stateFile)}`,
          script,
        ].join('\n'),
        {env, cwd: dir},
      ),
  }
}
