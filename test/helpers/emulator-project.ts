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

/**
 * A switch of the emulated host with what its physical NIC is and can do (New-HvEmulatorState
 * -Switches hashtable; docs/emulator-state.md). Only an External switch has a NIC.
 */
export interface EmulatorSwitchSpec {
  name: string
  type?: 'External' | 'Internal' | 'Private'
  /** *JumboPacket valid registry values (default 1514, 4088, 9014; a Wi-Fi NIC 1514). */
  jumboValues?: string[]
  /** The NIC has *VMQ (default true; a Wi-Fi NIC false). */
  vmq?: boolean
  /** The NIC has *TCPConnectionOffloadIPv4 (TCP Chimney capability; default false). */
  tcpOffload?: boolean
  /** The NIC is a Wi-Fi adapter ("Wi-Fi", Native 802.11). */
  wireless?: boolean
  interfaceDescription?: string
}

export interface EmulatorProjectOptions {
  hostOs?: string
  /** Switch names (External, each on its own NIC) or specs; hosts.yaml lists their names. */
  switches?: (string | EmulatorSwitchSpec)[]
  hostName?: string
  profile?: string
  extraHost?: Record<string, unknown>
  /**
   * host.guestTiming of the emulated host: seconds from Start-VM to the guest's first heartbeat
   * and to its reported addresses (docs/emulator-guests.md). The emulator's defaults are 2 and 3;
   * tests that do not test timing pass 0 to stay fast.
   */
  guestTiming?: {heartbeatSeconds?: number; addressSeconds?: number}
  /** An unbound Wi-Fi adapter besides the switches' NICs (-WirelessNic). */
  wirelessNic?: boolean
  /** host.hyperV (-HyperV; default installed). not-installed also leaves out switches and vEthernet adapters. */
  hyperV?: 'installed' | 'not-installed' | 'access-denied'
  /** Replaces the host OS's supported VM configuration versions (-ConfigurationVersions). */
  configurationVersions?: string[]
  /** The host's Windows computer name (-ComputerName; default HV-EMU). Not the inventory name (hostName). */
  computerName?: string
  /** -Cluster: this host is a node of that cluster. hosts.yaml gets no cluster field (pass it in extraHost). */
  cluster?: string
  /** -ClusterNodes: every node of the cluster, in order; computerName must be one of them. */
  clusterNodes?: string[]
  /** -ClusterNodeStates: node name → Up, Down, Paused or Joining. */
  clusterNodeStates?: Record<string, string>
  /** -Locale (default en-US). */
  locale?: string
  /** -FreeSpaceBytes of volume C: (default 400 GB). */
  freeSpaceBytes?: number
}

/** New-HvEmulatorState's parameters for the options (PowerShell names; read by the script as JSON). */
function stateParameters(opts: EmulatorProjectOptions, hostOs: string, switches: (string | EmulatorSwitchSpec)[]): Record<string, unknown> {
  const spec = (s: string | EmulatorSwitchSpec) =>
    typeof s === 'string'
      ? s
      : Object.fromEntries(
          Object.entries({
            Name: s.name,
            Type: s.type,
            JumboValues: s.jumboValues,
            Vmq: s.vmq,
            TcpOffload: s.tcpOffload,
            Wireless: s.wireless,
            InterfaceDescription: s.interfaceDescription,
          }).filter(([, v]) => v !== undefined),
        )
  const p: Record<string, unknown> = {HostOs: hostOs, Switches: switches.map(spec)}
  if (opts.guestTiming?.heartbeatSeconds !== undefined) p.GuestHeartbeatSeconds = opts.guestTiming.heartbeatSeconds
  if (opts.guestTiming?.addressSeconds !== undefined) p.GuestAddressSeconds = opts.guestTiming.addressSeconds
  if (opts.wirelessNic) p.WirelessNic = true
  if (opts.hyperV) p.HyperV = opts.hyperV
  if (opts.configurationVersions) p.ConfigurationVersions = opts.configurationVersions
  if (opts.computerName) p.ComputerName = opts.computerName
  if (opts.cluster) p.Cluster = opts.cluster
  if (opts.clusterNodes) p.ClusterNodes = opts.clusterNodes
  if (opts.clusterNodeStates) p.ClusterNodeStates = opts.clusterNodeStates
  if (opts.locale) p.Locale = opts.locale
  if (opts.freeSpaceBytes !== undefined) p.FreeSpaceBytes = opts.freeSpaceBytes
  return p
}

export function makeEmulatorProject(opts: EmulatorProjectOptions = {}): EmulatorProject {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-emu-'))
  mkdirSync(join(dir, '.hvguest'))
  const stateFile = join(dir, '.hvguest', 'emulator-state.json')
  const hostOs = opts.hostOs ?? 'windows-server-2022'
  const switchSpecs = opts.switches ?? ['Lab']
  const switches = switchSpecs.map((s) => (typeof s === 'string' ? s : s.name))
  const modules = join(REPO, 'ps', 'emulator')
  // Values go in as data: the script reads them from environment variables.
  const made = runPwsh(
    [
      "$ErrorActionPreference = 'Stop'",
      `$env:PSModulePath = $env:HVG_MODULES + [IO.Path]::PathSeparator + $env:PSModulePath`,
      'Import-Module HvEmulator',
      '$p = $env:HVG_PARAMETERS | ConvertFrom-Json -AsHashtable',
      '$p.Switches = [object[]]@($p.Switches)',
      "foreach ($k in 'ConfigurationVersions', 'ClusterNodes') { if ($p.ContainsKey($k)) { $p[$k] = [string[]]@($p[$k]) } }",
      "foreach ($k in 'GuestHeartbeatSeconds', 'GuestAddressSeconds') { if ($p.ContainsKey($k)) { $p[$k] = [double]$p[$k] } }",
      "if ($p.ContainsKey('WirelessNic')) { $p.WirelessNic = [switch][bool]$p.WirelessNic }",
      'New-HvEmulatorState -Path $env:HVG_STATE @p | Out-Null',
    ].join('\n'),
    {
      env: {
        HVG_MODULES: modules,
        HVG_STATE: stateFile,
        HVG_PARAMETERS: JSON.stringify(stateParameters(opts, hostOs, switchSpecs)),
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
