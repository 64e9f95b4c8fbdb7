<#
  `hvguest init`: the emulated host of a starter project, ready for `hvguest create`: a fresh
  state (New-HvEmulatorState) with the project's switches, and the base images its templates
  use as differencing parents, given as JSON [{path, os}] (pwsh -File binds no arrays). An image
  with an OS is a generalized image that boots (New-HvEmulatorImage; Linux ones with
  cloud-init), so `create --wait` works in the starter project; one without is a blank disk.
  Values arrive as parameters and JSON data; nothing is pasted into code.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$StateFile,
    [Parameter(Mandatory)][string]$HostOs,
    [Parameter(Mandatory)][string[]]$Switch,
    [string]$BaseImagesJson = '[]'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$env:PSModulePath = $PSScriptRoot + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module HvEmulator
New-HvEmulatorState -Path $StateFile -HostOs $HostOs -Switches $Switch | Out-Null
Initialize-HvEmulator -StateFile $StateFile
foreach ($base in @(ConvertFrom-Json -InputObject $BaseImagesJson)) {
    $image = [string]$base.path
    $os = [string]$base.os
    New-Item -ItemType Directory -Path (Split-Path -Parent $image) -Force | Out-Null
    if ($os -like 'linux/*') { New-HvEmulatorImage -Path $image -Os $os -Software 'cloud-init', 'openssh-server' | Out-Null }
    elseif ($os) { New-HvEmulatorImage -Path $image -Os $os | Out-Null }
    else { New-VHD -Path $image -SizeBytes 30GB -Dynamic | Out-Null }
}
