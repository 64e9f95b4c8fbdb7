/**
 * The built CLI, run for `plan`, `validate` and the content commands, with and without
 * --json, checking exit codes (0 ok, 2 invalid input) and that output is what it says.
 */
import {mkdtempSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli, STACK_LINE} from '../helpers/run-cli.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'hvguest-e2e-'))

describe('hvguest plan', () => {
  it('plans a built-in template and shows the Gen1 layout', () => {
    const r = runCli(['plan', 'ubuntu-2204', '--set', 'dataDiskCount=2'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/IDE 0:0\s+hdd\s+boot/)
    expect(r.stdout).toMatch(/SCSI 0:0\s+hdd\s+data/)
    expect(r.stdout).toContain('Integration: linux-builtin')
  })

  it('--json prints the Plan JSON and nothing else', () => {
    const r = runCli(['plan', 'ubuntu-2204', '--json', '--set', 'dataDiskCount=3'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    const plan = JSON.parse(r.stdout)
    expect(plan.apiVersion).toBe('hvguest/v1')
    expect(plan.kind).toBe('Plan')
    const data = plan.guests[0].drives.filter((d: {role: string}) => d.role === 'data')
    expect(data.map((d: {controller: {type: string; number: number; location: number}}) => `${d.controller.type} ${d.controller.number}:${d.controller.location}`)).toEqual([
      'SCSI 0:0',
      'SCSI 0:1',
      'SCSI 0:2',
    ])
  })

  it('runs what dist/ holds whatever NODE_ENV says: no TypeScript lookup, nothing on stderr', () => {
    // oclif looks for the commands' TypeScript sources when NODE_ENV is test or development, and
    // warns when it finds none (bin/run.js turns that off): a user's NODE_ENV must not send it looking.
    for (const NODE_ENV of ['development', 'test']) {
      const r = runCli(['plan', 'ubuntu-2204', '--json'], {env: {NODE_ENV}})
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr, NODE_ENV).toBe('')
    }
  })

  it('bad input: exit 2, one line per problem with file:line:column, no stack', () => {
    const dir = tmp()
    writeFileSync(
      join(dir, 'bad.yaml'),
      'apiVersion: hvguest/v1\nkind: GuestTemplate\nmetadata: {name: bad}\nspec:\n  os: {family: linux, distro: ubuntu, version: "22.04"}\n  prosessors: 2\n  bootDisk: {size: 10XB}\n',
    )
    const r = runCli(['plan', 'bad.yaml'], {cwd: dir})
    expect(r.code).toBe(2)
    expect(r.stdout + r.stderr).toMatch(/bad\.yaml:6:3: error \[schema\].*prosessors.*did you mean "processors"/)
    expect(r.stdout + r.stderr).toMatch(/bad\.yaml:7:\d+: error \[schema\].*10XB/)
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE)
  })

  it('bad input with --json: exit 2 and the diagnostics in the JSON', () => {
    const r = runCli(['plan', 'ubuntu-2204', '--json', '--set', 'dataDiskCount=abc', '--set', 'nosuch=1'])
    expect(r.code).toBe(2)
    const plan = JSON.parse(r.stdout)
    const codes = plan.diagnostics.map((d: {code: string}) => d.code)
    expect(codes).toContain('parameter-invalid')
    expect(codes).toContain('parameter-unknown')
  })

  it('an unknown flag exits 2 even with --json (oclif would exit 1)', () => {
    const r = runCli(['plan', 'ubuntu-2204', '--json', '--no-such-flag'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).status).toBe('error')
    const human = runCli(['plan', 'ubuntu-2204', '--no-such-flag'])
    expect(human.code).toBe(2)
    expect(human.stderr).not.toMatch(STACK_LINE)
  })

  it('unknown template, profile and host exit 2 with a suggestion', () => {
    const t = runCli(['plan', 'ubuntu-2024'])
    expect(t.code).toBe(2)
    expect(t.stderr + t.stdout).toMatch(/template-not-found.*did you mean "ubuntu-2204"/i)
    const p = runCli(['plan', 'ubuntu-2204', '--profile', 'intel10g'])
    expect(p.code).toBe(2)
    expect(p.stderr + p.stdout).toMatch(/profile-not-found.*intel-10g/)
    const h = runCli(['plan', 'ubuntu-2204', '--host', 'hv9'])
    expect(h.code).toBe(2)
    expect(h.stderr + h.stdout).toContain('host-not-found')
  })

  it('a Windows guest name over 15 characters exits 2', () => {
    const r = runCli(['plan', 'ws2022', '--name', 'sixteen-chars-xx', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).diagnostics.map((d: {code: string}) => d.code)).toContain('name-invalid')
  })

  it('--strict turns a warning into exit 2', () => {
    const args = ['plan', 'ws2008r2', '--profile', 'intel-10g', '--host-os', 'windows-server-2022', '--json']
    const lax = runCli(args)
    expect(lax.code, lax.stdout).toBe(0)
    expect(JSON.parse(lax.stdout).diagnostics.some((d: {severity: string}) => d.severity === 'warning')).toBe(true)
    expect(runCli([...args, '--strict']).code).toBe(2)
  })

  it('the wireless profile is a clear error on use', () => {
    const r = runCli(['plan', 'ubuntu-2204', '--profile', 'wireless'])
    expect(r.code).toBe(2)
    expect(r.stdout + r.stderr).toContain('wireless-adapter-switch')
  })

  it('a --set value cannot change the YAML structure', () => {
    const hostile = 'Lab\nkey: value # not a comment'
    const r = runCli(['plan', 'ubuntu-2204', '--json', '--set', `switch=${hostile}`])
    expect(r.code, r.stdout).toBe(0)
    expect(JSON.parse(r.stdout).guests[0].networkAdapters[0].switch).toBe(hostile)
  })

  it('--count with an expression name plans web1..webN', () => {
    const r = runCli(['plan', 'ubuntu-2204', '--count', '3', '--name', 'web{{index}}', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).guests.map((g: {name: string}) => g.name)).toEqual(['web1', 'web2', 'web3'])
  })
})

describe('hvguest validate', () => {
  it('passes every built-in template and profile', () => {
    const r = runCli(['validate', '--builtin', '--json'])
    expect(r.code, r.stdout).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.status).toBe('ok')
    expect(out.files.length).toBeGreaterThanOrEqual(11)
    // every built-in template, the releases of today included, was checked and is valid
    const checked = out.files.map((f: {file: string; kind: string | null; valid: boolean}) => `${f.kind} ${basename(f.file)} ${f.valid}`)
    for (const name of ['ubuntu-2404', 'ubuntu-2604', 'debian-13', 'rocky-9', 'rocky-10', 'alma-9', 'alma-10', 'ws2025', 'win11']) {
      expect(checked).toContain(`GuestTemplate ${name}.yaml true`)
    }
  })

  it('fails a broken file with exit 2 and its line', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'p.yaml'), 'apiVersion: hvguest/v1\nkind: HardwareProfile\nmetadata: {name: p}\nspec:\n  network: {jumboPacket: "big"}\n')
    const r = runCli(['validate', 'p.yaml'], {cwd: dir})
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/p\.yaml:5:\d+: error \[schema\]/)
    const j = runCli(['validate', 'p.yaml', '--json'], {cwd: dir})
    expect(j.code).toBe(2)
    expect(JSON.parse(j.stdout).files[0].valid).toBe(false)
  })

  it('with nothing to validate: exit 2 (input-invalid)', () => {
    const r = runCli(['validate', '--json'], {cwd: tmp()})
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error.diagnostics[0].code).toBe('input-invalid')
  })
})

describe('content commands', () => {
  it('template list / show and profile list / show, with --json', () => {
    const tl = runCli(['template', 'list', '--json'])
    expect(tl.code).toBe(0)
    const names = JSON.parse(tl.stdout).templates.map((t: {name: string}) => t.name)
    for (const n of ['ws2008r2', 'ws2012r2', 'ws2022', 'ubuntu-2204', 'debian-12', 'centos-6']) expect(names).toContain(n)
    const ts = runCli(['template', 'show', 'centos-6'])
    expect(ts.code).toBe(0)
    expect(ts.stdout).toContain('Parameters')
    const pl = runCli(['profile', 'list', '--json'])
    expect(JSON.parse(pl.stdout).profiles.map((p: {name: string}) => p.name)).toEqual(
      expect.arrayContaining(['generic-1g', 'intel-10g', 'broadcom-10g', 'wireless']),
    )
    const ps = runCli(['profile', 'show', 'intel-10g', '--json'])
    expect(JSON.parse(ps.stdout).spec.network.jumboPacket).toBe(9014)
    expect(runCli(['profile', 'show', 'nope']).code).toBe(2)
  })

  it('schema prints JSON Schema for each kind', () => {
    const r = runCli(['schema', 'GuestTemplate'])
    expect(r.code).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s.properties.spec.properties.bootDisk).toBeDefined()
    const all = JSON.parse(runCli(['schema', '--json']).stdout)
    expect(Object.keys(all).sort()).toEqual(['GuestTemplate', 'HardwareProfile', 'HostInventory', 'Lab'])
  })

  it('init makes a project that validates and plans, and never overwrites', () => {
    const dir = tmp()
    const r = runCli(['init', dir, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(join(dir, 'hosts.yaml'))).toBe(true)
    const v = runCli(['validate'], {cwd: dir})
    expect(v.code, v.stdout).toBe(0)
    const p = runCli(['plan', 'templates/lab-linux.yaml', '--json'], {cwd: dir})
    expect(p.code, p.stdout).toBe(0)
    expect(JSON.parse(p.stdout).hosts[0].transport).toBe('emulator')
    const again = runCli(['init', dir, '--json'])
    expect(JSON.parse(again.stdout).created).toEqual([])
  })

  it('help works without the help plugin: hvguest help, help COMMAND, COMMAND --help', () => {
    const all = runCli(['help'])
    expect(all.code).toBe(0)
    expect(all.stdout).toMatch(/USAGE/)
    expect(all.stdout).toMatch(/plan/)
    const one = runCli(['help', 'create'])
    expect(one.code).toBe(0)
    expect(one.stdout).toMatch(/--dry-run/)
    expect(runCli(['validate', '--help']).stdout).toMatch(/EXAMPLES/)
  })

  it('create refuses flags that cannot go together, exit 2 before anything is read or written; its usage line shows each flag once, with no empty alternative', () => {
    const dir = tmp()
    const script = join(dir, 'out.ps1')
    const refused: Array<[string[], RegExp]> = [
      [['--wait', '--emit', script], /--emit=.* cannot also be provided when using --wait/],
      [['--emit', script, '--wait'], /--emit=.* cannot also be provided when using --wait/],
      [['--parallel', '2', '--emit', script], /--emit=.* cannot also be provided when using --parallel/],
      [['--dry-run', '--parallel', '2'], /--dry-run=true cannot also be provided when using --parallel/],
      [['--emit', script, '--dry-run'], /--dry-run=true cannot also be provided when using --emit/],
    ]
    for (const [flags, why] of refused) {
      const r = runCli(['create', 'ubuntu-2204', ...flags], {cwd: dir})
      expect(r.code, `${flags.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toMatch(why)
      expect(existsSync(script)).toBe(false)
    }
    for (const command of [['create'], ['ic', 'inject']]) {
      const usage = runCli([...command, '--help']).stdout.split(/\n\s*\n/).find((block) => block.startsWith('USAGE'))!
      const line = usage.replace(/\s+/g, ' ')
      expect(line, command.join(' ')).not.toMatch(/\|\s*[|\]]|\[\s*\|/)
      for (const flag of line.match(/--[a-z-]+/g)!) expect(line.split(flag + ' ').length + line.split(flag + ']').length - 2, `${flag} in: ${line}`).toBe(1)
    }
    expect(runCli(['create', '--help']).stdout.replace(/\s+/g, ' ')).toContain('[--wait] [--timeout <value>] [--lock-timeout <value>] [--parallel N]')
  })

  it('an unknown command is exit 2 with the closest one named', () => {
    const r = runCli(['plna', 'ws2022'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Did you mean "hvguest plan"/)
  })

  it('--version prints the version', () => {
    const r = runCli(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^hvguest\/\d+\.\d+\.\d+/)
  })
})
