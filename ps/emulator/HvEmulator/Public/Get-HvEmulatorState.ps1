function Get-HvEmulatorState {
    <#
    .SYNOPSIS
    The emulated host's state (an ordered hashtable), read from $env:HVGUEST_EMULATOR_STATE or -Path.
    .DESCRIPTION
    As the file says, except windowsPackages: the file keeps only packages of the running host
    (image 'online'); packages serviced into an image live in that VHD file's header and are added
    here, one {image, packagePath} per package, for each VHD file that exists on the host's drives.
    -FileOnly returns the file as it is.
    #>
    [CmdletBinding()]
    param(
        [string]
        $Path,

        [switch]
        $FileOnly
    )
    if (-not $Path) { $Path = Get-StateFilePath }
    $full = [System.IO.Path]::GetFullPath($Path)
    $state = (Read-StateFile -Path $full).State
    if (-not $FileOnly) {
        $packages = [System.Collections.Generic.List[object]]::new()
        if ($state.Contains('windowsPackages') -and $null -ne $state['windowsPackages']) { foreach ($p in @($state['windowsPackages'])) { if ($null -ne $p) { $packages.Add($p) } } }
        foreach ($p in @(Get-ServicedImagePackage -State $state -StatePath $full)) { $packages.Add($p) }
        $state['windowsPackages'] = $packages.ToArray()
    }
    $state
}
