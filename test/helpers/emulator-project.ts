/**
 * A throwaway project whose inventory has one emulated host: hosts.yaml, a fresh emulator
 * state made by the emulator itself (New-HvEmulatorState, real pwsh), and helpers to read the
 * state and fingerprint every file under the emulated drives.
 *
 * Each distinct set of options is built ONCE per test file, or once per worker where the files
 * share their process (vitest.config.ts; the folders live until the run ends), with one pwsh for
 * every set given to prebuildEmulatorProjects or one per set otherwise, and every
 * makeEmulatorProject call gets its own copy of that folder: starting pwsh is what costs,
 * copying a few KB does not. A copy is the project byte for byte; that holds because nothing in
 * it records where it is (the state's drives and the inventory's stateFile are relative), and
 * the build checks it.
 */
import {createHash} from 'node:crypto'
import {cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {stringify} from 'yaml'
import {REPO, runPwsh, runPwshFile} from './pwsh.js'

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
  /** -MemoryBytes: the host's physical memory (default 64 GB); free memory is that less 2 GB and the running guests'. */
  memoryBytes?: number
  /**
   * PowerShell run once on the new host, with the emulator initialised on its state and the
   * project as the current folder, before the project is kept for copying: images, parent
   * disks, VMs, a second state file. Part of what makes two option sets the same project.
   */
  setup?: string
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
  if (opts.memoryBytes !== undefined) p.MemoryBytes = opts.memoryBytes
  return p
}

const modules = join(REPO, 'ps', 'emulator')

/** The options as a key: the same options (in any key order) are the same project. */
function keyOf(opts: EmulatorProjectOptions): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v
  return JSON.stringify(sorted(opts))
}

/** Built projects of this test file (of this process), by options: the folders copies are made from. */
const built = new Map<string, string>()

const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]))

/**
 * A project folder must not name itself: a copy would then point back at the original. Every
 * file is read (they are a few KB) for the folder's absolute path.
 */
function assertRelocatable(dir: string, what: string): void {
  const self = Buffer.from(dir)
  const escaped = Buffer.from(JSON.stringify(dir).slice(1, -1))
  for (const f of walk(dir)) {
    const bytes = readFileSync(f)
    if (bytes.includes(self) || bytes.includes(escaped)) {
      throw new Error(`${what}: ${relative(dir, f)} holds the project's own path ${dir}; a copy of the folder would point back at it`)
    }
  }
}

/**
 * Builds every option set not built yet in this test file, all in ONE pwsh process
 * (New-HvEmulatorState for each, then each setup with the emulator initialised on its host).
 */
export function prebuildEmulatorProjects(list: EmulatorProjectOptions[]): void {
  const todo = [...new Map(list.map((o) => [keyOf(o), o])).entries()].filter(([key]) => !built.has(key))
  if (todo.length === 0) return
  const items = todo.map(([key, opts]) => {
    const dir = mkdtempSync(join(tmpdir(), 'hvguest-emu-'))
    mkdirSync(join(dir, '.hvguest'))
    const stateFile = join(dir, '.hvguest', 'emulator-state.json')
    const hostOs = opts.hostOs ?? 'windows-server-2022'
    const switchSpecs = opts.switches ?? ['Lab']
    const switches = switchSpecs.map((s) => (typeof s === 'string' ? s : s.name))
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
    return {key, opts, dir, stateFile, parameters: stateParameters(opts, hostOs, switchSpecs)}
  })
  // Values go in as data (environment variables); setups are the tests' own PowerShell.
  const script = [
    "$ErrorActionPreference = 'Stop'",
    `$env:PSModulePath = $env:HVG_MODULES + [IO.Path]::PathSeparator + $env:PSModulePath`,
    'Import-Module HvEmulator',
    '$items = @($env:HVG_ITEMS | ConvertFrom-Json -AsHashtable)',
    'foreach ($item in $items) {',
    '  try {',
    '    $p = $item.parameters',
    '    $p.Switches = [object[]]@($p.Switches)',
    "    foreach ($k in 'ConfigurationVersions', 'ClusterNodes') { if ($p.ContainsKey($k)) { $p[$k] = [string[]]@($p[$k]) } }",
    "    foreach ($k in 'GuestHeartbeatSeconds', 'GuestAddressSeconds') { if ($p.ContainsKey($k)) { $p[$k] = [double]$p[$k] } }",
    "    if ($p.ContainsKey('WirelessNic')) { $p.WirelessNic = [switch][bool]$p.WirelessNic }",
    '    New-HvEmulatorState -Path $item.state @p | Out-Null',
    '  } catch { [Console]::Error.WriteLine("New-HvEmulatorState failed for $($item.dir): $_"); exit 1 }',
    '}',
    ...items.flatMap((item, i) =>
      item.opts.setup === undefined
        ? []
        : [
            `try {`,
            `  Set-Location -LiteralPath $items[${i}].dir`,
            `  Initialize-HvEmulator -StateFile $items[${i}].state`,
            `  & {`,
            item.opts.setup,
            `  }`,
            `} catch { [Console]::Error.WriteLine("setup failed for $($items[${i}].dir): $_"); exit 1 }`,
          ],
    ),
  ].join('\n')
  // A script file, not stdin: `-Command -` runs stdin line by line, and the blocks here span lines.
  const scriptFile = join(mkdtempSync(join(tmpdir(), 'hvguest-emu-build-')), 'build.ps1')
  writeFileSync(scriptFile, script)
  const made = runPwshFile(scriptFile, [], {
    env: {HVG_MODULES: modules, HVG_ITEMS: JSON.stringify(items.map((x) => ({dir: x.dir, state: x.stateFile, parameters: x.parameters})))},
    timeoutMs: 120_000 + 10_000 * items.length,
  })
  if (made.code !== 0) throw new Error(`building the emulated host${items.length > 1 ? 's' : ''} failed (exit ${made.code}): ${made.stderr}${made.stdout}`)
  for (const item of items) {
    assertRelocatable(item.dir, 'the built emulated host')
    built.set(item.key, item.dir)
  }
}

/** The project in `dir` (its inventory's one host at .hvguest/emulator-state.json). */
export function openEmulatorProject(dir: string): EmulatorProject {
  const stateFile = join(dir, '.hvguest', 'emulator-state.json')
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

/** A copy of a project folder in a fresh temp folder. */
function copyDir(from: string): EmulatorProject {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-emu-'))
  cpSync(from, dir, {recursive: true})
  return openEmulatorProject(dir)
}

/** A fresh project for these options: a copy of the one built for them (built now if needed). */
export function makeEmulatorProject(opts: EmulatorProjectOptions = {}): EmulatorProject {
  prebuildEmulatorProjects([opts])
  return copyDir(built.get(keyOf(opts))!)
}

/** Projects a test file built further (guests created through the CLI, say), by name. */
const snapshots = new Map<string, string>()

/**
 * A fresh copy of the project `build` makes, built once per test file under `name`: for tests
 * that each need the same starting point that costs pwsh runs to reach. The built project must
 * not record its own path (a guest made from a template in the project would: its manifest
 * names the template file), or the build fails.
 */
export function snapshotProject(name: string, build: () => EmulatorProject): EmulatorProject {
  let dir = snapshots.get(name)
  if (!dir) {
    const p = build()
    assertRelocatable(p.dir, `snapshot ${name}`)
    dir = p.dir
    snapshots.set(name, dir)
  }
  return copyDir(dir)
}

/**
 * The Windows Server 2012 R2 host the first-boot and secrets tests start from: the images and media
 * its guests boot from. Guests answer at once after Start-VM (guest timing 0): how long a guest
 * takes is not what these tests test (the starter project of firstboot.test.ts keeps the real delays).
 */
export const HOST_2012R2: EmulatorProjectOptions = {
  hostOs: 'windows-server-2012r2',
  guestTiming: {heartbeatSeconds: 0, addressSeconds: 0},
  setup: [
    "New-HvEmulatorImage -Path 'C:\\Images\\ubuntu-22.04.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init','openssh-server' | Out-Null",
    "New-HvEmulatorImage -Path 'C:\\Images\\ws2012r2.vhdx' -Os 'windows/2012r2' | Out-Null",
    "New-HvEmulatorMedia -Path 'C:\\ISO\\CentOS-6.10-x86_64-bin-DVD1.iso' -Kind installer -Os 'linux/centos/6.10' | Out-Null",
    "New-HvEmulatorMedia -Path 'C:\\ISO\\LinuxIntegrationServices-4.1.3-2.iso' -Kind linux-integration-services -Version '4.1.3' -Packages 'kmod-microsoft-hyper-v','microsoft-hyper-v' | Out-Null",
  ].join('\n'),
}
