# Dot-sourced by every emulated module's .psm1, so it runs in that module's own scope: the
# shared handler helpers, then the module's Private/ and Handlers/ scripts (when present), then
# its generated <Module>.Commands.ps1. The .psm1 sets $EmulatedModuleRoot to its folder
# ($PSScriptRoot here is Shared/).
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$script:Handlers = @{}

. (Join-Path $PSScriptRoot 'HandlerHelpers.ps1')
foreach ($folder in 'Private', 'Handlers') {
    $path = Join-Path $EmulatedModuleRoot $folder
    if (-not (Test-Path -LiteralPath $path)) { continue }
    foreach ($file in Get-ChildItem -LiteralPath $path -Filter '*.ps1' | Sort-Object Name) {
        . $file.FullName
    }
}
. (Join-Path $EmulatedModuleRoot ((Split-Path -Leaf $EmulatedModuleRoot) + '.Commands.ps1'))
