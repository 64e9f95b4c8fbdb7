/**
 * Windows PowerShell 5.1: hosts of 2016 and earlier reach the Hyper-V module natively only from
 * it, so the runtime (ps/HvGuest, Bootstrap.ps1 included) and the script `create --emit` writes
 * must run there. 5.1 cannot run here, so pwsh's own parser reads them
 * ([System.Management.Automation.Language.Parser]::ParseFile) and every construct of
 * test/fixtures/runtime/ps7-only.json (PowerShell 6+/7-only language, cmdlets, parameters,
 * parameter values, .NET Core APIs and encoding assumptions, each with its source) is an error.
 * The list checks itself: each entry's deliberately bad snippet must be caught, a use behind the
 * runtime's capability guard must not be, and every cmdlet and parameter it names must exist in
 * the pwsh 7 that runs this (a misspelt entry would catch nothing). One pwsh parses everything.
 */
import {mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {buildEmittedScript} from '../../src/execute/emit-script.js'
import {singleGuestPlan} from '../fixtures/runtime/plans.js'
import {REPO, runPwshFile} from '../helpers/pwsh.js'

interface Entry {
  id: string
  construct: string
  since: string
  detect: Record<string, any>
  source: string
  bad: string
  guarded?: string
}
interface Violation {
  id: string
  line: number
  text: string
  what: string
}
interface FileReport {
  path: string
  parseErrors: string[]
  commandCount: number
  violations: Violation[]
}
interface Report {
  files: FileReport[]
  missing: Array<{id: string; name: string}>
}

const LIST = JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'runtime', 'ps7-only.json'), 'utf8')) as {entries: Entry[]}
const RUNTIME = join(REPO, 'ps', 'HvGuest')
const DETECTIONS = ['ast', 'command', 'parameter', 'variable', 'staticMethod', 'typePrefix', 'fileEncoding', 'defaultEncoding']

const work = mkdtempSync(join(tmpdir(), 'hvguest-ps51-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => {
      const p = join(dir, n)
      return statSync(p).isDirectory() ? runtimeFiles(p) : /\.(ps1|psm1|psd1)$/i.test(n) ? [p] : []
    })
    .sort()
}

/**
 * The checker (run by pwsh 7.x): for each file, the violations of each entry. Commands are resolved
 * through aliases (`%` is ForEach-Object); parameters are bound by pwsh's StaticParameterBinder
 * (abbreviations and positions count: `Join-Path $a 'b' 'c'` binds -AdditionalChildPath), and the
 * keys of a splatted hashtable count as parameters too. A cmdlet or parameter used only inside
 * `if (Test-HvCommand -Command 'X')`, `if (Test-HvCommandParameter ... -Parameter 'Y')` or
 * `if ((Get-Command X).Parameters.ContainsKey('Y'))` is allowed: on 5.1 that branch does not run.
 */
const CHECKER = String.raw`[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
$request = Get-Content -LiteralPath $env:HVG_INPUT -Raw -Encoding utf8 | ConvertFrom-Json
$entries = @($request.entries)

function Resolve-CommandName([string]$Name) {
    $alias = Get-Alias -Name $Name -ErrorAction Ignore
    if ($alias) { return [string]$alias.ResolvedCommandName }
    return $Name
}

# The condition of an if that makes its body run only where the command or parameter exists.
function Test-Guarded($Node, [string]$Command, [string]$Parameter) {
    $child = $Node
    $p = $Node.Parent
    while ($null -ne $p) {
        if ($p -is [System.Management.Automation.Language.IfStatementAst]) {
            foreach ($clause in $p.Clauses) {
                if ($clause.Item2 -eq $child) {
                    $c = $clause.Item1.Extent.Text
                    if ($Parameter) {
                        $q = [regex]::Escape($Parameter)
                        if ($c -match "Parameters\.ContainsKey\(\s*'$q'\s*\)" -or $c -match "Test-HvCommandParameter\b.*-Parameter\s+'$q'") { return $true }
                    }
                    elseif ($Command) {
                        $q = [regex]::Escape($Command)
                        if ($c -match "Test-HvCommand\s+-Command\s+'$q'") { return $true }
                    }
                }
            }
        }
        $child = $p
        $p = $p.Parent
    }
    return $false
}

# The keys a splatted variable can carry: hashtable literals assigned to it, and $v.Key / $v['Key']
# assignments, in the function (or file) around the call.
function Get-SplatKey($CommandAst, [string]$VariableName) {
    $scope = $CommandAst.Parent
    while ($null -ne $scope -and -not ($scope -is [System.Management.Automation.Language.FunctionDefinitionAst]) -and $null -ne $scope.Parent) { $scope = $scope.Parent }
    $keys = @()
    $assignments = $scope.FindAll({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true)
    foreach ($a in $assignments) {
        $left = $a.Left
        if ($left -is [System.Management.Automation.Language.ConvertExpressionAst]) { $left = $left.Child }
        if ($left -is [System.Management.Automation.Language.VariableExpressionAst] -and $left.VariablePath.UserPath -eq $VariableName) {
            foreach ($h in $a.Right.FindAll({ param($n) $n -is [System.Management.Automation.Language.HashtableAst] }, $true)) {
                foreach ($pair in $h.KeyValuePairs) { if ($pair.Item1 -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $keys += [pscustomobject]@{ Name = $pair.Item1.Value; Node = $a } } }
            }
        }
        elseif ($left -is [System.Management.Automation.Language.MemberExpressionAst] -and $left.Expression -is [System.Management.Automation.Language.VariableExpressionAst] -and $left.Expression.VariablePath.UserPath -eq $VariableName -and $left.Member -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
            $keys += [pscustomobject]@{ Name = $left.Member.Value; Node = $a }
        }
        elseif ($left -is [System.Management.Automation.Language.IndexExpressionAst] -and $left.Target -is [System.Management.Automation.Language.VariableExpressionAst] -and $left.Target.VariablePath.UserPath -eq $VariableName -and $left.Index -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
            $keys += [pscustomobject]@{ Name = $left.Index.Value; Node = $a }
        }
    }
    return $keys
}

# A parameter name as written (maybe abbreviated) -> the command's full parameter name.
function Resolve-ParameterName($CommandInfo, [string]$Name) {
    if ($null -eq $CommandInfo) { return $Name }
    foreach ($p in $CommandInfo.Parameters.Values) {
        if ($p.Name -eq $Name -or @($p.Aliases) -contains $Name) { return $p.Name }
    }
    $prefixed = @($CommandInfo.Parameters.Keys | Where-Object { $_.StartsWith($Name, [StringComparison]::OrdinalIgnoreCase) })
    if ($prefixed.Count -eq 1) { return $prefixed[0] }
    return $Name
}

$commandInfoCache = @{}
function Get-CommandInfoCached([string]$Name) {
    if (-not $commandInfoCache.ContainsKey($Name)) { $commandInfoCache[$Name] = Get-Command -Name $Name -CommandType Cmdlet, Function -ErrorAction Ignore | Select-Object -First 1 }
    return $commandInfoCache[$Name]
}

# Every parameter a call passes: bound by pwsh's binder (abbreviations, positions), plus splat keys.
function Get-CallParameter($CommandAst, [string]$Resolved) {
    $out = @()
    $info = Get-CommandInfoCached $Resolved
    $binding = $null
    try { $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($CommandAst, $true) } catch { $binding = $null }
    if ($null -ne $binding) {
        foreach ($k in $binding.BoundParameters.Keys) { $out += [pscustomobject]@{ Name = [string]$k; Node = $CommandAst; Value = $binding.BoundParameters[$k] } }
    }
    foreach ($e in $CommandAst.CommandElements) {
        if ($e -is [System.Management.Automation.Language.CommandParameterAst]) {
            $full = Resolve-ParameterName $info $e.ParameterName
            if (-not ($out | Where-Object { $_.Name -eq $full })) { $out += [pscustomobject]@{ Name = $full; Node = $CommandAst; Value = $null } }
        }
        if ($e -is [System.Management.Automation.Language.VariableExpressionAst] -and $e.Splatted) {
            foreach ($k in Get-SplatKey $CommandAst $e.VariablePath.UserPath) { $out += [pscustomobject]@{ Name = (Resolve-ParameterName $info $k.Name); Node = $k.Node; Value = $null } }
        }
    }
    return $out
}

function Test-Where($Node, $Where) {
    if ($null -eq $Where) { return $true }
    foreach ($p in $Where.PSObject.Properties) {
        $actual = $Node.($p.Name)
        if ($p.Value -is [bool]) { if ([bool]$actual -ne $p.Value) { return $false } }
        elseif ([string]$actual -ne [string]$p.Value) { return $false }
    }
    return $true
}

function Get-TypeFullName($TypeName) {
    $n = [string]$TypeName.FullName
    if (-not $n.StartsWith('System.', [StringComparison]::OrdinalIgnoreCase)) {
        $t = $TypeName.GetReflectionType()
        if ($null -ne $t) { return $t.FullName }
        return 'System.' + $n
    }
    return $n
}

$missing = @()
foreach ($entry in $entries) {
    $d = $entry.detect
    if ($d.command) {
        foreach ($c in @($d.command)) {
            $info = Get-Command -Name $c -ErrorAction Ignore
            if (-not $info) { $missing += [pscustomobject]@{ id = $entry.id; name = $c }; continue }
            foreach ($p in @($d.parameters | Where-Object { $_ })) { if (-not $info.Parameters.ContainsKey($p)) { $missing += [pscustomobject]@{ id = $entry.id; name = "$c -$p" } } }
        }
    }
}

$results = foreach ($file in @($request.files)) {
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.path, [ref]$tokens, [ref]$errors)
    $violations = [System.Collections.Generic.List[object]]::new()
    $add = { param($id, $node, $what) $violations.Add([pscustomobject]@{ id = $id; line = $node.Extent.StartLineNumber; text = ($node.Extent.Text -split "\r?\n")[0].Trim(); what = $what }) }
    # Every node once, by node type (one walk, not one per entry).
    $byType = @{}
    foreach ($n in $ast.FindAll({ $true }, $true)) {
        $k = $n.GetType().Name
        if (-not $byType.ContainsKey($k)) { $byType[$k] = [System.Collections.Generic.List[object]]::new() }
        $byType[$k].Add($n)
    }
    $nodes = { param([string[]]$Types) foreach ($t in $Types) { if ($byType.ContainsKey($t)) { $byType[$t] } } }
    $commands = @(& $nodes 'CommandAst')
    $calls = foreach ($cmd in $commands) {
        $name = $cmd.GetCommandName()
        if (-not $name) { continue }
        [pscustomobject]@{ Ast = $cmd; Resolved = (Resolve-CommandName $name) }
    }
    $bytes = [System.IO.File]::ReadAllBytes($file.path)
    foreach ($entry in $entries) {
        $d = $entry.detect
        if ($d.ast) {
            # MemberExpressionAst also stands for InvokeMemberExpressionAst (?.Method()), as -is would.
            $types = if ($d.ast -eq 'MemberExpressionAst') { @('MemberExpressionAst', 'InvokeMemberExpressionAst') } else { @($d.ast) }
            foreach ($n in (& $nodes $types)) { if (Test-Where $n $d.where) { & $add $entry.id $n $d.ast } }
        }
        elseif ($d.variable) {
            foreach ($n in (& $nodes 'VariableExpressionAst')) { if (@($d.variable) -contains $n.VariablePath.UserPath) { & $add $entry.id $n ('$' + $n.VariablePath.UserPath) } }
        }
        elseif ($d.command -and -not $d.parameters) {
            foreach ($c in $calls) { if (@($d.command) -contains $c.Resolved -and -not (Test-Guarded $c.Ast $c.Resolved $null)) { & $add $entry.id $c.Ast $c.Resolved } }
        }
        elseif ($d.command) {
            foreach ($c in $calls) {
                if (-not (@($d.command) -contains $c.Resolved)) { continue }
                foreach ($p in Get-CallParameter $c.Ast $c.Resolved) {
                    if (@($d.parameters) -contains $p.Name -and -not (Test-Guarded $p.Node $c.Resolved $p.Name)) { & $add $entry.id $p.Node "$($c.Resolved) -$($p.Name)" }
                }
            }
        }
        elseif ($d.parameter) {
            foreach ($c in $calls) {
                $info = Get-CommandInfoCached $c.Resolved
                if ($null -eq $info -or -not $info.Parameters.ContainsKey($d.parameter)) { continue }
                foreach ($p in Get-CallParameter $c.Ast $c.Resolved) {
                    if ($p.Name -ne $d.parameter) { continue }
                    $value = $null
                    if ($null -ne $p.Value -and $null -ne $p.Value.Value) {
                        $v = $p.Value.Value
                        if ($v -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $value = $v.Value }
                    }
                    if ($null -eq $value -or -not (@($d.allowed) -contains $value)) { & $add $entry.id $p.Node "$($c.Resolved) -$($d.parameter) $value" }
                }
            }
        }
        elseif ($d.defaultEncoding) {
            foreach ($c in $calls) {
                if (-not (@($d.defaultEncoding) -contains $c.Resolved)) { continue }
                $names = @(Get-CallParameter $c.Ast $c.Resolved | ForEach-Object { $_.Name })
                if (-not ($names -contains 'Encoding') -and -not ($names -contains 'AsByteStream')) { & $add $entry.id $c.Ast "$($c.Resolved) without -Encoding" }
            }
            foreach ($n in (& $nodes 'FileRedirectionAst')) {
                $target = $n.Location
                $toNull = $target -is [System.Management.Automation.Language.VariableExpressionAst] -and $target.VariablePath.UserPath -eq 'null'
                if (-not $toNull) { & $add $entry.id $n 'redirection to a file' }
            }
        }
        elseif ($d.fileEncoding) {
            $bom = $bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF
            if (-not $bom) {
                for ($i = 0; $i -lt $bytes.Length; $i++) {
                    if ($bytes[$i] -gt 0x7F) {
                        $line = 1; for ($j = 0; $j -lt $i; $j++) { if ($bytes[$j] -eq 10) { $line++ } }
                        $violations.Add([pscustomobject]@{ id = $entry.id; line = $line; text = 'non-ASCII byte without a UTF-8 BOM'; what = 'file encoding' })
                        break
                    }
                }
            }
        }
        elseif ($d.staticMethod) {
            $m = $d.staticMethod
            foreach ($n in (& $nodes 'InvokeMemberExpressionAst')) {
                if (-not $n.Static) { continue }
                if (-not ($n.Expression -is [System.Management.Automation.Language.TypeExpressionAst])) { continue }
                if ((Get-TypeFullName $n.Expression.TypeName) -ne $m.type) { continue }
                if (-not ($n.Member -is [System.Management.Automation.Language.StringConstantExpressionAst]) -or -not (@($m.method) -contains $n.Member.Value)) { continue }
                if ($null -ne $m.arguments -and @($n.Arguments).Count -ne [int]$m.arguments) { continue }
                & $add $entry.id $n "$($m.type)::$($n.Member.Value)"
            }
        }
        elseif ($d.typePrefix) {
            foreach ($n in (& $nodes 'TypeExpressionAst', 'TypeConstraintAst')) {
                $full = Get-TypeFullName $n.TypeName
                if ($full.StartsWith($d.typePrefix + '.', [StringComparison]::OrdinalIgnoreCase) -or $full -eq $d.typePrefix) { & $add $entry.id $n $full }
            }
        }
        else { throw "ps7-only.json entry '$($entry.id)' has no detection this checker knows" }
    }
    [ordered]@{ path = $file.path; parseErrors = @($errors | ForEach-Object { '{0}: {1}' -f $_.Extent.StartLineNumber, $_.Message }); commandCount = $commands.Count; violations = @($violations) }
}
[Console]::Out.Write((ConvertTo-Json -InputObject ([ordered]@{ files = @($results); missing = @($missing) }) -Depth 6 -Compress))
`

const badFile = (e: Entry) => join(work, `bad-${e.id}.ps1`)
const guardedFile = (e: Entry) => join(work, `guarded-${e.id}.ps1`)
const emittedFile = join(work, 'emitted.ps1')

let cached: Report | null = null
function report(): Report {
  if (cached) return cached
  for (const e of LIST.entries) {
    writeFileSync(badFile(e), e.bad + '\n', 'utf8')
    if (e.guarded) writeFileSync(guardedFile(e), e.guarded + '\n', 'utf8')
  }
  writeFileSync(emittedFile, buildEmittedScript(singleGuestPlan('ubuntu-2204'), {runId: '20260101T000000-abcdef', version: '0.1.0'}), 'utf8')
  const files = [
    ...LIST.entries.flatMap((e) => [badFile(e), ...(e.guarded ? [guardedFile(e)] : [])]),
    ...runtimeFiles(RUNTIME),
    emittedFile,
  ]
  const checker = join(work, 'check-ps51.ps1')
  writeFileSync(checker, CHECKER, 'utf8')
  const input = join(work, 'input.json')
  writeFileSync(input, JSON.stringify({entries: LIST.entries, files: files.map((path) => ({path}))}), 'utf8')
  const r = runPwshFile(checker, [], {env: {HVG_INPUT: input, TERM: 'dumb'}})
  if (r.code !== 0) throw new Error(`the 5.1 checker failed (${r.code}): ${r.stderr}`)
  cached = JSON.parse(r.stdout) as Report
  return cached
}
const fileReport = (path: string): FileReport => {
  const f = report().files.find((x) => x.path === path)
  if (!f) throw new Error(`no report for ${path}`)
  return f
}
const describeViolations = (f: FileReport) => f.violations.map((v) => `${relative(REPO, f.path)}:${v.line} [${v.id}] ${v.what}: ${v.text}`)

/** The names an entry lists (cmdlets, parameters, variables, methods): each must be caught by the bad snippet. */
function listedNames(e: Entry): string[] {
  const d = e.detect
  if (d.command) return [...[d.command].flat(), ...(d.parameters ?? [])]
  if (d.variable) return [d.variable].flat().map((v: string) => `$${v}`)
  if (d.staticMethod) return [d.staticMethod.method].flat()
  return []
}

describe('Windows PowerShell 5.1: no PowerShell 6+/7-only construct (parsed with pwsh\'s parser)', () => {
  it('the list: each entry has a construct, a version, a documented source, a known detection and a bad snippet', () => {
    expect(LIST.entries.length).toBeGreaterThanOrEqual(25)
    const ids = LIST.entries.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const e of LIST.entries) {
      expect(e.construct, e.id).toMatch(/\S/)
      expect(e.since, e.id).toMatch(/^[67]\.\d$/)
      expect(e.source, e.id).toMatch(/https:\/\/learn\.microsoft\.com\//)
      expect(Object.keys(e.detect).filter((k) => DETECTIONS.includes(k)), e.id).toHaveLength(1)
      expect(e.bad, e.id).toMatch(/\S/)
    }
    // The language the issue names, and what 5.0 already has, is not listed.
    for (const id of ['ternary', 'null-coalescing', 'null-coalescing-assignment', 'null-conditional-member', 'pipeline-chain', 'clean-block', 'convertfrom-json-ashashtable', 'convertfrom-json-depth', 'foreach-object-parallel', 'automatic-platform-variables', 'path-getfullpath-basepath', 'system-text-json']) {
      expect(ids).toContain(id)
    }
    expect(JSON.stringify(LIST.entries.map((e) => e.detect))).not.toMatch(/New-Guid/)
  })

  it('every cmdlet and parameter the list names exists in PowerShell 7 (so an entry cannot silently match nothing)', () => {
    expect(report().missing).toEqual([])
  }, 120_000)

  it("each entry catches its bad snippet (every cmdlet, parameter, variable and method it lists), which is valid PowerShell 7", () => {
    for (const e of LIST.entries) {
      const f = fileReport(badFile(e))
      expect(f.parseErrors, e.id).toEqual([])
      const mine = f.violations.filter((v) => v.id === e.id)
      expect(mine.length, `${e.id}: ${e.bad}`).toBeGreaterThan(0)
      const what = mine.map((v) => v.what.toLowerCase()).join(' | ')
      for (const name of listedNames(e)) expect(what, `${e.id} misses ${name}`).toContain(name.toLowerCase())
    }
  }, 120_000)

  it('a use behind the capability guard the runtime uses is not a violation', () => {
    const guarded = LIST.entries.filter((e) => e.guarded)
    expect(guarded.map((e) => e.id)).toEqual(expect.arrayContaining(['convertfrom-json-datekind', 'cmdlets-not-in-5.1']))
    for (const e of guarded) {
      const f = fileReport(guardedFile(e))
      expect(f.parseErrors, e.id).toEqual([])
      expect(f.commandCount, e.id).toBeGreaterThan(0)
      expect(describeViolations(f), e.id).toEqual([])
    }
  }, 120_000)

  it('the runtime module (every file, Bootstrap.ps1 included) uses none of them', () => {
    const files = runtimeFiles(RUNTIME)
    expect(files.map((f) => relative(RUNTIME, f))).toEqual(expect.arrayContaining(['Bootstrap.ps1', 'HvGuest.psm1', 'HvGuest.psd1', join('Private', 'Guest.ps1'), join('Private', 'Protocol.ps1')]))
    const reports = files.map(fileReport)
    expect(reports.flatMap((f) => f.parseErrors.map((m) => `${f.path}: ${m}`))).toEqual([])
    // The parser really read them: the runtime calls hundreds of commands.
    expect(reports.reduce((n, f) => n + f.commandCount, 0)).toBeGreaterThan(500)
    expect(reports.flatMap(describeViolations)).toEqual([])
  }, 120_000)

  it('a script `create --emit` writes uses none of them (its driver; the runtime it embeds is the module above, verbatim)', () => {
    const text = readFileSync(emittedFile, 'utf8')
    for (const f of runtimeFiles(RUNTIME).filter((p) => !p.endsWith('Bootstrap.ps1'))) {
      expect(text, f).toContain(`  '${relative(RUNTIME, f).replaceAll('\\', '/')}' = @'\n`)
    }
    const f = fileReport(emittedFile)
    expect(f.parseErrors).toEqual([])
    expect(f.commandCount).toBeGreaterThan(20)
    expect(describeViolations(f)).toEqual([])
  }, 120_000)
})
