function Initialize-HvEmulator {
    <#
    .SYNOPSIS
    Points this pwsh process at an emulated host: sets $env:HVGUEST_EMULATOR_STATE, maps every
    drive letter of the state to a FileSystem PSDrive, so that C:\Hyper-V\... works on any OS, and
    makes the modules of the host's OS the ones PowerShell finds.
    .DESCRIPTION
    Module discovery: ps/emulator itself leaves PSModulePath (HvEmulator is loaded already) and
    ps/emulator/hosts/<docset> takes its place, the manifests of exactly the modules and cmdlets
    the host's OS has (ps/emulator/reference/versions/host-os.json maps host.os to its docset). A
    2008 / 2008 R2 host gets ps/emulator/hosts/no-hyperv-module: no Hyper-V module at all.
    Emulated modules already imported for another OS are removed, so the next use loads the
    host's own. See docs/host-versions.md.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $StateFile
    )
    $full = [System.IO.Path]::GetFullPath($StateFile, (Get-Location -PSProvider FileSystem).ProviderPath)
    if (-not [System.IO.File]::Exists($full)) {
        throw "The emulator state file '$full' does not exist: create one with New-HvEmulatorState."
    }
    $env:HVGUEST_EMULATOR_STATE = $full
    $state = (Read-StateFile -Path $full).State
    $stateDir = [System.IO.Path]::GetDirectoryName($full)
    foreach ($letter in @($state['drives'].Keys)) {
        $root = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($stateDir, [string]$state['drives'][$letter]))
        [void][System.IO.Directory]::CreateDirectory($root)
        $existing = Get-PSDrive -Name $letter -PSProvider FileSystem -Scope Global -ErrorAction SilentlyContinue
        if ($existing) {
            if ($existing.Root.TrimEnd('/', '\') -eq $root.TrimEnd('/', '\')) { continue }
            Remove-PSDrive -Name $letter -PSProvider FileSystem -Scope Global -Force
        }
        $null = New-PSDrive -Name $letter -PSProvider FileSystem -Root $root -Scope Global
    }
    $hostProfile = Get-HvEmulatorHostProfile -HostOs ([string]$state['host']['os'])
    Set-HvEmulatorModulePath -ModuleRoot $hostProfile.ModuleRoot
    # Emulated modules bound to another OS's commands would keep them: unload them.
    $emulatorRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    foreach ($module in @(Get-Module)) {
        if ($module.Name -eq 'HvEmulator' -or $module.ModuleType -ne 'Script') { continue }
        if (-not ([string]$module.Path).StartsWith($emulatorRoot, [System.StringComparison]::Ordinal)) { continue }
        $bound = & $module { if (Test-Path -LiteralPath 'variable:script:EmulatedDocset') { $script:EmulatedDocset } else { $null } }
        if ($bound -eq '*' -or $bound -eq [string]$hostProfile.Docset) { continue }
        Remove-Module -ModuleInfo $module -Force
    }
}

function Set-HvEmulatorModulePath {
    # PSModulePath without ps/emulator and any ps/emulator/hosts/* folder, then
    # ps/emulator/hosts/<ModuleRoot> first.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $ModuleRoot
    )
    $emulatorRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..')).TrimEnd('/', '\')
    $hostsRoot = [System.IO.Path]::Combine($emulatorRoot, 'hosts')
    $separator = [string][System.IO.Path]::PathSeparator
    $kept = foreach ($part in @($env:PSModulePath -split [regex]::Escape($separator))) {
        if ([string]::IsNullOrEmpty($part)) { continue }
        $normal = $part
        try { $normal = [System.IO.Path]::GetFullPath($part).TrimEnd('/', '\') } catch { $normal = $part }
        if ($normal -eq $emulatorRoot) { continue }
        if ($normal.StartsWith($hostsRoot + [System.IO.Path]::DirectorySeparatorChar, [System.StringComparison]::Ordinal)) { continue }
        $part
    }
    $env:PSModulePath = (@([System.IO.Path]::Combine($hostsRoot, $ModuleRoot)) + @($kept)) -join $separator
}
