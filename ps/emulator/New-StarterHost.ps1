<#
  `hvguest init`: the emulated host of a starter project, ready for `hvguest create`: a fresh
  state (New-HvEmulatorState) with the project's switches, and the base images its templates
  use as differencing parents. Values arrive as parameters; nothing is pasted into code.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$StateFile,
    [Parameter(Mandatory)][string]$HostOs,
    [Parameter(Mandatory)][string[]]$Switch,
    [string[]]$BaseImage = @()
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$env:PSModulePath = $PSScriptRoot + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module HvEmulator
New-HvEmulatorState -Path $StateFile -HostOs $HostOs -Switches $Switch | Out-Null
Initialize-HvEmulator -StateFile $StateFile
foreach ($image in $BaseImage) {
    New-Item -ItemType Directory -Path (Split-Path -Parent $image) -Force | Out-Null
    New-VHD -Path $image -SizeBytes 30GB -Dynamic | Out-Null
}
