/**
 * `hvguest doctor --probe` end to end, through the BUILT CLI, real pwsh and emulated hosts: the
 * throwaway guest is created, read back and removed; every finding is ok on an emulated host of
 * each OS hvguest manages; the host (its state file, every file and folder under its drives) is
 * exactly as before; a failure half way (HVGUEST_EMULATOR_FAIL, HVGUEST_WRITE_FAIL) is rolled back
 * and exits 1; a cleanup that could not finish is finished by `hvguest recover`; bad input is exit
 * 2 with nothing done. --json output is checked against the pinned schema (probeReportSchema).
 */
import {readdirSync, statSync, writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {detectHostOs} from '../../src/execute/doctor.js'
import {probeReportSchema, type ProbeReport} from '../../src/execute/probe.js'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {runCli, STACK_LINE, type CliResult} from '../helpers/run-cli.js'

/** Every host OS hvguest manages (2008 and 2008 R2 have no Hyper-V PowerShell module, so nothing to probe). */
const MANAGED_OS = ['windows-server-2012', 'windows-server-2012r2', 'windows-server-2016', 'windows-server-2019', 'windows-server-2022', 'windows-server-2025', 'windows-10', 'windows-11']

const DEFAULT: EmulatorProjectOptions = {}
// Windows Server 2022 is the default host, probed above.
const PER_OS: EmulatorProjectOptions[] = MANAGED_OS.filter((os) => os !== 'windows-server-2022').map((hostOs) => ({hostOs, hostName: `emu-${hostOs.replace('windows-server-', '')}`}))
/** An emulated 2008 R2 host: no Hyper-V PowerShell module, as on a real one. */
const NO_MODULE: EmulatorProjectOptions = {hostOs: 'windows-server-2008r2'}
beforeAll(() => prebuildEmulatorProjects([DEFAULT, NO_MODULE, ...PER_OS]), 300_000)

function report(r: CliResult): ProbeReport {
  let parsed: unknown
  try {
    parsed = JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
  // the pinned schema: strict objects, so a field added or renamed fails here
  return probeReportSchema.parse(parsed)
}

const walkDirs = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? [join(d, n), ...walkDirs(join(d, n))] : []))

/** Everything the emulated host is: its state file, every file (by hash) and every folder under its drives. */
function snapshot(p: EmulatorProject) {
  const drives = join(p.dir, '.hvguest', 'drives')
  return {state: p.state(), files: p.files(), folders: walkDirs(drives).map((d) => relative(p.dir, d)).sort()}
}

/** The findings that are not ok, each with its host. */
const failed = (r: ProbeReport) => r.hosts.flatMap((h) => h.findings.filter((f) => !f.ok).map((f) => ({host: h.host, ...f})))

describe('doctor --probe on the default emulated host (Windows Server 2022)', () => {
  it('--json: every finding ok, exit 0, the pinned schema, the host facts; the host is exactly as before', () => {
    const p = makeEmulatorProject(DEFAULT)
    const before = snapshot(p)
    const r = runCli(['doctor', '--probe', '--json'], {cwd: p.dir})
    expect(r.code, r.stderr).toBe(0)
    const out = report(r)
    expect(out.ok).toBe(true)
    expect(failed(out)).toEqual([])
    const h = out.hosts[0]
    expect(h.host).toBe('emu1')
    expect(h.error).toBeNull()
    expect(h.folder).toBe(`C:\\Hyper-V\\.hvguest\\probe-${h.runId}`)
    // one finding per device, per integration service (by GUID), per disk, the mount and the cleanup
    expect(h.findings.map((f) => f.check)).toEqual(
      expect.arrayContaining(['generation', 'memory-startup', 'boot-disk', 'data-disk', 'dvd-drive', 'adapter-synthetic', 'adapter-legacy', 'integration-service:6C09BB55-D683-4DA0-8931-C9BF705F6480', 'boot-disk-format', 'mount-vhd', 'dismount-vhd', 'cleanup']),
    )
    expect(h.findings.find((f) => f.check === 'boot-disk')).toMatchObject({actual: `IDE 0:0 ${h.folder}\\probe-boot.vhdx`, ok: true})
    expect(h.facts).toMatchObject({os: {buildNumber: '20348'}, powershell: {edition: 'Core'}, hyperVModule: {version: expect.any(String)}})
    expect(h.cleanup).toMatchObject({errors: [], journalKept: false, lockReleased: true, vmLeft: false, folderLeft: false})
    expect(out.hvguest.version).toMatch(/^\d+\.\d+\.\d+/)
    // progress of the long work on stderr, step by step
    expect(r.stderr).toMatch(/^emu1: new-vm hvguest-probe-/m)
    expect(r.stderr).toMatch(/^emu1: mount-vhd /m)
    expect(snapshot(p)).toEqual(before)
  }, 60_000)

  it('a cmdlet failing half way (HVGUEST_EMULATOR_FAIL): the failed step is a finding, everything is undone, exit 1', () => {
    const p = makeEmulatorProject(DEFAULT)
    const before = snapshot(p)
    // the second adapter (the legacy one): after the disks, the VM and the first adapter exist
    const r = runCli(['doctor', '--probe', '--json'], {cwd: p.dir, env: {HVGUEST_EMULATOR_FAIL: 'Add-VMNetworkAdapter:2'}})
    expect(r.code, r.stderr).toBe(1)
    const out = report(r)
    expect(out.ok).toBe(false)
    const h = out.hosts[0]
    expect(h.error).toMatchObject({step: 'add-adapter', cmdlet: 'Add-VMNetworkAdapter'})
    expect(failed(out).map((f) => f.check)).toEqual(['probe-step'])
    expect(h.cleanup).toMatchObject({errors: [], journalKept: false, lockReleased: true, vmLeft: false, folderLeft: false})
    expect(h.cleanup!.undone).toBeGreaterThan(3)
    expect(snapshot(p)).toEqual(before)
  }, 60_000)

  it("a journal write failing half way (HVGUEST_WRITE_FAIL): rolled back, exit 1, the host as before", () => {
    const p = makeEmulatorProject(DEFAULT)
    const before = snapshot(p)
    const r = runCli(['doctor', '--probe', '--json'], {cwd: p.dir, env: {HVGUEST_WRITE_FAIL: 'journal:12'}})
    expect(r.code, r.stderr).toBe(1)
    const out = report(r)
    expect(out.hosts[0].error?.message).toMatch(/journal/)
    expect(out.hosts[0].cleanup).toMatchObject({journalKept: false, vmLeft: false, folderLeft: false})
    expect(snapshot(p)).toEqual(before)
  }, 60_000)

  it('for people, a cleanup that cannot finish (Remove-VM fails): the facts, a line per finding, the fix; hvguest recover finishes it', () => {
    const p = makeEmulatorProject(DEFAULT)
    const before = snapshot(p)
    const r = runCli(['doctor', '--probe'], {cwd: p.dir, env: {HVGUEST_EMULATOR_FAIL: 'Remove-VM:1'}})
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/^emu1: Microsoft Windows Server 2022 \S+ \(build 20348\); planned as windows-server-2022; PowerShell \S+ Core; Hyper-V module \S+; probe run \S+$/m)
    expect(r.stdout).toMatch(/^\s+boot-disk\s+ok\s+IDE 0:0 <probe>\\probe-boot\.vhdx\s+IDE 0:0 <probe>\\probe-boot\.vhdx$/m)
    expect(r.stdout).toMatch(/^\s+adapter-legacy\s+ok\s+probe-legacy \(legacy\)\s+probe-legacy \(legacy\)$/m)
    expect(r.stdout).toMatch(/^\s+cleanup\s+DIFF\s+everything removed\s+left: the VM; the folder <probe>; the journal \S+; undo of step \d+ \(new-vm, remove-vm\) failed: Injected fault/m)
    expect(r.stdout).toContain('emu1: the probe could not remove everything it made. Run "hvguest recover --host emu1"')
    expect(r.stdout).toContain('The host differs from what hvguest expects in 1 finding.')
    expect(r.stdout).not.toMatch(STACK_LINE)
    expect(p.state().vms).toHaveLength(1)
    const rec = runCli(['recover'], {cwd: p.dir})
    expect(rec.code, rec.stderr).toBe(0)
    expect(rec.stdout).toMatch(/^emu1: run \S+: 2 steps undone$/m)
    const after = snapshot(p)
    expect(after.state).toEqual(before.state)
    expect(after.files).toEqual(before.files)
    // hvguest's own folders (vmRoot\.hvguest\journal) stay, as after any run that recover finished
    expect(after.folders.filter((f) => !before.folders.includes(f)).every((f) => /Hyper-V(\/\.hvguest(\/journal)?)?$/.test(f))).toBe(true)
  }, 60_000)

  it('bad input is exit 2 and touches no host', () => {
    const p = makeEmulatorProject(DEFAULT)
    const before = snapshot(p)
    const withProfile = runCli(['doctor', '--probe', '--profile', 'generic-1g'], {cwd: p.dir})
    expect(withProfile.code).toBe(2)
    expect(withProfile.stderr).toContain('--profile has no meaning with --probe')
    const noSuchHost = runCli(['doctor', '--probe', '--host', 'nosuch', '--json'], {cwd: p.dir})
    expect(noSuchHost.code).toBe(2)
    expect(JSON.parse(noSuchHost.stdout)).toMatchObject({status: 'error', exitCode: 2})
    expect(noSuchHost.stdout).toContain('nosuch')
    // a host whose session cannot start (here: its emulator state file is missing) is exit 2 too
    const inventory = join(p.dir, 'hosts-broken.yaml')
    writeFileSync(inventory, stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [{name: 'broken', transport: 'emulator', os: 'windows-server-2022', vmRoot: 'C:\\Hyper-V', emulator: {stateFile: '.hvguest/nosuch.json'}}]}))
    const broken = runCli(['doctor', '--probe', '--inventory', inventory], {cwd: p.dir})
    expect(broken.code).toBe(2)
    expect(broken.stderr).toMatch(/host "broken".*could not start/)
    expect(snapshot(p)).toEqual(before)
  }, 60_000)

  it('a host without the Hyper-V PowerShell module (2008 R2) is hyperv-module-missing, exit 2, nothing done', () => {
    const p = makeEmulatorProject(NO_MODULE)
    const before = snapshot(p)
    const r = runCli(['doctor', '--probe', '--json'], {cwd: p.dir})
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({status: 'error', exitCode: 2, error: {diagnostics: [{code: 'hyperv-module-missing'}]}})
    expect(snapshot(p)).toEqual(before)
  }, 60_000)
})

/** `doctor --probe --json` over one inventory naming each project's host (its own state file): the probe runs the hosts in parallel. */
function probeAll(projects: Array<{opts: EmulatorProjectOptions; p: EmulatorProject}>): {r: CliResult; out: ProbeReport} {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-probe-os-'))
  const hosts = projects.map(({opts, p}) => ({name: opts.hostName, transport: 'emulator', os: opts.hostOs, vmRoot: 'C:\\Hyper-V', emulator: {stateFile: p.stateFile}}))
  writeFileSync(join(dir, 'hosts.yaml'), stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts}))
  const r = runCli(['doctor', '--probe', '--json'], {cwd: dir})
  return {r, out: report(r)}
}

describe('doctor --probe on an emulated host of every OS hvguest manages', () => {
  // A command per server host (a pwsh each: well inside runCli's deadline on a busy machine), and
  // the two clients in one command: a report over several hosts, probed in parallel.
  const servers = PER_OS.filter((o) => o.hostOs!.startsWith('windows-server-')).map((o) => [o.hostOs!, [o]] as const)
  const clients = ['windows-10 and windows-11', PER_OS.filter((o) => !o.hostOs!.startsWith('windows-server-'))] as const
  it.each([...servers, clients])('%s: every finding ok, each host exactly as before', (_, options) => {
    const projects = options.map((opts) => ({opts, p: makeEmulatorProject(opts)}))
    const before = projects.map(({p}) => snapshot(p))
    const {r, out} = probeAll(projects)
    expect(failed(out), r.stderr).toEqual([])
    expect(r.code).toBe(0)
    expect(out.hosts.map((h) => h.host)).toEqual(options.map((o) => o.hostName))
    for (const h of out.hosts) {
      // the host says it is the OS it was planned as, and was probed in full
      expect(detectHostOs({...h.facts!.os!, computerName: h.facts!.computerName}), h.host).toBe(h.plannedOs)
      expect(h.findings.length, h.host).toBeGreaterThan(20)
    }
    projects.forEach(({opts, p}, i) => expect(snapshot(p), opts.hostOs).toEqual(before[i]))
  }, 60_000)
})
