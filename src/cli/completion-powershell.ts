/** The PowerShell completion script (Windows PowerShell 5.1 and pwsh 7), from the completion model. */
import type {CompletionModel} from './completion-model.js'

export function powershellScript(model: CompletionModel): string {
  // The model travels as JSON text in a single-quoted here-string: data, never code. One line,
  // so no line of it can close the here-string.
  const data = JSON.stringify(model).replace(/'/g, "''")
  return `# PowerShell completion for hvguest. Generated at build time by scripts/generate-completion.mjs
# from oclif.manifest.json, so completing never starts node. Install (add the line to $PROFILE):
#   hvguest completion powershell | Out-String | Invoke-Expression
$hvguestCompletionModel = @'
${data}
'@ | ConvertFrom-Json

Register-ArgumentCompleter -Native -CommandName 'hvguest' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $model = $hvguestCompletionModel
    $elements = @($commandAst.CommandElements | Where-Object { $_.Extent.StartOffset -lt $cursorPosition })
    $typed = @($elements | Select-Object -Skip 1 | ForEach-Object {
        if ($_ -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $_.Value } else { $_.Extent.Text }
    })
    if ($wordToComplete -ne '' -and $typed.Count -gt 0) { $typed = @($typed | Select-Object -First ($typed.Count - 1)) }

    $path = @(); $command = $null; $pending = $null; $inventory = 'hosts.yaml'
    foreach ($word in $typed) {
        if ($pending) {
            if ($pending.spellings -contains '--inventory') { $inventory = $word }
            $pending = $null; continue
        }
        if ($word.StartsWith('-')) {
            if ($command) {
                $name = $word.Split('=')[0]
                $flag = @($command.flags | Where-Object { $_.spellings -contains $name }) | Select-Object -First 1
                if ($flag -and $flag.value) {
                    if ($word.Contains('=')) { if ($flag.spellings -contains '--inventory') { $inventory = $word.Substring($word.IndexOf('=') + 1) } }
                    else { $pending = $flag }
                }
            }
            continue
        }
        if (-not $command) {
            $candidate = @($path) + $word
            $match = @($model.commands | Where-Object { ($_.words -join ' ') -eq ($candidate -join ' ') }) | Select-Object -First 1
            $longer = @($model.commands | Where-Object { ($_.words -join ' ').StartsWith(($candidate -join ' ') + ' ') })
            if ($match) { $path = $candidate; $command = $match }
            elseif ($longer.Count -gt 0) { $path = $candidate }
        }
    }

    $results = New-Object System.Collections.Generic.List[object]
    function Add-Completion([string]$text, [string]$tip) {
        if (-not $text.StartsWith($current, [System.StringComparison]::OrdinalIgnoreCase)) { return }
        if ($text -match '\\s') { $text = "'" + $text.Replace("'", "''") + "'" }
        if (-not $tip) { $tip = $text }
        $results.Add([System.Management.Automation.CompletionResult]::new($text, $text, 'ParameterValue', $tip))
    }
    $current = $wordToComplete
    $value = $null
    if ($pending) { $value = $pending.value }
    elseif ($command -and $current.StartsWith('-') -and $current.Contains('=')) {
        $name = $current.Split('=')[0]
        $flag = @($command.flags | Where-Object { $_.spellings -contains $name }) | Select-Object -First 1
        if (-not $flag -or -not $flag.value) { return }
        $value = $flag.value
        $current = $current.Substring($current.IndexOf('=') + 1)
    }
    elseif ($command -and $current.StartsWith('-')) {
        foreach ($flag in $command.flags) { foreach ($s in $flag.spellings) { Add-Completion $s $flag.summary } }
        return $results
    }
    elseif (-not $command) {
        $depth = $path.Count
        $seen = @{}
        foreach ($c in $model.commands) {
            if ($c.words.Count -le $depth -or (($c.words | Select-Object -First $depth) -join ' ') -ne ($path -join ' ')) { continue }
            $next = $c.words[$depth]
            if ($seen.ContainsKey($next)) { continue }
            $seen[$next] = $true
            $tip = $c.summary
            $topic = (@($path) + $next) -join ' '
            if ($c.words.Count -gt $depth + 1 -and $model.topics.$topic) { $tip = $model.topics.$topic }
            Add-Completion $next $tip
        }
        return $results
    }
    else { $value = $command.positional }

    foreach ($w in @($value.words)) { if ($w) { Add-Completion $w $w } }
    $folder = $null; $builtin = @()
    if ($value.names -eq 'templates') { $folder = 'templates'; $builtin = $model.builtins.templates }
    if ($value.names -eq 'profiles') { $folder = 'profiles'; $builtin = $model.builtins.profiles }
    if ($folder) {
        $project = @(Get-ChildItem -LiteralPath $folder -File -ErrorAction SilentlyContinue | Where-Object { $_.Name -match '\\.ya?ml$' } | ForEach-Object { $_.BaseName })
        foreach ($n in @($project) + @($builtin)) { Add-Completion $n $n }
    }
    if ($value.names -eq 'hosts' -and (Test-Path -LiteralPath $inventory -PathType Leaf)) {
        $inHosts = $false
        foreach ($line in (Get-Content -LiteralPath $inventory -ErrorAction SilentlyContinue)) {
            if ($line -match '^hosts:') { $inHosts = $true; continue }
            if ($line -match '^[^\\s#-]') { $inHosts = $false }
            if ($inHosts -and $line -match '^\\s*-\\s+name:\\s*(.+?)\\s*(#.*)?$') { Add-Completion ($matches[1].Trim('"', "'")) 'host' }
        }
    }
    if ($value.paths) {
        $parent = Split-Path -Path $current -Parent
        $leaf = Split-Path -Path $current -Leaf
        if ($current.EndsWith('/') -or $current.EndsWith('\\')) { $parent = $current.TrimEnd('/', '\\'); $leaf = '' }
        $where = '.'
        if ($parent) { $where = $parent }
        foreach ($item in @(Get-ChildItem -LiteralPath $where -ErrorAction SilentlyContinue)) {
            if ($value.paths -eq 'dirs' -and -not $item.PSIsContainer) { continue }
            if (-not $item.Name.StartsWith($leaf, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
            $text = $item.Name
            if ($parent) { $text = Join-Path $parent $item.Name }
            Add-Completion $text $text
        }
    }
    return $results
}
`
}
