/**
 * The real objects' shapes (docs/object-shapes.md). The Hyper-V module's classes come from the
 * C# declarations HyperVDsc generated from a real host (ps/emulator/reference/hyperv-types/
 * Hyper-V.types.cs -> hyperv-types.json, scripts/generate-hyperv-types.mjs); the CIM classes of
 * Get-Disk/-Partition/-Volume, Get-NetAdapter* and Get-NetOffloadGlobalSetting from their
 * documented MOF (cim-classes.json). Two checks:
 *  - every property the runtime (ps/HvGuest) reads on a cmdlet's output exists on the real type.
 *    The reads are found statically by pwsh's parser: a cmdlet's documented OutputType
 *    (ps/emulator/reference/*.json) types the pipeline, and the type follows assignments,
 *    foreach, helper returns, function parameters and `$_` in Where-Object/ForEach-Object, to
 *    member reads, Get-HvField -Name 'X', Select-HvObject -Property 'X' and
 *    Select-Object/Sort-Object -Property/-ExpandProperty X;
 *  - the emulator's objects, made through the emulated cmdlets on one emulated host, carry the
 *    real property names, and enum-typed properties as the enum member's name (a string).
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {EMULATOR, newHost} from '../fixtures/runtime/harness.js'
import {REPO, runPwshFile} from '../helpers/pwsh.js'

const REFERENCE = join(REPO, 'ps', 'emulator', 'reference')
const TYPES = join(REFERENCE, 'hyperv-types')
const RUNTIME = join(REPO, 'ps', 'HvGuest')

interface Property {
  name: string
  type: string
}
const HV = JSON.parse(readFileSync(join(TYPES, 'hyperv-types.json'), 'utf8')) as {
  _meta: Record<string, string>
  classes: Record<string, {base: string | null; secondaryStub?: boolean; properties: Property[]}>
  enums: Record<string, {flags: boolean; values: Array<{name: string; value: number}>}>
}
const CIM = JSON.parse(readFileSync(join(TYPES, 'cim-classes.json'), 'utf8')) as {
  classes: Record<string, {url: string; base: string | null; properties: Property[]; cmdletProperties?: {source: string; names: string[]}}>
}

/** The real property names of a type (Hyper-V class or CIM class, with its base and the cmdlet-added names), or null when neither reference has it. */
function realProperties(type: string): string[] | null {
  const hv = HV.classes[type]
  if (hv) return [...hv.properties.map((p) => p.name), ...(hv.base ? (realProperties(hv.base) ?? []) : [])]
  const cim = CIM.classes[type]
  if (cim) return [...cim.properties.map((p) => p.name), ...(cim.base ? (realProperties(cim.base) ?? []) : []), ...(cim.cmdletProperties?.names ?? [])]
  return null
}

/** A documented OutputType -> the class name the references use (CimInstance#.../NetAdapter -> MSFT_NetAdapter). */
function outputClass(doc: string): string | null {
  const o = doc.replace(/\s*\(with -PassThru\)/i, '').trim()
  if (o === 'None') return null
  const cim = /CimInstance#(?:.*[/\\])?(\w+)$/.exec(o)
  if (cim) return cim[1].startsWith('MSFT_') ? cim[1] : `MSFT_${cim[1]}`
  // The docs spell one namespace Microsoft.HyperV.Powershell: the class is the same.
  return Object.keys(HV.classes).find((c) => c.toLowerCase() === o.toLowerCase()) ?? o
}
function documentedOutputs(): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const f of ['hyperv-cmdlets.json', 'extra-cmdlets.json']) {
    const j = JSON.parse(readFileSync(join(REFERENCE, f), 'utf8')) as {cmdlets: Record<string, {outputs?: string[]}>}
    for (const [name, c] of Object.entries(j.cmdlets)) {
      const types = (c.outputs ?? []).map(outputClass).filter((t): t is string => t !== null)
      if (types.length > 0) out[name] = types
    }
  }
  return out
}

/**
 * Types the runtime reads that these references do not cover, and why. Each must still be read
 * (an entry the runtime no longer needs fails).
 */
const OUT_OF_SCOPE: Record<string, string> = {
  'Microsoft.Management.Infrastructure.CimInstance': 'Get-CimInstance of Win32_OperatingSystem (facts, probe) and Msvm_KvpExchangeComponent (guest status): WMI classes of other providers, not the output of the Hyper-V, Storage, NetAdapter or NetTCPIP cmdlets',
  CultureInfo: "Get-WinSystemLocale returns .NET's System.Globalization.CultureInfo",
  'Microsoft.Dism.Commands.BasicFeatureObject': 'Get-WindowsOptionalFeature (the Dism module) tells whether the Hyper-V feature is installed; outside the Hyper-V module',
  'Microsoft.Dism.Commands.AdvancedFeatureObject': 'Get-WindowsOptionalFeature -FeatureName returns this one; outside the Hyper-V module',
  'Microsoft.FailoverClusters.PowerShell.ClusterNode': 'Get-ClusterNode (the FailoverClusters module) for clustered hosts; outside the Hyper-V module',
  'Microsoft.FailoverClusters.PowerShell.ClusterGroup': 'Get-ClusterGroup / Add-ClusterVirtualMachineRole (the FailoverClusters module): a clustered guest\'s role, its Name and OwnerNode (docs/clusters.md); outside the Hyper-V module',
  'Microsoft.FailoverClusters.PowerShell.ClusterSharedVolume': 'Get-ClusterSharedVolume (the FailoverClusters module): the SharedVolumeInfo of each CSV a node\'s vmRoot must be on; outside the Hyper-V module',
}

/**
 * Reads on objects the analysis cannot type because they are properties of an OUT_OF_SCOPE type
 * (no reference gives their properties' types), kept on purpose. Each must match a read the
 * source still makes (file, function, member).
 */
const UNTYPED_READS: Array<{file: string; function: string; member: string; reason: string}> = [
  {
    file: 'ps/HvGuest/Private/Facts.ps1',
    function: 'Get-HvClusterSharedVolumePaths',
    member: 'FriendlyVolumeName',
    reason: 'ClusterSharedVolume.SharedVolumeInfo holds ClusterSharedVolumeInfo objects; FriendlyVolumeName is the path every node reaches the CSV at (Get-ClusterSharedVolume doc, examples)',
  },
]

/**
 * Reads of a property the real type does not have, kept on purpose. Each must match a read the
 * source still makes (type, member, function).
 */
const FALLBACK_READS: Array<{type: string; member: string; function: string; reason: string}> = [
  {
    type: 'Microsoft.HyperV.PowerShell.VirtualMachine',
    member: 'VMId',
    function: 'Get-HvVMId',
    reason: "Get-HvVMId reads Id, and VMId only when Id is missing: VirtualMachine has Id; VMId is the VM's id on the objects of its devices",
  },
]

interface Read {
  types: string[]
  member: string
  file: string
  function: string
  line: number
  text: string
  via: string
}
interface ReadsReport {
  reads: Read[]
  untyped: Read[]
  variables: Array<{function: string; variable: string; types: string[]}>
  returns: Array<{function: string; types: string[]}>
}

/** Run by pwsh: the typed reads of every file, as described at the top. */
const READS_CHECKER = String.raw`[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
$request = Get-Content -LiteralPath $env:HVG_INPUT -Raw -Encoding utf8 | ConvertFrom-Json
# cmdlet -> output types (the documented OutputType, normalised); class -> property -> type
$outputs = @{}
foreach ($p in $request.outputs.PSObject.Properties) { $outputs[$p.Name] = @($p.Value) }
$propertyTypes = @{}
foreach ($c in $request.classes.PSObject.Properties) {
    $m = @{}
    foreach ($p in @($c.Value)) { $m[$p.name] = [string]$p.type }
    $propertyTypes[$c.Name] = $m
}
$filters = @('Where-Object', 'Sort-Object', 'Select-Object', 'Out-Null')
# The runtime's generic helpers take objects of every kind: typed by their arguments at each call, never by their parameters.
$generic = @('Get-HvField', 'Get-HvRequiredField', 'Select-HvObject', 'Test-HvTrue', 'Test-HvSameText')
# Members every object has in PowerShell (intrinsic), not properties of the type.
$intrinsic = @('Count', 'Length', 'PSObject', 'PSTypeNames')

$asts = foreach ($f in @($request.files)) {
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($f, [ref]$tokens, [ref]$errors)
    # Every node once, by node type (one walk instead of one per question).
    $byType = @{}
    foreach ($n in $ast.FindAll({ $true }, $true)) {
        $k = $n.GetType().Name
        if (-not $byType.ContainsKey($k)) { $byType[$k] = [System.Collections.Generic.List[object]]::new() }
        $byType[$k].Add($n)
    }
    [pscustomobject]@{ File = $f; Ast = $ast; ByType = $byType }
}
function Get-Nodes($File, [string]$Type) { if ($File.ByType.ContainsKey($Type)) { return $File.ByType[$Type] }; return @() }
$functions = @{}
foreach ($a in $asts) {
    foreach ($fn in (Get-Nodes $a 'FunctionDefinitionAst')) { $functions[$fn.Name] = [pscustomobject]@{ Ast = $fn; File = $a.File } }
}
$returns = @{}       # function -> types
# Functions that run a script block parameter and return what it outputs (Get-HvFactOrError -Read { ... }).
$runsBlock = @{}
foreach ($fname in $functions.Keys) {
    $fn = $functions[$fname].Ast
    $blockParams = @($fn.FindAll({ param($x) $x -is [System.Management.Automation.Language.ParameterAst] -and $x.StaticType -eq [scriptblock] }, $true) | ForEach-Object { $_.Name.VariablePath.UserPath })
    foreach ($bp in $blockParams) {
        $invoked = $fn.FindAll({ param($x) $x -is [System.Management.Automation.Language.CommandAst] -and $x.InvocationOperator -eq 'Ampersand' -and $x.CommandElements[0] -is [System.Management.Automation.Language.VariableExpressionAst] -and $x.CommandElements[0].VariablePath.UserPath -eq $bp }, $true)
        if (@($invoked).Count -gt 0) { $runsBlock[$fname] = $bp }
    }
}
$paramTypes = @{}    # function -> param -> types
$envs = @{}          # function -> var -> types

$scopeCache = @{}
function Get-Scope($Node) {
    $key = '{0}|{1}|{2}' -f $Node.Extent.File, $Node.Extent.StartOffset, $Node.Extent.EndOffset
    if ($scopeCache.ContainsKey($key)) { return $scopeCache[$key] }
    $s = Get-ScopeUncached $Node
    $scopeCache[$key] = $s
    return $s
}
function Get-ScopeUncached($Node) {
    $p = $Node.Parent
    while ($null -ne $p) { if ($p -is [System.Management.Automation.Language.FunctionDefinitionAst]) { return $p.Name }; $p = $p.Parent }
    return ''
}
function Join-Types($A, $B) { @(@($A) + @($B) | Where-Object { $_ } | Select-Object -Unique) }

function Get-ElementType([string]$Class, [string]$Property) {
    if (-not $propertyTypes.ContainsKey($Class)) { return @() }
    $t = $propertyTypes[$Class][$Property]
    if (-not $t) { return @() }
    foreach ($name in ($t -split '[<>,\[\]]')) { if ($name -and $propertyTypes.ContainsKey($name)) { return @($name) } }
    return @()
}

function Get-BoundArgument($CommandAst, [string]$Name) {
    $els = $CommandAst.CommandElements
    for ($i = 1; $i -lt $els.Count; $i++) {
        $e = $els[$i]
        if ($e -is [System.Management.Automation.Language.CommandParameterAst] -and $e.ParameterName -eq $Name) {
            if ($null -ne $e.Argument) { return $e.Argument }
            if ($i + 1 -lt $els.Count) { return $els[$i + 1] }
        }
    }
    return $null
}

function Get-CommandType($CommandAst, [string]$Scope) {
    $name = $CommandAst.GetCommandName()
    if (-not $name) { return @() }
    if ($outputs.ContainsKey($name)) { return $outputs[$name] }
    if ($name -eq 'Select-HvObject') { $arg = Get-BoundArgument $CommandAst 'InputObject'; if ($arg) { return (Get-ExprType $arg $Scope) }; return @() }
    if ($name -eq 'Get-HvField' -or $name -eq 'Get-HvRequiredField') {
        $obj = Get-BoundArgument $CommandAst 'Object'
        $member = Get-BoundArgument $CommandAst 'Name'
        $out = @()
        if ($obj -and $member -is [System.Management.Automation.Language.StringConstantExpressionAst]) { foreach ($t in (Get-ExprType $obj $Scope)) { $out = Join-Types $out (Get-ElementType $t $member.Value) } }
        return $out
    }
    if ($generic -contains $name) { return @() }
    if ($runsBlock.ContainsKey($name)) {
        $block = Get-BoundArgument $CommandAst $runsBlock[$name]
        if ($block -is [System.Management.Automation.Language.ScriptBlockExpressionAst] -and $null -ne $block.ScriptBlock.EndBlock) {
            $st = @($block.ScriptBlock.EndBlock.Statements)
            if ($st.Count -gt 0) { return (Get-ExprType $st[-1] $Scope) }
        }
        return @()
    }
    if ($returns.ContainsKey($name)) { return $returns[$name] }
    return @()
}

# The type after one more pipeline element: filters keep it, a command gives its own.
function Step-PipelineType($Type, $Element, [string]$Scope) {
    if ($Element -is [System.Management.Automation.Language.CommandExpressionAst]) { return @(Get-ExprType $Element.Expression $Scope) }
    $name = $Element.GetCommandName()
    if ($filters -contains $name) {
        if ($name -eq 'Select-Object' -and ((Get-BoundArgument $Element 'ExpandProperty') -or (Get-BoundArgument $Element 'Property'))) { return @() }
        return @($Type)
    }
    return @(Get-CommandType $Element $Scope)
}
function Get-PipelineType($Pipeline, [string]$Scope) {
    $t = @()
    foreach ($el in $Pipeline.PipelineElements) { $t = Step-PipelineType $t $el $Scope }
    return $t
}

$exprCache = @{}
function Get-ExprType($Node, [string]$Scope) {
    if ($null -eq $Node) { return @() }
    $key = '{0}|{1}|{2}|{3}|{4}' -f $Node.Extent.File, $Node.Extent.StartOffset, $Node.Extent.EndOffset, $Node.GetType().Name, $Scope
    if ($exprCache.ContainsKey($key)) { return $exprCache[$key] }
    $r = @(Get-ExprTypeUncached $Node $Scope)
    $exprCache[$key] = $r
    return $r
}
function Get-ExprTypeUncached($Node, [string]$Scope) {
    switch ($Node.GetType().Name) {
        'PipelineAst' { return (Get-PipelineType $Node $Scope) }
        'CommandAst' { return (Get-CommandType $Node $Scope) }
        'CommandExpressionAst' { return (Get-ExprType $Node.Expression $Scope) }
        'ParenExpressionAst' { return (Get-ExprType $Node.Pipeline $Scope) }
        'ArrayExpressionAst' { $s = @($Node.SubExpression.Statements); if ($s.Count -eq 1) { return (Get-ExprType $s[0] $Scope) }; return @() }
        'SubExpressionAst' { $s = @($Node.SubExpression.Statements); if ($s.Count -eq 1) { return (Get-ExprType $s[0] $Scope) }; return @() }
        'IndexExpressionAst' { return (Get-ExprType $Node.Target $Scope) }
        'ConvertExpressionAst' { if ($Node.Type.TypeName.FullName -match '^(array|object\[\]|System\.Object\[\])$') { return (Get-ExprType $Node.Child $Scope) }; return @() }
        'VariableExpressionAst' {
            $v = $Node.VariablePath.UserPath
            if ($envs.ContainsKey($Scope) -and $envs[$Scope].ContainsKey($v)) { return $envs[$Scope][$v] }
            return @()
        }
        'MemberExpressionAst' {
            if ($Node -is [System.Management.Automation.Language.InvokeMemberExpressionAst]) { return @() }
            if (-not ($Node.Member -is [System.Management.Automation.Language.StringConstantExpressionAst])) { return @() }
            $out = @()
            foreach ($t in (Get-ExprType $Node.Expression $Scope)) { $out = Join-Types $out (Get-ElementType $t $Node.Member.Value) }
            return $out
        }
        default { return @() }
    }
}

function Set-VarType([string]$Scope, [string]$Name, $Types) {
    if (@($Types).Count -eq 0) { return $false }
    if (-not $envs.ContainsKey($Scope)) { $envs[$Scope] = @{} }
    $old = @($envs[$Scope][$Name])
    $new = @(Join-Types $old $Types)
    if ($new.Count -ne @($old | Where-Object { $_ }).Count) { $envs[$Scope][$Name] = $new; return $true }
    return $false
}

# Fixpoint: variables from assignments and foreach, parameters from call sites, returns.
foreach ($a in $asts) {
    $a | Add-Member -NotePropertyName Bindings -NotePropertyValue @(@(Get-Nodes $a 'AssignmentStatementAst' | Where-Object { $_.Left -is [System.Management.Automation.Language.VariableExpressionAst] }) + @(Get-Nodes $a 'ForEachStatementAst'))
    # Pipelines, each with the runtime functions its elements call with $_ (-Drive $_): those parameters get the upstream type.
    $pipelines = foreach ($p in @(Get-Nodes $a 'PipelineAst' | Where-Object { $_.PipelineElements.Count -gt 1 })) {
        $els = @($p.PipelineElements)
        $items = foreach ($el in $els) {
            $found = foreach ($c in $el.FindAll({ param($x) $x -is [System.Management.Automation.Language.CommandAst] -and $functions.ContainsKey([string]$x.GetCommandName()) -and $generic -notcontains [string]$x.GetCommandName() }, $true)) {
                $ce = $c.CommandElements
                for ($k = 1; $k -lt $ce.Count - 1; $k++) {
                    if ($ce[$k] -is [System.Management.Automation.Language.CommandParameterAst] -and $ce[$k + 1] -is [System.Management.Automation.Language.VariableExpressionAst] -and @('_', 'PSItem') -contains $ce[$k + 1].VariablePath.UserPath) {
                        [pscustomobject]@{ Function = [string]$c.GetCommandName(); Parameter = $ce[$k].ParameterName }
                    }
                }
            }
            , @($found)
        }
        [pscustomobject]@{ Elements = $els; ItemArguments = @($items); Scope = (Get-Scope $p) }
    }
    $a | Add-Member -NotePropertyName Pipelines -NotePropertyValue @($pipelines)
    $a | Add-Member -NotePropertyName Calls -NotePropertyValue @(Get-Nodes $a 'CommandAst' | Where-Object { $functions.ContainsKey([string]$_.GetCommandName()) -and $generic -notcontains [string]$_.GetCommandName() })
}
# What a function outputs: its return statements' pipelines, and its last statement when a pipeline.
$functionOutputs = @{}
foreach ($fname in $functions.Keys) {
    $fn = $functions[$fname].Ast
    $outs = [System.Collections.Generic.List[object]]::new()
    foreach ($r in $fn.Body.FindAll({ param($x) $x -is [System.Management.Automation.Language.ReturnStatementAst] }, $true)) {
        if ((Get-Scope $r) -eq $fname -and $null -ne $r.Pipeline) { $outs.Add($r.Pipeline) }
    }
    $end = $fn.Body.EndBlock
    if ($null -ne $end -and @($end.Statements).Count -gt 0) {
        $last = @($end.Statements)[-1]
        if ($last -is [System.Management.Automation.Language.PipelineAst]) { $outs.Add($last) }
    }
    $functionOutputs[$fname] = $outs
}
for ($round = 0; $round -lt 10; $round++) {
    $changed = $false
    $exprCache.Clear()
    foreach ($a in $asts) {
        foreach ($n in $a.Bindings) {
            $scope = Get-Scope $n
            if ($n -is [System.Management.Automation.Language.AssignmentStatementAst]) {
                $left = $n.Left
                if ($left -is [System.Management.Automation.Language.ConvertExpressionAst]) { continue }
                if ($left -is [System.Management.Automation.Language.VariableExpressionAst]) { if (Set-VarType $scope $left.VariablePath.UserPath (Get-ExprType $n.Right $scope)) { $changed = $true } }
            }
            else { if (Set-VarType $scope $n.Variable.VariablePath.UserPath (Get-ExprType $n.Condition $scope)) { $changed = $true } }
        }
        foreach ($c in $a.Calls) {
            $name = $c.GetCommandName()
            $scope = Get-Scope $c
            $els = $c.CommandElements
            for ($i = 1; $i -lt $els.Count; $i++) {
                $e = $els[$i]
                if (-not ($e -is [System.Management.Automation.Language.CommandParameterAst])) { continue }
                $arg = if ($null -ne $e.Argument) { $e.Argument } elseif ($i + 1 -lt $els.Count -and -not ($els[$i + 1] -is [System.Management.Automation.Language.CommandParameterAst])) { $els[$i + 1] } else { $null }
                if ($null -eq $arg) { continue }
                if (Set-VarType $name $e.ParameterName (Get-ExprType $arg $scope)) { $changed = $true }
            }
        }
    }
    foreach ($a in $asts) {
        foreach ($p in $a.Pipelines) {
            $t = @()
            for ($i = 0; $i -lt $p.Elements.Count; $i++) {
                if ($i -gt 0 -and @($t).Count -gt 0) {
                    foreach ($arg in $p.ItemArguments[$i]) { if (Set-VarType $arg.Function $arg.Parameter $t) { $changed = $true } }
                }
                $t = Step-PipelineType $t $p.Elements[$i] $p.Scope
            }
        }
    }
    foreach ($fname in $functions.Keys) {
        if ($generic -contains $fname) { continue }
        $t = @()
        foreach ($out in $functionOutputs[$fname]) { $t = Join-Types $t (Get-ExprType $out $fname) }
        $old = @($returns[$fname] | Where-Object { $_ })
        $new = @(Join-Types $old $t)
        if ($new.Count -ne $old.Count) { $returns[$fname] = $new; $changed = $true }
    }
    if (-not $changed) { break }
}

# The reads.
$reads = [System.Collections.Generic.List[object]]::new()
$untyped = [System.Collections.Generic.List[object]]::new()
function Add-Read($Types, [string]$Member, $Node, [string]$Via, [string]$File, [string]$Scope) {
    if ($intrinsic -contains $Member) { return }
    $Types = @($Types | Where-Object { $_ })
    $entry = [pscustomobject]@{ types = @($Types); member = $Member; file = $File; function = $Scope; line = $Node.Extent.StartLineNumber; text = (($Node.Extent.Text -split '\r?\n')[0]).Trim(); via = $Via }
    if (@($Types).Count -gt 0) { $reads.Add($entry) } else { $untyped.Add($entry) }
}
function Get-Literal($Node) { if ($Node -is [System.Management.Automation.Language.StringConstantExpressionAst]) { return $Node.Value }; return $null }

foreach ($a in $asts) {
    $file = $a.File
    foreach ($n in @(Get-Nodes $a 'MemberExpressionAst' | Where-Object { -not $_.Static })) {
        $member = Get-Literal $n.Member
        if (-not $member) { continue }
        $scope = Get-Scope $n
        $t = Get-ExprType $n.Expression $scope
        if ($t.Count -gt 0) { Add-Read $t $member $n 'member' $file $scope }
    }
    foreach ($c in (Get-Nodes $a 'CommandAst')) {
        $name = $c.GetCommandName()
        $scope = Get-Scope $c
        if ($name -eq 'Get-HvField' -or $name -eq 'Get-HvRequiredField') {
            $member = Get-Literal (Get-BoundArgument $c 'Name')
            $obj = Get-BoundArgument $c 'Object'
            if ($member -and $obj) { Add-Read (Get-ExprType $obj $scope) $member $c 'Get-HvField' $file $scope }
        }
        elseif ($name -eq 'Select-HvObject') {
            $member = Get-Literal (Get-BoundArgument $c 'Property')
            $obj = Get-BoundArgument $c 'InputObject'
            if ($member -and $obj) { Add-Read (Get-ExprType $obj $scope) $member $c 'Select-HvObject' $file $scope }
        }
    }
    # $_ in the script blocks of a pipeline after a typed element; -Property/-ExpandProperty names.
    foreach ($p in (Get-Nodes $a 'PipelineAst')) {
        $scope = Get-Scope $p
        $els = @($p.PipelineElements)
        $t = @()
        for ($i = 0; $i -lt $els.Count; $i++) {
            $el = $els[$i]
            if ($i -gt 0 -and $t.Count -gt 0 -and $el -is [System.Management.Automation.Language.CommandAst]) {
                $name = $el.GetCommandName()
                foreach ($pn in @('Property', 'ExpandProperty')) {
                    $lit = Get-Literal (Get-BoundArgument $el $pn)
                    if ($lit -and @('Select-Object', 'Sort-Object', 'Where-Object', 'Measure-Object', 'Group-Object') -contains $name) { Add-Read $t $lit $el ($name + ' -' + $pn) $a.File $scope }
                }
                foreach ($sb in $el.FindAll({ param($x) $x -is [System.Management.Automation.Language.ScriptBlockExpressionAst] }, $false)) {
                    foreach ($m in $sb.FindAll({ param($x) $x -is [System.Management.Automation.Language.MemberExpressionAst] -and -not ($x -is [System.Management.Automation.Language.InvokeMemberExpressionAst]) -and $x.Expression -is [System.Management.Automation.Language.VariableExpressionAst] -and @('_', 'PSItem') -contains $x.Expression.VariablePath.UserPath }, $true)) {
                        $lit = Get-Literal $m.Member
                        if ($lit) { Add-Read $t $lit $m ($name + ' { $_.X }') $a.File $scope }
                    }
                    foreach ($g in $sb.FindAll({ param($x) $x -is [System.Management.Automation.Language.CommandAst] -and @('Get-HvField', 'Get-HvRequiredField') -contains $x.GetCommandName() }, $true)) {
                        $obj = Get-BoundArgument $g 'Object'
                        $lit = Get-Literal (Get-BoundArgument $g 'Name')
                        if ($lit -and $obj -is [System.Management.Automation.Language.VariableExpressionAst] -and @('_', 'PSItem') -contains $obj.VariablePath.UserPath) { Add-Read $t $lit $g ($name + ' { Get-HvField $_ }') $a.File $scope }
                    }
                }
            }
            $t = Step-PipelineType $t $el $scope
        }
    }
}
# A read in a pipeline's script block is seen twice (once typed by the pipeline): keep the typed one.
$typedAt = @{}
foreach ($r in $reads) { $typedAt['{0}|{1}|{2}' -f $r.file, $r.line, $r.member] = $true }
$untyped = @($untyped | Where-Object { -not $typedAt.ContainsKey(('{0}|{1}|{2}' -f $_.file, $_.line, $_.member)) })
$typedVariables = foreach ($s in $envs.Keys) { foreach ($v in $envs[$s].Keys) { [pscustomobject]@{ function = $s; variable = $v; types = @($envs[$s][$v]) } } }
$typedReturns = foreach ($k in $returns.Keys) { [pscustomobject]@{ function = $k; types = @($returns[$k]) } }
[Console]::Out.Write((ConvertTo-Json -InputObject ([ordered]@{ reads = @($reads); untyped = @($untyped); variables = @($typedVariables); returns = @($typedReturns) }) -Depth 6 -Compress))
`

/** Run by pwsh on an emulated host: the objects of every kind, with each property's value kind. */
const OBJECTS_SCRIPT = String.raw`[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
$request = Get-Content -LiteralPath $env:HVG_INPUT -Raw -Encoding utf8 | ConvertFrom-Json
# Objects of every kind the emulated Hyper-V, Storage, NetAdapter, NetTCPIP and NetNat cmdlets return, made on one emulated host.
$env:PSModulePath = $request.emulator + [System.IO.Path]::PathSeparator + $env:PSModulePath
Import-Module -Name ([System.IO.Path]::Combine($request.emulator, 'HvEmulator', 'HvEmulator.psd1')) -Force
Initialize-HvEmulator -StateFile $request.stateFile
$kinds = [System.Collections.Generic.List[object]]::new()
# Each object as its kind (the first type name), its property names in order, and each value's
# representation: null, a string (with the text), or the .NET type of anything else.
function Add-Shape {
    param([string]$Via, $Objects)
    foreach ($o in @($Objects)) {
        if ($null -eq $o) { continue }
        $props = foreach ($p in $o.PSObject.Properties) {
            $v = $p.Value
            $kind = if ($null -eq $v) { 'null' } elseif ($v -is [string]) { 'string' } elseif ($v -is [array]) { 'array' } else { $v.GetType().FullName }
            $text = if ($v -is [string]) { $v } elseif ($v -is [array]) { @($v | ForEach-Object { if ($null -ne $_) { [string]$_ } }) } else { $null }
            [ordered]@{ name = $p.Name; kind = $kind; text = $text }
        }
        $kinds.Add([ordered]@{ via = $Via; typeNames = @($o.PSObject.TypeNames); properties = @($props) })
    }
}
$root = $request.vmRoot
$vm = New-VM -Name 'shapes' -Path $root -MemoryStartupBytes 1GB -Generation 1 -NoVHD
Add-Shape 'New-VM' $vm
New-VHD -Path "$root\shapes\boot.vhdx" -SizeBytes 10GB -Dynamic | Out-Null
New-VHD -Path "$root\shapes\data.vhdx" -SizeBytes 5GB -Dynamic | Out-Null
Add-VMHardDiskDrive -VM $vm -ControllerType IDE -ControllerNumber 0 -ControllerLocation 0 -Path "$root\shapes\boot.vhdx"
Add-VMScsiController -VM $vm
Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 0 -Path "$root\shapes\data.vhdx"
Add-VMDvdDrive -VM $vm -ControllerNumber 1 -ControllerLocation 1
Add-VMNetworkAdapter -VM $vm -Name 'legacy' -IsLegacy $true -SwitchName $request.switch
Connect-VMNetworkAdapter -VMName 'shapes' -Name 'Network Adapter' -SwitchName $request.switch
Set-VMNetworkAdapterVlan -VMNetworkAdapter @(Get-VMNetworkAdapter -VM $vm)[0] -Access -VlanId 7
Add-Shape 'Get-VM' (Get-VM -Name 'shapes')
Add-Shape 'Get-VMHardDiskDrive' (Get-VMHardDiskDrive -VM $vm)
Add-Shape 'Get-VMDvdDrive' (Get-VMDvdDrive -VM $vm)
Add-Shape 'Get-VMNetworkAdapter' (Get-VMNetworkAdapter -VM $vm)
Add-Shape 'Get-VMNetworkAdapter .VlanSetting' @(Get-VMNetworkAdapter -VM $vm | ForEach-Object { $_.VlanSetting })
Add-Shape 'Get-VMNetworkAdapter -ManagementOS' (Get-VMNetworkAdapter -ManagementOS)
Add-Shape 'Get-VMIntegrationService' (Get-VMIntegrationService -VM $vm)
Add-Shape 'Get-VMIdeController' (Get-VMIdeController -VM $vm)
Add-Shape 'Get-VMScsiController' (Get-VMScsiController -VM $vm)
Add-Shape 'Get-VMSwitch' (Get-VMSwitch)
Add-Shape 'Get-VMHost' (Get-VMHost)
Add-Shape 'Get-VMHostSupportedVersion' (Get-VMHostSupportedVersion)
Add-Shape 'Set-VMBios -Passthru' (Set-VMBios -VM $vm -EnableNumLock -Passthru)
Add-Shape 'Set-VMProcessor -Passthru' (Set-VMProcessor -VM $vm -Count 2 -Passthru)
Add-Shape 'Set-VMMemory -Passthru' (Set-VMMemory -VM $vm -StartupBytes 1GB -Passthru)
Add-Shape 'Checkpoint-VM -Passthru' (Checkpoint-VM -VM $vm -SnapshotName 'shape' -Passthru)
Add-Shape 'Get-VHD' (Get-VHD -Path "$root\shapes\boot.vhdx")
$g2 = New-VM -Name 'shapes2' -Path $root -MemoryStartupBytes 1GB -Generation 2 -NoVHD
Add-Shape 'Set-VMFirmware -Passthru' (Set-VMFirmware -VM $g2 -EnableSecureBoot On -Passthru)
$mounted = Mount-VHD -Path "$root\shapes\data.vhdx" -Passthru
Add-Shape 'Mount-VHD -Passthru' $mounted
Add-Shape 'Get-Disk' (Get-Disk)
Add-Shape 'Get-Partition' (Get-Partition)
Add-Shape 'Get-Volume' (Get-Volume)
Dismount-VHD -Path "$root\shapes\data.vhdx"
Add-Shape 'Get-NetAdapter' (Get-NetAdapter)
Add-Shape 'Get-NetAdapterAdvancedProperty' (Get-NetAdapterAdvancedProperty)
Add-Shape 'Get-NetAdapterVmq' (Get-NetAdapterVmq)
Add-Shape 'Get-NetOffloadGlobalSetting' (Get-NetOffloadGlobalSetting)
# A lab's network: an internal switch, the host's address on its vEthernet adapter, WinNAT.
Add-Shape 'New-VMSwitch' (New-VMSwitch -Name 'shapes-lan' -SwitchType Internal -Notes 'hvguest lab=shapes')
Add-Shape 'Set-VMSwitch -Passthru' (Set-VMSwitch -Name 'shapes-lan' -Notes 'changed' -Passthru)
Add-Shape 'New-NetIPAddress' (New-NetIPAddress -InterfaceAlias 'vEthernet (shapes-lan)' -IPAddress '10.99.0.1' -PrefixLength 24)
Add-Shape 'Get-NetIPAddress' (Get-NetIPAddress)
Add-Shape 'New-NetNat' (New-NetNat -Name 'shapes-lan' -InternalIPInterfaceAddressPrefix '10.99.0.0/24')
Add-Shape 'Get-NetNat' (Get-NetNat)
[Console]::Out.Write((ConvertTo-Json -InputObject @($kinds) -Depth 6 -Compress))
`

const work = mkdtempSync(join(tmpdir(), 'hvguest-shapes-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => {
      const p = join(dir, n)
      return statSync(p).isDirectory() ? runtimeFiles(p) : /\.(ps1|psm1)$/i.test(n) ? [p] : []
    })
    .sort()
}

/** Reads the static check must catch: through a helper's return, Get-HvField, Where-Object, -ExpandProperty, a parameter, a member of a paren. */
const BAD_MODULE = `
function Get-BadVm { return @(Select-HvObject -InputObject @(Get-VM) -Property 'Name') }
function Read-BadAdapter { param($Adapter) $Adapter.NoSuchAdapterProperty }
function Test-BadRead {
    $vm = Get-BadVm | Select-Object -First 1
    $a = $vm.NoSuchVmProperty
    $b = Get-HvField -Object (Get-VHD -Path 'x') -Name 'NoSuchVhdProperty'
    $c = @(Get-VMHardDiskDrive -VM $vm) | Where-Object { $_.NoSuchDriveProperty }
    $d = Get-VMSwitch | Select-Object -ExpandProperty NoSuchSwitchProperty
    foreach ($n in @(Get-NetAdapter)) { Read-BadAdapter -Adapter $n }
    $e = (Get-Disk -Number 1).NoSuchDiskProperty
    $f = $vm.State
}
`
const BAD_FILE = join(work, 'BadReads.ps1')

let readsCache: ReadsReport | null = null
function readsReport(): ReadsReport {
  if (readsCache) return readsCache
  writeFileSync(BAD_FILE, BAD_MODULE, 'utf8')
  const classes: Record<string, Property[]> = {}
  for (const [n, c] of Object.entries(HV.classes)) classes[n] = c.properties
  for (const [n, c] of Object.entries(CIM.classes)) classes[n] = c.properties
  const input = join(work, 'reads-input.json')
  writeFileSync(input, JSON.stringify({outputs: documentedOutputs(), classes, files: [...runtimeFiles(RUNTIME), BAD_FILE]}), 'utf8')
  const checker = join(work, 'reads.ps1')
  writeFileSync(checker, READS_CHECKER, 'utf8')
  const r = runPwshFile(checker, [], {env: {HVG_INPUT: input, TERM: 'dumb'}, timeoutMs: 180_000})
  if (r.code !== 0) throw new Error(`the reads checker failed (${r.code}): ${r.stderr}`)
  readsCache = JSON.parse(r.stdout) as ReadsReport
  return readsCache
}
const runtimeReads = () => readsReport().reads.filter((r) => r.file !== BAD_FILE)
const where = (r: Read) => `${relative(REPO, r.file)}:${r.line} ${r.function}: ${r.text}`

/** The property exists (PowerShell compares names case-insensitively) on at least one of the read's types. */
function exists(r: Read): boolean {
  return r.types.some((t) => (realProperties(t) ?? []).some((p) => p.toLowerCase() === r.member.toLowerCase()))
}
const inScope = (r: Read) => r.types.some((t) => realProperties(t) !== null)

describe('the real objects: declarations, and the properties the runtime reads', () => {
  it('hyperv-types.json is generated from Hyper-V.types.cs, which names its source, commit and licence', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'generate-hyperv-types.mjs'), '--check'], {encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    const cs = readFileSync(join(TYPES, 'Hyper-V.types.cs'), 'utf8')
    expect(cs).toContain('dsccommunity/HyperVDsc tests/Unit/Stubs/Hyper-V.stubs.psm1')
    expect(cs).toContain('17e8eb77fc62312360892d74d8b3e6a0c58f1178')
    expect(cs).toMatch(/Licence: MIT/)
    expect(readFileSync(join(TYPES, 'LICENSE-HyperVDsc.txt'), 'utf8')).toMatch(/^MIT License[\s\S]*Permission is hereby granted/)
    expect(HV._meta.commit).toBe('17e8eb77fc62312360892d74d8b3e6a0c58f1178')
    for (const c of ['VirtualMachine', 'HardDiskDrive', 'DvdDrive', 'VMNetworkAdapter', 'VMIntegrationComponent', 'VMSwitch', 'VMHost', 'VMFirmware', 'VMBios']) {
      expect(HV.classes[`Microsoft.HyperV.PowerShell.${c}`]?.properties.length, c).toBeGreaterThan(5)
    }
    expect(HV.classes['Microsoft.Vhd.PowerShell.VirtualHardDisk'].properties.map((p) => p.name)).toEqual(expect.arrayContaining(['Path', 'VhdFormat', 'VhdType', 'Attached', 'DiskNumber']))
    expect(HV.enums['Microsoft.HyperV.PowerShell.VMState'].values.map((v) => v.name)).toEqual(expect.arrayContaining(['Off', 'Running', 'Saved']))
    for (const [name, c] of Object.entries(CIM.classes)) expect(c.url, name).toMatch(/^https:\/\/learn\.microsoft\.com\//)
  })

  it('the static check catches reads of properties the real type lacks (a deliberately bad module)', () => {
    const bad = readsReport().reads.filter((r) => r.file === BAD_FILE)
    const missing = bad.filter((r) => !exists(r)).map((r) => `${r.types.join('|')}.${r.member}`)
    expect(missing.sort()).toEqual(
      [
        'MSFT_Disk.NoSuchDiskProperty',
        'MSFT_NetAdapter.NoSuchAdapterProperty',
        'Microsoft.HyperV.PowerShell.HardDiskDrive.NoSuchDriveProperty',
        'Microsoft.HyperV.PowerShell.VMSwitch.NoSuchSwitchProperty',
        'Microsoft.HyperV.PowerShell.VirtualMachine.NoSuchVmProperty',
        'Microsoft.Vhd.PowerShell.VirtualHardDisk.NoSuchVhdProperty',
      ].sort(),
    )
    // ...and a real property read the same way passes.
    expect(bad.filter((r) => r.member === 'State' && exists(r))).toHaveLength(1)
  }, 180_000)

  it('every property the runtime reads on a cmdlet\'s output exists on the real type', () => {
    const reads = runtimeReads()
    // The inference reached the objects of every kind the runtime works with.
    const typesRead = new Set(reads.flatMap((r) => r.types))
    for (const t of [
      'Microsoft.HyperV.PowerShell.VirtualMachine',
      'Microsoft.HyperV.PowerShell.HardDiskDrive',
      'Microsoft.HyperV.PowerShell.DvdDrive',
      'Microsoft.HyperV.PowerShell.VMNetworkAdapter',
      'Microsoft.HyperV.PowerShell.VMIntegrationComponent',
      'Microsoft.HyperV.PowerShell.VMSwitch',
      'Microsoft.HyperV.PowerShell.VMHost',
      'Microsoft.Vhd.PowerShell.VirtualHardDisk',
      'MSFT_Disk',
      'MSFT_Partition',
      'MSFT_Volume',
      'MSFT_NetAdapter',
      'MSFT_NetAdapterAdvancedPropertySettingData',
      'MSFT_NetAdapterVmqSettingData',
      'MSFT_NetOffloadGlobalSetting',
    ]) {
      expect(typesRead, t).toContain(t)
    }
    expect(reads.length).toBeGreaterThan(100)
    const unknown = reads.filter((r) => !inScope(r) && !r.types.some((t) => t in OUT_OF_SCOPE)).map((r) => `${r.types.join('|')}.${r.member} at ${where(r)}`)
    expect(unknown, 'a type neither reference covers: add it to the references or to OUT_OF_SCOPE with the reason').toEqual([])
    const fallback = (r: Read) => FALLBACK_READS.some((f) => r.types.includes(f.type) && f.member === r.member && f.function === r.function)
    const wrong = reads.filter((r) => inScope(r) && !exists(r) && !fallback(r)).map((r) => `${r.types.join('|')}.${r.member} at ${where(r)}`)
    expect(wrong).toEqual([])
  }, 180_000)

  it('the explicit tables hold only what the runtime still reads', () => {
    const reads = runtimeReads()
    for (const f of FALLBACK_READS) {
      const hit = reads.filter((r) => r.types.includes(f.type) && r.member === f.member && r.function === f.function)
      expect(hit.length, `FALLBACK_READS ${f.type}.${f.member} in ${f.function} is no longer read`).toBeGreaterThan(0)
      expect(hit.every((r) => !exists(r)), `${f.type}.${f.member} exists on the real type: drop it from FALLBACK_READS`).toBe(true)
    }
    for (const t of Object.keys(OUT_OF_SCOPE)) {
      expect(reads.some((r) => r.types.includes(t)), `OUT_OF_SCOPE ${t} is no longer read`).toBe(true)
      expect(realProperties(t), t).toBeNull()
    }
    // Nothing the runtime reads by a Hyper-V/CIM-looking name is left untyped, but $PSVersionTable's.
    const allUntyped = readsReport().untyped
    const listed = (u: (typeof UNTYPED_READS)[number], r: Read) => relative(REPO, r.file) === u.file && r.function === u.function && r.member === u.member
    for (const u of UNTYPED_READS) {
      expect(allUntyped.some((r) => listed(u, r)), `UNTYPED_READS ${u.member} in ${u.function} is no longer read`).toBe(true)
    }
    const untyped = allUntyped
      .filter((r) => r.file !== BAD_FILE && /^[A-Z]/.test(r.member) && !/\$PSVersionTable/.test(r.text))
      .filter((r) => !UNTYPED_READS.some((u) => listed(u, r)))
      .map(where)
    expect(untyped).toEqual([])
  }, 180_000)
})

interface Shape {
  via: string
  typeNames: string[]
  properties: Array<{name: string; kind: string; text: string | string[] | null}>
}

/** The class an emulated object stands for: its first type name, or the CIM class of CimInstance#ns/Class. */
function classOf(s: Shape): string {
  const t = s.typeNames[0]
  const cim = /^Microsoft\.Management\.Infrastructure\.CimInstance#.*\/(\w+)$/.exec(t)
  return cim ? cim[1] : t
}

/** The enum a Hyper-V property's declared type uses (X, X[], Nullable<X>, List<X>), if any. */
function enumOf(type: string): string | null {
  return type.split(/[<>,[\]]/).find((t) => t in HV.enums) ?? null
}

/** What is wrong with one emulated object against its real class (empty when nothing). */
function shapeProblems(s: Shape): string[] {
  const cls = classOf(s)
  const names = s.properties.map((p) => p.name)
  const problems: string[] = []
  const hv = HV.classes[cls]
  if (hv) {
    const real = hv.properties.map((p) => p.name)
    for (const n of names) if (!real.includes(n)) problems.push(`${cls}: ${n} is not a property of the real class${real.some((r) => r.toLowerCase() === n.toLowerCase()) ? ' (its casing differs)' : ''}`)
    for (const n of real) if (!names.includes(n)) problems.push(`${cls}: the real ${n} is missing`)
    for (const p of s.properties) {
      const decl = hv.properties.find((d) => d.name === p.name)
      const e = decl ? enumOf(decl.type) : null
      if (!e || p.kind === 'null') continue
      const members = HV.enums[e].values
      const isMember = (v: string) => members.some((m) => m.name === v) || (HV.enums[e].flags && v.split(', ').every((x) => members.some((m) => m.name === x))) || (/^\d+$/.test(v) && !members.some((m) => m.value === Number(v)))
      // An array's text is its elements as strings (one element arrives as a string, none as null).
      const asList = (t: string | string[] | null) => (Array.isArray(t) ? t : t === null ? [] : [t])
      const values = p.kind === 'string' ? [p.text as string] : p.kind === 'array' ? asList(p.text) : null
      if (values === null) problems.push(`${cls}.${p.name} (${e}) is a ${p.kind}, not the enum member's name`)
      else for (const v of values) if (!isMember(v)) problems.push(`${cls}.${p.name} = '${v}' is not a member of ${e} (${members.map((m) => m.name).join(', ')})`)
    }
    return problems
  }
  const real = realProperties(cls)
  if (!real) return [`${cls}: no reference declares this class`]
  for (const n of names) if (!real.includes(n)) problems.push(`${cls}: ${n} is neither documented on the class nor added by its cmdlet`)
  return problems
}

describe("the emulator's objects have the real shapes", () => {
  let shapes: Shape[] | null = null
  const emulated = (): Shape[] => {
    if (shapes) return shapes
    const host = newHost({switches: ['Lab']})
    const script = join(work, 'objects.ps1')
    writeFileSync(script, OBJECTS_SCRIPT, 'utf8')
    const input = join(work, 'objects-input.json')
    writeFileSync(input, JSON.stringify({emulator: EMULATOR, stateFile: host.stateFile, vmRoot: 'C:\\HvgShapes', switch: 'Lab'}), 'utf8')
    const r = runPwshFile(script, [], {env: {HVG_INPUT: input, TERM: 'dumb', HVGUEST_EMULATOR_FAIL: ''}, timeoutMs: 180_000})
    if (r.code !== 0) throw new Error(`the objects script failed (${r.code}): ${r.stderr}`)
    shapes = JSON.parse(r.stdout) as Shape[]
    return shapes
  }

  it('the comparison flags an invented property, a missing one, a wrong casing and an enum that is not its name', () => {
    const vm = HV.classes['Microsoft.HyperV.PowerShell.VirtualMachine'].properties
    const good: Shape = {via: 'x', typeNames: ['Microsoft.HyperV.PowerShell.VirtualMachine'], properties: vm.map((p) => ({name: p.name, kind: p.name === 'State' ? 'string' : 'null', text: p.name === 'State' ? 'Off' : null}))}
    expect(shapeProblems(good)).toEqual([])
    const bad: Shape = {
      ...good,
      properties: [
        ...good.properties.filter((p) => p.name !== 'Notes' && p.name !== 'State' && p.name !== 'Generation'),
        {name: 'VMName', kind: 'string', text: 'x'},
        {name: 'generation', kind: 'System.Int32', text: null},
        {name: 'State', kind: 'System.Int32', text: null},
        {name: 'CheckpointType', kind: 'string', text: 'Sometimes'},
      ],
    }
    const problems = shapeProblems(bad).join('\n')
    expect(problems).toContain('VMName is not a property of the real class')
    expect(problems).toContain('the real Notes is missing')
    expect(problems).toContain('generation is not a property of the real class (its casing differs)')
    expect(problems).toContain('State (Microsoft.HyperV.PowerShell.VMState) is a System.Int32')
    expect(problems).toContain("CheckpointType = 'Sometimes' is not a member of Microsoft.HyperV.PowerShell.CheckpointType")
    expect(shapeProblems({via: 'x', typeNames: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapter'], properties: [{name: 'Bogus', kind: 'null', text: null}]})).toEqual([
      'MSFT_NetAdapter: Bogus is neither documented on the class nor added by its cmdlet',
    ])
  })

  it('every object kind the emulated cmdlets return carries the real names, enums as their member names', () => {
    const all = emulated()
    const kinds = new Set(all.map(classOf))
    for (const k of [
      'Microsoft.HyperV.PowerShell.VirtualMachine',
      'Microsoft.HyperV.PowerShell.HardDiskDrive',
      'Microsoft.HyperV.PowerShell.DvdDrive',
      'Microsoft.HyperV.PowerShell.VMNetworkAdapter',
      'Microsoft.HyperV.PowerShell.VMInternalNetworkAdapter',
      'Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting',
      'Microsoft.HyperV.PowerShell.VMIntegrationComponent',
      'Microsoft.HyperV.PowerShell.VMIdeController',
      'Microsoft.HyperV.PowerShell.VMScsiController',
      'Microsoft.HyperV.PowerShell.VMSwitch',
      'Microsoft.HyperV.PowerShell.VMHost',
      'Microsoft.HyperV.PowerShell.VMHostSupportedVersion',
      'Microsoft.HyperV.PowerShell.VMBios',
      'Microsoft.HyperV.PowerShell.VMFirmware',
      'Microsoft.HyperV.PowerShell.VMProcessor',
      'Microsoft.HyperV.PowerShell.VMMemory',
      'Microsoft.HyperV.PowerShell.VMSnapshot',
      'Microsoft.Vhd.PowerShell.VirtualHardDisk',
      'MSFT_Disk',
      'MSFT_Partition',
      'MSFT_Volume',
      'MSFT_NetAdapter',
      'MSFT_NetAdapterAdvancedPropertySettingData',
      'MSFT_NetAdapterVmqSettingData',
      'MSFT_NetOffloadGlobalSetting',
    ]) {
      expect(kinds, k).toContain(k)
    }
    const problems = [...new Set(all.flatMap((s) => shapeProblems(s).map((p) => `${s.via}: ${p}`)))]
    expect(problems).toEqual([])
    // The values the emulator models are there (not all null): a VM's state, a disk's format.
    const vm = all.find((s) => s.via === 'Get-VM')!
    expect(vm.properties.find((p) => p.name === 'State')).toEqual({name: 'State', kind: 'string', text: 'Off'})
    const vhd = all.find((s) => s.via === 'Get-VHD')!
    expect(vhd.properties.find((p) => p.name === 'VhdFormat')).toMatchObject({kind: 'string', text: 'VHDX'})
    expect(vhd.properties.find((p) => p.name === 'VhdType')).toMatchObject({kind: 'string', text: 'Dynamic'})
  }, 180_000)
})
