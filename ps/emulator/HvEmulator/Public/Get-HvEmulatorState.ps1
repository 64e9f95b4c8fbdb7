function Get-HvEmulatorState {
    <#
    .SYNOPSIS
    The emulated host's state (an ordered hashtable), read from $env:HVGUEST_EMULATOR_STATE or -Path.
    #>
    [CmdletBinding()]
    param(
        [string]
        $Path
    )
    if (-not $Path) { $Path = Get-StateFilePath }
    (Read-StateFile -Path ([System.IO.Path]::GetFullPath($Path))).State
}
