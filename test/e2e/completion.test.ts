/**
 * `hvguest completion SHELL` and the scripts it prints, driven in the real shells: bash through
 * its completion variables, PowerShell through TabExpansion2, zsh parsed and run through its
 * bash-completion emulation.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {runPwsh} from '../helpers/pwsh.js'
import {runCli} from '../helpers/run-cli.js'

let project: string
let scripts: Record<'bash' | 'zsh' | 'powershell', string>

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'hvguest-completion-'))
  mkdirSync(join(project, 'templates'))
  writeFileSync(join(project, 'templates', 'x.yaml'), 'kind: GuestTemplate\n')
  writeFileSync(join(project, 'hosts.yaml'), 'kind: HostInventory\nhosts:\n  - name: hv1\n    os: windows-server-2022\n  - name: "hv2" # second\nother:\n  - name: not-a-host\n')
  writeFileSync(join(project, 'other.yaml'), 'hosts:\n  - name: elsewhere\n')
  scripts = {bash: '', zsh: '', powershell: ''}
  for (const shell of Object.keys(scripts) as (keyof typeof scripts)[]) {
    const r = runCli(['completion', shell])
    expect(r.code, r.stderr).toBe(0)
    scripts[shell] = join(project, `completion.${shell}`)
    writeFileSync(scripts[shell], r.stdout)
  }
})

/** COMPREPLY for the words typed, the last one being completed, in bash. */
function bash(...words: string[]): string[] {
  const r = spawnSync('bash', ['-c', 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _hvguest; printf "%s\\n" "${COMPREPLY[@]}"', scripts.bash, 'hvguest', ...words], {cwd: project, encoding: 'utf8'})
  expect(r.status, r.stderr).toBe(0)
  return r.stdout.split('\n').filter(Boolean)
}

describe('bash completion', () => {
  it('completes commands, and the subcommands of a topic', () => {
    expect(bash('')).toEqual(expect.arrayContaining(['create', 'plan', 'template', 'net', 'completion']))
    expect(bash('te')).toEqual(['template'])
    expect(bash('net', '')).toEqual(['apply', 'restore', 'show'])
  })

  it('completes the flags of create, and a fixed set of values', () => {
    expect(bash('create', '--')).toEqual(expect.arrayContaining(['--host', '--profile', '--inventory', '--host-os', '--dry-run', '--json']))
    expect(bash('create', '-')).toEqual(expect.arrayContaining(['-i', '-p']))
    expect(bash('create', '--host-os', 'windows-server-202')).toEqual(['windows-server-2022', 'windows-server-2025'])
    // bash splits --flag=value at "="
    expect(bash('create', '--host-os', '=', 'windows-1')).toEqual(['windows-10', 'windows-11'])
  })

  it('completes built-in and project template names, and files', () => {
    expect(bash('create', 'ubuntu-2')).toEqual(['ubuntu-2204', 'ubuntu-2404', 'ubuntu-2604'])
    expect(bash('plan', 'x')).toContain('x')
    expect(bash('create', 'oth')).toContain('other.yaml')
    expect(bash('plan', 'x', '--profile', 'intel')).toEqual(['intel-10g'])
  })

  it('completes host names from hosts.yaml, or from the --inventory file', () => {
    expect(bash('create', 'x', '--host', '')).toEqual(['hv1', 'hv2'])
    expect(bash('net', 'show', '--inventory', 'other.yaml', '--host', '')).toEqual(['elsewhere'])
  })
})

describe('PowerShell completion', () => {
  it('completes commands, flags, templates and hosts through TabExpansion2', () => {
    const probe = (line: string) => `(TabExpansion2 '${line}' ${line.length}).CompletionMatches.CompletionText -join ','`
    const script = [
      `Get-Content -Raw -LiteralPath '${scripts.powershell}' | Out-String | Invoke-Expression`,
      probe('hvguest cre'),
      probe('hvguest template '),
      probe('hvguest create --ho'),
      probe('hvguest create ubuntu-2'),
      probe('hvguest create x --host '),
    ].join('\n')
    const r = runPwsh(script, {cwd: project})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim().split('\n').map((l) => l.trim()).filter(Boolean)).toEqual([
      'create',
      'list,show',
      '--host,--host-os',
      'ubuntu-2204,ubuntu-2404,ubuntu-2604',
      'hv1,hv2',
    ])
  }, 60_000)
})

describe('zsh completion', () => {
  it('parses, and completes through zsh when sourced', () => {
    expect(spawnSync('zsh', ['-n', scripts.zsh]).status).toBe(0)
    // Sourced: it registers the bash-style function; driving it with COMP_WORDS shows what zsh offers.
    const r = spawnSync('zsh', ['-f', '-c', 'autoload -U compinit && compinit -u; source "$0"; setopt ksharrays; COMP_WORDS=(hvguest template ""); COMP_CWORD=2; __hvguest_bash; print -l "${COMPREPLY[@]}"', scripts.zsh], {cwd: project, encoding: 'utf8'})
    expect(r.stdout.split('\n').filter(Boolean), r.stderr).toEqual(['list', 'show'])
  })

  it('installed in $fpath, completes at a real interactive zsh prompt (driven through zpty)', () => {
    const fp = join(project, 'fpath')
    mkdirSync(fp, {recursive: true})
    writeFileSync(join(fp, '_hvguest'), readFileSync(scripts.zsh, 'utf8'))
    // The folder reaches the driver as an argument ($1), never pasted into its text.
    const driver = [
      'zmodload zsh/zpty',
      'zpty -b z zsh -f -i',
      'zpty -w z "fpath=(${(q)1} \\$fpath); autoload -U compinit; compinit -u -D; PS1=\'> \'; hvguest() { : }"',
      'sleep 1',
      "zpty -w -n z $'hvguest template \\t'",
      'sleep 2',
      "all=''",
      'while zpty -r -t z out; do all+=$out; done',
      'print -r -- "$all"',
      'zpty -d z',
    ].join('\n')
    const r = spawnSync('zsh', ['-f', '-c', driver, 'driver', fp], {cwd: project, encoding: 'utf8', timeout: 30_000})
    expect(r.stdout, r.stderr).toMatch(/list\s+show/)
  }, 40_000)
})

describe('hvguest completion', () => {
  it('an unknown shell is input error 2', () => {
    const r = runCli(['completion', 'fish'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/fish/)
  })
})
