/**
 * `create --emit`: no value of the plan or the inventory becomes script text. Every value of the
 * hostile corpus (the strings the runtime and session tests use: quotes, the Unicode quotes
 * PowerShell honours, `$(...)`, backticks, `#>` and `<#`, here-string markers, line breaks...) is
 * put into every name a plan carries at once (host, guest, template, profile, switch, adapter,
 * paths, notes, OS), and the emitted script is parsed by real pwsh
 * ([System.Management.Automation.Language.Parser]::ParseFile): it must parse, run exactly the
 * commands of a script made from a plain plan (no `Write-Output INJECTED`), and carry none of the
 * values in its comments. The values travel base64 and are decoded, intact, by the driver.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {buildEmittedScript} from '../../src/provision/emit-script.js'
import {HOSTILE} from '../fixtures/session/helpers.js'
import {clone, singleGuestPlan} from '../fixtures/runtime/plans.js'
import {runPwshFile} from '../helpers/pwsh.js'

const work = mkdtempSync(join(tmpdir(), 'hvguest-emit-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

/** The hostile corpus, and the ways out of the emitted script's comment, strings and here-strings. */
const VALUES: string[] = [
  ...HOSTILE,
  'hv1 #> Write-Output INJECTED <#',
  '#>\nWrite-Output INJECTED\n<#',
  'x\r\nWrite-Output INJECTED',
  "x'; Write-Output INJECTED; '",
  'x’; Write-Output INJECTED; ‘',
  'x‛; Write-Output INJECTED; ‚',
  'x"; Write-Output INJECTED; "',
  'x”; Write-Output INJECTED; „',
  '$(Write-Output INJECTED)',
  '`$(Write-Output INJECTED)',
  "\n'@\nWrite-Output INJECTED\n@'\n",
  '\n"@\nWrite-Output INJECTED\n@"\n',
  '<# Write-Output INJECTED',
]

/** The same value in every name and path of a one-host, two-guest plan. */
function hostilePlan(v: string): any {
  const plan = singleGuestPlan('ubuntu-2204')
  const h = plan.hosts[0]
  Object.assign(h, {name: v, os: v, profile: v, vmRoot: `C:\\${v}`, imageRoot: `C:\\${v}`, isoRoot: `C:\\${v}`, cluster: v})
  h.network.jumbo = [{switch: v, value: 9014, targets: ['physical-nic', 'host-vethernet']}]
  const g = plan.guests[0]
  Object.assign(g, {name: v, host: v, template: v, templateFile: v, profile: v, hostname: v, notes: v, path: `C:\\${v}`})
  Object.assign(g.os, {distro: v, version: v})
  for (const d of g.drives) if (d.path) d.path = `C:\\${v}\\${d.name}.vhdx`
  for (const a of g.networkAdapters) Object.assign(a, {name: v, switch: v})
  const second = {...clone(g), name: `${v} 2`}
  plan.guests = [g, second]
  plan.diagnostics = [{code: 'x', severity: 'warning', message: v, guest: v, host: v}]
  return plan
}

interface Parsed {
  errors: string[]
  commands: Array<string | null>
  comments: string[]
  summary: {host: string; os: string; guests: string[]}
}

/** Parses every script in one pwsh (file paths arrive as data, in an environment variable). */
function parse(files: string[]): Parsed[] {
  const parser = join(work, 'parse.ps1')
  writeFileSync(
    parser,
    [
      "$ErrorActionPreference = 'Stop'",
      '$out = foreach ($f in @($env:HVG_FILES | ConvertFrom-Json)) {',
      '  $tokens = $null; $errors = $null',
      '  $ast = [System.Management.Automation.Language.Parser]::ParseFile($f, [ref]$tokens, [ref]$errors)',
      '  $commands = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { $_.GetCommandName() })',
      "  $comments = @($tokens | Where-Object { $_.Kind -eq 'Comment' } | ForEach-Object { $_.Text })",
      // The driver's own decoding of $Summary: the value arrives whole.
      "  $assign = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] -and [string]$n.Left -eq '$Summary' }, $false))[0]",
      '  $summary = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($assign.Right.Expression.Value)) | ConvertFrom-Json',
      '  [ordered]@{ errors = @($errors | ForEach-Object { $_.Message }); commands = $commands; comments = $comments; summary = $summary }',
      '}',
      'ConvertTo-Json -InputObject @($out) -Depth 6 -Compress',
    ].join('\n'),
  )
  const r = runPwshFile(parser, [], {env: {HVG_FILES: JSON.stringify(files)}, timeoutMs: 300_000})
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('--emit: values are data, never script text', () => {
  it('every hostile value in every name: the script parses to the plain script\'s commands, and no comment holds it', () => {
    const runId = '20260101T000000-abcdef'
    const plain = join(work, 'plain.ps1')
    writeFileSync(plain, buildEmittedScript(singleGuestPlan('ubuntu-2204'), {runId, version: '0.1.0'}))
    const files = VALUES.map((v, i) => {
      const file = join(work, `hostile-${i}.ps1`)
      writeFileSync(file, buildEmittedScript(hostilePlan(v), {runId, version: '0.1.0'}))
      return file
    })
    const [base, ...hostile] = parse([plain, ...files])
    expect(base.errors).toEqual([])
    // the plain script's own commands (the driver's): nothing that writes to the pipeline on its own
    expect(base.commands).not.toContain('Write-Output')
    expect(base.commands).toEqual(expect.arrayContaining(['Import-Module', 'Send-HvGuestRequest', 'Write-Host', 'ConvertFrom-Json']))
    hostile.forEach((p, i) => {
      const v = VALUES[i]
      const label = JSON.stringify(v)
      expect(p.errors, label).toEqual([])
      expect(p.commands, label).toEqual(base.commands)
      expect(p.comments, label).toEqual(base.comments.map((c) => c.replace(/\d+ guest\(s\)/, '2 guest(s)')))
      for (const c of p.comments) for (const line of v.split(/\r?\n/).filter((l) => l.trim().length > 2)) expect(c.includes(line), `${label} in a comment`).toBe(false)
      // decoded by the driver exactly as the plan wrote it
      expect(p.summary, label).toEqual({host: v, os: v, guests: [v, `${v} 2`]})
    })
  }, 300_000)

  it('the header holds no value from the plan: only the version, the run id and a count', () => {
    const text = buildEmittedScript(hostilePlan('hv1 #> Write-Output INJECTED <#'), {runId: 'run-1', version: '0.1.0'})
    const header = text.slice(0, text.indexOf('#>') + 2)
    expect(header).toContain('hvguest 0.1.0 emitted script: 2 guest(s) for one host, run run-1.')
    expect(header).not.toMatch(/INJECTED|hv1/)
    expect(text.split('\n').filter((l) => l.includes('INJECTED'))).toEqual([])
  })

  it('a run id or version that is not a plain token is refused, not written', () => {
    const plan = singleGuestPlan('ubuntu-2204')
    expect(() => buildEmittedScript(plan, {runId: "r'; Write-Output INJECTED; '", version: '0.1.0'})).toThrow(/run id .* is not a plain token/)
    expect(() => buildEmittedScript(plan, {runId: 'run-1', version: '1.0 #> Write-Output INJECTED <#'})).toThrow(/version .* is not a plain token/)
  })
})
