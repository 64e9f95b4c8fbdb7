/**
 * Hosts hvguest only plans for, through the BUILT CLI: a host without the Hyper-V PowerShell module is
 * refused with hyperv-module-missing, exit 2, nothing done, by create, net apply, ic inject and
 * doctor. It is found two ways, both before any change: the inventory says 2008 / 2008 R2 (no
 * process is started), or the session's bootstrap finds no Hyper-V module (the emulated 2008 R2
 * host has none, as a real one). The local machine on Linux with no inventory is not a Hyper-V
 * host, and says so.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {runCli, STACK_LINE, type CliResult} from '../helpers/run-cli.js'

/** An emulated 2008 R2 host, as the inventory declares it: refused before connecting. */
const DECLARED: EmulatorProjectOptions = {hostOs: 'windows-server-2008r2'}
/** The same host with the inventory saying 2022: the bootstrap finds no Hyper-V module there. */
const UNDECLARED: EmulatorProjectOptions = {hostOs: 'windows-server-2008r2', extraHost: {os: 'windows-server-2022'}}
beforeAll(() => prebuildEmulatorProjects([DECLARED, UNDECLARED]), 120_000)

const COMMANDS: Array<[string, string[]]> = [
  ['create', ['create', 'ws2008r2', '--name', 'web1']],
  ['net apply', ['net', 'apply', '--profile', 'generic-1g', '--host', 'emu1']],
  ['ic inject', ['ic', 'inject', 'web1', '--host', 'emu1']],
  ['doctor', ['doctor']],
]

/** The codes of a failed command's --json answer (its error diagnostics, or a plan's). */
function codesOf(r: CliResult): string[] {
  const out = JSON.parse(r.stdout)
  return [...(out.error?.diagnostics ?? []), ...(out.diagnostics ?? []), ...(out.plan?.diagnostics ?? [])].map((d: {code: string}) => d.code)
}

/** What the command printed (create shows a plan's errors with the plan, on stdout; the others on stderr). */
const printed = (r: CliResult) => `${r.stdout}\n${r.stderr}`

function expectRefused(r: CliResult, what: string): void {
  expect(r.code, `${what}\n${printed(r)}`).toBe(2)
  expect(printed(r)).toContain('[hyperv-module-missing]')
  expect(printed(r)).toContain('Windows Server 2012')
  expect(printed(r)).not.toMatch(STACK_LINE)
  expect(printed(r)).not.toMatch(/rolled back|not recognized/)
}

describe('a host without the Hyper-V module: exit 2, nothing done', () => {
  it.each(COMMANDS)('the inventory says windows-server-2008r2: %s refuses before connecting', (_name, args) => {
    const p = makeEmulatorProject(DECLARED)
    const before = {state: p.state(), files: p.files()}
    const r = runCli(args, {cwd: p.dir})
    expectRefused(r, args.join(' '))
    expect(printed(r)).toContain('windows-server-2008r2 in the inventory')
    expect(p.state()).toEqual(before.state)
    expect(p.files()).toEqual(before.files)
  }, 30_000)

  it('--json carries the code (create: in the plan it refuses; doctor: in the error)', () => {
    const p = makeEmulatorProject(DECLARED)
    expect(codesOf(runCli(['create', 'ws2008r2', '--json'], {cwd: p.dir}))).toContain('hyperv-module-missing')
    expect(codesOf(runCli(['doctor', '--json'], {cwd: p.dir}))).toEqual(['hyperv-module-missing'])
  }, 30_000)

  it('plan still plans for the 2008 R2 host: its limits are what it shows', () => {
    const p = makeEmulatorProject(DECLARED)
    const r = runCli(['plan', 'ws2008r2', '--json'], {cwd: p.dir})
    expect(r.code, r.stderr).toBe(0)
    const plan = JSON.parse(r.stdout)
    expect(plan.hosts[0].os).toBe('windows-server-2008r2')
    expect(plan.diagnostics.map((d: {code: string}) => d.code)).not.toContain('hyperv-module-missing')
  }, 30_000)

  // One pwsh each: the session code is the same for every command, so two of them stand for all.
  it.each(COMMANDS.filter(([name]) => name === 'create' || name === 'doctor'))('the bootstrap finds no Hyper-V module: %s refuses, the emulated host unchanged', (_name, args) => {
    const p = makeEmulatorProject(UNDECLARED)
    const before = {state: p.state(), files: p.files()}
    const r = runCli(args, {cwd: p.dir})
    expectRefused(r, args.join(' '))
    expect(printed(r)).toContain('has no Hyper-V PowerShell module')
    expect(p.state()).toEqual(before.state)
    expect(p.files()).toEqual(before.files)
  }, 30_000)
})

describe.runIf(process.platform !== 'win32')('the local machine on Linux or macOS, no inventory', () => {
  it('create says this machine is not a Hyper-V host and points at hvguest init or an inventory', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hvguest-local-'))
    const r = runCli(['create', 'ubuntu-2204'], {cwd: empty})
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2)
    expect(r.stderr).toContain('hyperv-module-missing')
    expect(r.stderr).toMatch(/this machine \((Linux|macOS)\) is not a Hyper-V host/)
    expect(r.stderr).toContain('hvguest init')
    expect(r.stderr).toContain('--inventory FILE')
    expect(r.stderr).not.toMatch(/rolled back|not recognized/)
  }, 30_000)
})
