# Dot-sourced by every emulated module's .psm1, so it runs in that module's own scope: the
# shared handler helpers, then the module's Private/ and Handlers/ scripts (when present), then
# the generated commands of the emulated host's OS: Commands/<docset>.ps1, the docset that
# reference/versions/host-os.json gives the state's host.os (Get-HvEmulatorHostProfile), or
# Commands/all-versions.ps1 for a module whose cmdlets do not differ between versions. A host
# whose OS has no file for this module (Hyper-V on 2008 R2) gets a module that defines no command,
# so each of its cmdlets is a CommandNotFoundException there, as on a real host. The .psm1 sets
# $EmulatedModuleRoot to its folder ($PSScriptRoot here is Shared/).
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
$commandsFolder = Join-Path $EmulatedModuleRoot 'Commands'
$allVersions = Join-Path $commandsFolder 'all-versions.ps1'
if (Test-Path -LiteralPath $allVersions) {
    # Read by Initialize-HvEmulator: '*' is right for every host OS.
    $script:EmulatedDocset = '*'
    . $allVersions
}
else {
    # The state names the host's OS; a process with no state yet binds the default host's
    # (New-HvEmulatorState -HostOs defaults to windows-server-2022).
    $hostOs = 'windows-server-2022'
    if (-not [string]::IsNullOrEmpty($env:HVGUEST_EMULATOR_STATE) -and [System.IO.File]::Exists($env:HVGUEST_EMULATOR_STATE)) {
        # Strict mode: read the properties through PSObject, a state may lack them.
        $stateDoc = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($env:HVGUEST_EMULATOR_STATE))
        $hostProperty = $stateDoc.PSObject.Properties['host']
        $osProperty = $(if ($null -ne $hostProperty -and $null -ne $hostProperty.Value) { $hostProperty.Value.PSObject.Properties['os'] } else { $null })
        if ($null -ne $osProperty -and -not [string]::IsNullOrEmpty([string]$osProperty.Value)) { $hostOs = [string]$osProperty.Value }
    }
    $script:EmulatedHostOs = $hostOs
    $script:EmulatedDocset = [string](Get-HvEmulatorHostProfile -HostOs $hostOs).Docset
    $commandsFile = Join-Path $commandsFolder "$($script:EmulatedDocset).ps1"
    if ($script:EmulatedDocset -and (Test-Path -LiteralPath $commandsFile)) { . $commandsFile }
}
