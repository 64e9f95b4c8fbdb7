<#
  The process-per-step baseline (bench/create-batch.mjs): what Packer's and Vagrant's Hyper-V
  drivers do, one new PowerShell process per cmdlet. This script is that process: it points
  itself at the emulated host, then runs ONE cmdlet with parameters given as data (base64 of
  JSON, splatted), exactly as the bench derived them from the plan.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$StateFile,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$Cmdlet,
    [Parameter(Mandatory)][string]$ParametersBase64
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$env:PSModulePath = $ModulePath + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module HvEmulator
Initialize-HvEmulator -StateFile $StateFile
$json = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ParametersBase64)) | ConvertFrom-Json -AsHashtable
$splat = @{}
foreach ($key in $json.Keys) {
    $value = $json[$key]
    # JSON true on a switch parameter means "present".
    $splat[$key] = if ($value -is [bool]) { [switch]$value } elseif ($value -is [System.Collections.IList]) { [string[]]@($value) } else { $value }
}
& $Cmdlet @splat | Out-Null
