// npm run bench (second part): a batch of 10 guests created on an emulated host, two ways, in
// one run on the same plan and the same kind of fresh host state:
//   hvguest   one pwsh per host for the whole run, one round trip per guest (`hvguest create`)
//   baseline  a new pwsh process per cmdlet, as Packer's and Vagrant's Hyper-V drivers do
//             (bench/per-step/Invoke-Step.ps1), every cmdlet's parameters derived from the plan
// Prints wall time, pwsh processes started and round trips per guest, and the ratio.
// Flags: --guests N (default 10), --json, --check (exit 1 when a target is missed).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, mkdirSync, writeFileSync, readFileSync} from 'node:fs'
import {tmpdir, cpus} from 'node:os'
import {join} from 'node:path'
import {REPO, EMULATOR_MODULES as MODULES, flag, value, log, productPwsh, cli, WEB_TEMPLATE} from './lib/common.mjs'

const GUESTS = value('--guests', 10)

const PWSH = await productPwsh()
const b64 = (v) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64')

function pwsh(script, env = {}) {
  const r = spawnSync(PWSH, ['-NoProfile', '-NonInteractive', '-Command', '-'], {input: script, encoding: 'utf8', env: {...process.env, ...env}})
  if (r.status !== 0) throw new Error(r.stderr + r.stdout)
  return r.stdout
}

function project(name) {
  const dir = mkdtempSync(join(tmpdir(), `hvguest-bench-${name}-`))
  mkdirSync(join(dir, '.hvguest'))
  mkdirSync(join(dir, 'templates'))
  const state = join(dir, '.hvguest', 'emulator-state.json')
  pwsh(
    "$env:PSModulePath = $env:M + [IO.Path]::PathSeparator + $env:PSModulePath; Import-Module HvEmulator; New-HvEmulatorState -Path $env:S -Switches @('Lab') | Out-Null",
    {M: MODULES, S: state},
  )
  writeFileSync(
    join(dir, 'hosts.yaml'),
    `apiVersion: hvguest/v1\nkind: HostInventory\nhosts:\n  - name: emu1\n    transport: emulator\n    os: windows-server-2022\n    vmRoot: 'C:\\Hyper-V'\n    switches: [Lab]\n    emulator: { stateFile: .hvguest/emulator-state.json }\n`,
  )
  writeFileSync(join(dir, 'templates', 'web.yaml'), WEB_TEMPLATE)
  return {dir, state}
}

/** The cmdlets a per-step driver runs for one planned guest, each with its parameters as data. */
function stepsFor(g) {
  const steps = [['New-Item', {ItemType: 'Directory', Path: g.path, Force: true}]]
  for (const d of g.drives) {
    if (!d.create) continue
    const p = {Path: d.path, SizeBytes: d.create.sizeBytes}
    if (d.create.type === 'Fixed') p.Fixed = true
    else p.Dynamic = true
    if (d.create.blockSizeBytes) p.BlockSizeBytes = d.create.blockSizeBytes
    steps.push(['New-VHD', p])
  }
  steps.push(['New-VM', {Name: g.name, Generation: g.generation, NoVHD: true, Path: g.path, MemoryStartupBytes: g.memory.startupBytes}])
  steps.push(['Remove-VMNetworkAdapter', {VMName: g.name, Name: 'Network Adapter'}])
  steps.push(['Remove-VMDvdDrive', {VMName: g.name, ControllerNumber: 1, ControllerLocation: 0}])
  steps.push(['Set-VMProcessor', {VMName: g.name, Count: g.processors}])
  steps.push(['Set-VMMemory', {VMName: g.name, StartupBytes: g.memory.startupBytes}])
  for (const d of g.drives) {
    const at = {VMName: g.name, ControllerNumber: d.controller.number, ControllerLocation: d.controller.location}
    if (d.kind === 'hdd') steps.push(['Add-VMHardDiskDrive', {...at, ControllerType: d.controller.type, Path: d.path}])
    else steps.push(['Add-VMDvdDrive', {...at, ...(d.path ? {Path: d.path} : {})}])
  }
  for (const a of g.networkAdapters) {
    steps.push(['Add-VMNetworkAdapter', {VMName: g.name, Name: a.name, SwitchName: a.switch}])
    if (a.vlan !== null) steps.push(['Set-VMNetworkAdapterVlan', {VMName: g.name, VMNetworkAdapterName: a.name, Access: true, VlanId: a.vlan}])
  }
  steps.push(['Set-VMBios', {VMName: g.name, StartupOrder: g.bootOrder}])
  for (const s of g.integration.services) if (s.key === 'guestServiceInterface' && s.enabled) steps.push(['Enable-VMIntegrationService', {VMName: g.name, Name: s.name}])
  return steps
}

function runBaseline(p, plan) {
  let processes = 0
  const start = performance.now()
  for (const g of plan.guests) {
    for (const [cmdlet, params] of stepsFor(g)) {
      const r = spawnSync(
        PWSH,
        ['-NoProfile', '-NonInteractive', '-File', join(REPO, 'bench', 'per-step', 'Invoke-Step.ps1'), '-StateFile', p.state, '-ModulePath', MODULES, '-Cmdlet', cmdlet, '-ParametersBase64', b64(params)],
        {encoding: 'utf8'},
      )
      processes++
      if (r.status !== 0) throw new Error(`baseline ${cmdlet} failed for ${g.name}: ${r.stderr}${r.stdout}`)
    }
  }
  return {ms: performance.now() - start, processes}
}

function layout(state) {
  return JSON.parse(readFileSync(state, 'utf8'))
    .vms.map((v) => `${v.name}:${[...v.hardDrives, ...v.dvdDrives].map((d) => `${d.controllerType}${d.controllerNumber}:${d.controllerLocation}`).sort().join(',')}`)
    .sort()
}

log(`bench: ${GUESTS} guests, one session vs a process per cmdlet (pwsh ${PWSH})`)
const ours = project('hvguest')
const base = project('baseline')
const plan = JSON.parse(cli(base.dir, ['plan', 'web', '--count', String(GUESTS), '--name', 'web{{index}}', '--json']).stdout)

log('bench: hvguest create …')
const t0 = performance.now()
const created = cli(ours.dir, ['create', 'web', '--count', String(GUESTS), '--name', 'web{{index}}', '--json'])
const oursMs = performance.now() - t0
if (created.status !== 0) throw new Error(`hvguest create failed: ${created.stdout}${created.stderr}`)
const run = JSON.parse(created.stdout)
const sessions = run.sessions
const processesPerHost = Math.max(...sessions.map((s) => s.processesStarted))
// Round trips: preflight, begin and commit once per host; then one per guest.
const perHostOverhead = 3
const roundTripsPerGuest = (sessions.reduce((n, s) => n + s.requests, 0) - perHostOverhead * sessions.length) / GUESTS

log('bench: baseline, a new pwsh per cmdlet …')
const baseline = runBaseline(base, plan)
const same = JSON.stringify(layout(ours.state)) === JSON.stringify(layout(base.state))
const ratio = baseline.ms / oursMs
const result = {
  guests: GUESTS,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  hvguest: {ms: Math.round(oursMs), processesPerHost, roundTripsPerGuest},
  baseline: {ms: Math.round(baseline.ms), processes: baseline.processes, processesPerGuest: baseline.processes / GUESTS},
  ratio: Number(ratio.toFixed(1)),
  sameLayout: same,
  targets: {ratio: ratio >= 20, oneProcessPerHost: processesPerHost === 1, oneRoundTripPerGuest: roundTripsPerGuest === 1, sameLayout: same},
}
if (flag('--json')) console.log(JSON.stringify(result, null, 2))
else {
  const pass = (b) => (b ? 'PASS' : 'FAIL')
  console.log(`\ncreate ${GUESTS} guests on an emulated host (same plan, fresh state each)`)
  console.log(`  hvguest   ${String(result.hvguest.ms).padStart(7)} ms   pwsh processes per host: ${processesPerHost}   round trips per guest: ${roundTripsPerGuest}`)
  console.log(`  baseline  ${String(result.baseline.ms).padStart(7)} ms   pwsh processes: ${baseline.processes} (${result.baseline.processesPerGuest} per guest)`)
  console.log(`  ratio     ${result.ratio}x faster           target >= 20x: ${pass(result.targets.ratio)}`)
  console.log(`  one process per host: ${pass(result.targets.oneProcessPerHost)}; one round trip per guest: ${pass(result.targets.oneRoundTripPerGuest)}; same layout both ways: ${pass(same)}`)
}
if (flag('--check') && Object.values(result.targets).some((v) => !v)) process.exit(1)
