/**
 * `create --emit FILE` through the BUILT CLI (bin/run.js, the bundled services): a FILE that
 * cannot be written is bad input (exit 2, the folder named, nothing written, never "internal
 * error"); the script's header carries the CLI's version; a host name that is not a computer name
 * stops at the inventory (exit 2 at its line and column). The emitted script runs on an emulated
 * host and prints, from its data, the host and guests it is for.
 */
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {makeEmulatorProject, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {REPO, runCli, STACK_LINE} from '../helpers/run-cli.js'

const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string

function project(opts: EmulatorProjectOptions = {}): EmulatorProject {
  const p = makeEmulatorProject(opts)
  mkdirSync(join(p.dir, 'templates'))
  writeFileSync(
    join(p.dir, 'templates', 'small.yaml'),
    stringify({
      apiVersion: 'hvguest/v1',
      kind: 'GuestTemplate',
      metadata: {name: 'small'},
      spec: {os: {family: 'linux', distro: 'ubuntu', version: '22.04'}, bootDisk: {size: '10GB'}, networkAdapters: [{switch: 'Lab'}]},
    }),
  )
  return p
}

const emit = (p: EmulatorProject, file: string, more: string[] = []) => runCli(['create', 'small', '--name', 'web1', '--emit', file, ...more], {cwd: p.dir})

describe('create --emit', () => {
  it('into a folder that does not exist: exit 2 naming the folder, nothing written, no internal error', () => {
    const p = project()
    const missing = join(p.dir, 'no', 'such', 'dir')
    const r = emit(p, join(missing, 'x.ps1'))
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(r.stderr).toContain(`error [input-invalid] --emit ${join(missing, 'x.ps1')}: the folder ${missing} does not exist`)
    expect(r.stderr).toContain('nothing was written')
    expect(r.stderr).not.toMatch(/internal error|report it/)
    expect(r.stderr).not.toMatch(STACK_LINE)
    expect(r.stdout).toBe('')
    expect(existsSync(join(p.dir, 'no'))).toBe(false)
    const j = emit(p, join(missing, 'x.ps1'), ['--json'])
    expect(j.code).toBe(2)
    expect(JSON.parse(j.stdout)).toMatchObject({status: 'error', exitCode: 2, error: {name: 'InputError', diagnostics: [{code: 'input-invalid'}]}})
  }, 60_000)

  it('onto a folder, or under a file: exit 2, nothing written', () => {
    const p = project()
    mkdirSync(join(p.dir, 'out'))
    const onFolder = emit(p, join(p.dir, 'out'))
    expect(onFolder.code, onFolder.stderr).toBe(2)
    expect(onFolder.stderr).toContain(`${join(p.dir, 'out')} is a folder`)
    expect(readdirSync(join(p.dir, 'out'))).toEqual([])
    writeFileSync(join(p.dir, 'plain'), 'x')
    const underFile = emit(p, join(p.dir, 'plain', 'x.ps1'))
    expect(underFile.code, underFile.stderr).toBe(2)
    expect(underFile.stderr).toContain(`${join(p.dir, 'plain')} is not a folder`)
    expect(readFileSync(join(p.dir, 'plain'), 'utf8')).toBe('x')
  }, 60_000)

  it("the header names the CLI's version; the script prints its host and guests and creates them", () => {
    const p = project()
    const file = join(p.dir, 'create-web1.ps1')
    const r = emit(p, file)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const text = readFileSync(file, 'utf8')
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/)
    expect(text.split('\n')[2]).toMatch(new RegExp(`^  hvguest ${VERSION.replaceAll('.', '\\.')} emitted script: 1 guest\\(s\\) for one host, run \\d{8}T\\d{6}-[0-9a-f]{6}\\.$`))
    expect(text).not.toContain('hvguest  emitted')
    // the script's path reaches pwsh as data (an environment variable)
    const ran = p.pwsh('& $env:HVG_SCRIPT; exit $LASTEXITCODE', {HVG_SCRIPT: file})
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    expect(ran.stdout).toContain('hvguest: 1 guest(s) on host emu1 (windows-server-2022): web1')
    expect(p.state().vms.map((v: {name: string}) => v.name)).toEqual(['web1'])
  }, 120_000)

  it('a host name that is not a computer name: exit 2 at its line and column in the inventory, nothing written', () => {
    const p = project({hostName: 'hv1 #> Write-Output INJECTED <#'})
    const file = join(p.dir, 'x.ps1')
    const r = emit(p, file, ['--host', 'hv1 #> Write-Output INJECTED <#'])
    expect(r.code, r.stdout + r.stderr).toBe(2)
    // the plan's diagnostics (stdout, with the plan), at the name in hosts.yaml: `  - name: "..."` is line 4, column 11
    expect(r.stdout).toMatch(/^ {2}hosts\.yaml:4:11: error \[schema\] hosts\[0\]\.name: a host name is a computer name: letters, digits and hyphens/m)
    expect(r.stderr).toContain('The plan has errors: nothing can be created from it.')
    expect(r.stderr).not.toMatch(/internal error/)
    expect(existsSync(file)).toBe(false)
    // the near miss: a computer name
    const good = project({hostName: 'hv1.lab'})
    expect(emit(good, join(good.dir, 'x.ps1'), ['--host', 'hv1.lab']).code).toBe(0)
  }, 60_000)
})
