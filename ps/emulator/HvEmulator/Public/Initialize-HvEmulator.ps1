function Initialize-HvEmulator {
    <#
    .SYNOPSIS
    Points this pwsh process at an emulated host: sets $env:HVGUEST_EMULATOR_STATE and maps every
    drive letter of the state to a FileSystem PSDrive, so that C:\Hyper-V\... works on any OS.
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
}
