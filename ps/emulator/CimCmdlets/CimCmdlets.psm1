# Emulated CimCmdlets module (hvguest). The generated CimCmdlets.Commands.ps1 binds each cmdlet's documented
# parameter sets; the handlers in Handlers/ implement them against the state file.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$script:Handlers = @{}

. (Join-Path $PSScriptRoot '../HvEmulator/Shared/HandlerHelpers.ps1')
foreach ($file in Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Handlers') -Filter '*.ps1' | Sort-Object Name) {
    . $file.FullName
}
. (Join-Path $PSScriptRoot 'CimCmdlets.Commands.ps1')
