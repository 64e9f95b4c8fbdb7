/**
 * `create --parallel N` through the BUILT CLI, real pwsh, an emulated host: N sessions (N pwsh
 * processes) on one host, each creating its share of the guests; the JSON names every session;
 * a failure in one session rolls back what every session created, and the host is byte-identical.
 */
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {pwshTap} from '../helpers/pwsh-tap.js'
import {cliJson as json, runCli} from '../helpers/run-cli.js'
import {smallLinuxSpec, writeTemplateFile} from '../helpers/template-file.js'

const HOST: EmulatorProjectOptions = {
  profile: 'intel-10g',
  setup: "New-Item -ItemType Directory -Path 'C:\\Images' -Force | Out-Null; New-VHD -Path 'C:\\Images\\base.vhdx' -SizeBytes 30GB -Dynamic | Out-Null",
}
beforeAll(() => prebuildEmulatorProjects([HOST]), 300_000)

function project(): EmulatorProject {
  const p = makeEmulatorProject(HOST)
  writeTemplateFile(join(p.dir, 'templates', 'lab.yaml'), 'lab', smallLinuxSpec({parent: 'C:\\Images\\base.vhdx'}))
  return p
}

/** The guests each pwsh session created (its create-guest requests that answered ok), one list per session. */
function guestsBySession(tap: ReturnType<typeof pwshTap>): string[][] {
  return tap
    .sessions()
    .map((lines) => lines.filter((l) => l.type === 'result' && l.action === 'create-guest').map((l) => String(l.guest)))
    .filter((g) => g.length > 0)
    .sort((a, b) => a[0].localeCompare(b[0]))
}

describe('create --parallel', () => {
  it('two sessions on one host, each creating its share (dealt in turn); the JSON names both; list sees every guest managed', () => {
    const p = project()
    const tap = pwshTap()
    const r = runCli(['create', 'lab', '--count', '4', '--name', 'web{{index}}', '--parallel', '2', '--json'], {cwd: p.dir, env: tap.env})
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const out = json(r)
    expect(out.guests.map((g: any) => [g.name, g.status])).toEqual([
      ['web1', 'created'],
      ['web2', 'created'],
      ['web3', 'created'],
      ['web4', 'created'],
    ])
    expect(out.sessions).toEqual([
      {host: 'emu1', processesStarted: 1, requests: expect.any(Number)},
      {host: 'emu1', worker: 2, processesStarted: 1, requests: expect.any(Number)},
    ])
    // Two pwsh processes, one per session: guest i to session i mod 2.
    expect(guestsBySession(tap)).toEqual([
      ['web1', 'web3'],
      ['web2', 'web4'],
    ])
    const listed = json(runCli(['list', '--json'], {cwd: p.dir}))
    expect(listed.hosts[0].data.guests.map((g: any) => [g.name, g.managed])).toEqual([
      ['web1', true],
      ['web2', true],
      ['web3', true],
      ['web4', true],
    ])
    // Nothing of the run is left on the host: no journal, no lock.
    const left = p.pwsh("@(Get-ChildItem -LiteralPath 'C:\\Hyper-V\\.hvguest' -Recurse -Force | Where-Object { $_.Name -like '*.jsonl' -or $_.Name -eq 'lock' }).Count")
    expect(left.stdout.trim(), left.stderr).toBe('0')
  }, 120_000)

  it("a failure in one session rolls back every session's guests: exit 1, the host byte-identical", () => {
    const p = project()
    const before = {state: p.state(), files: p.files()}
    // Counted per pwsh: the lead (web1, web3) fails at its second New-VM, web3's; the worker has
    // one guest only (web2), which it has begun by then, and never reaches a second New-VM.
    const r = runCli(['create', 'lab', '--count', '3', '--name', 'web{{index}}', '--parallel', '2', '--json'], {cwd: p.dir, env: {HVGUEST_EMULATOR_FAIL: 'New-VM:2'}})
    expect(r.code, r.stdout + r.stderr).toBe(1)
    const out = json(r)
    expect(out.guests.map((g: any) => [g.name, g.status])).toEqual([
      ['web1', 'rolled-back'],
      ['web2', 'rolled-back'],
      ['web3', 'failed'],
    ])
    expect(out.guests[2].error).toMatchObject({cmdlet: 'New-VM'})
    expect(out.rollbackErrors).toEqual([])
    expect({state: p.state(), files: p.files()}).toEqual(before)
  }, 120_000)

  it('is refused with --emit and --dry-run, and below 1, at exit 2', () => {
    const p = project()
    for (const extra of [['--dry-run'], ['--emit', 'x.ps1'], []]) {
      const r = runCli(['create', 'lab', '--parallel', extra.length ? '2' : '0', ...extra], {cwd: p.dir})
      expect(r.code, `${extra}: ${r.stdout}${r.stderr}`).toBe(2)
    }
  }, 60_000)
})
