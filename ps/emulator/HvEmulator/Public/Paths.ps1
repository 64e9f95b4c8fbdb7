# Windows paths (C:\Hyper-V\web1\boot.vhdx) map to folders beside the state file through the
# state's "drives" map ({"C": "drives/C"}); the emulator does all file work on the mapped path.

function ConvertTo-HvEmulatorWindowsPath {
    <#
    .SYNOPSIS
    Normalises an absolute Windows path: drive letter upper-cased, '/' to '\', '.' and '..' resolved.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string]
        $Path
    )
    if ($Path -notmatch '^[A-Za-z]:([\\/]|$)') {
        throw "The path '$Path' is not an absolute Windows path (X:\...); the emulated host resolves only absolute paths."
    }
    $segments = [System.Collections.Generic.List[string]]::new()
    foreach ($segment in $Path.Substring(2).Split([char[]]@('\', '/'))) {
        if ($segment -eq '' -or $segment -eq '.') { continue }
        if ($segment -eq '..') {
            if ($segments.Count -gt 0) { $segments.RemoveAt($segments.Count - 1) }
            continue
        }
        $segments.Add($segment)
    }
    $Path.Substring(0, 1).ToUpperInvariant() + ':\' + ($segments -join '\')
}

function ConvertTo-HvEmulatorLocalPath {
    <#
    .SYNOPSIS
    The real file-system path of a Windows path on the emulated host.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string]
        $Path,

        [System.Collections.IDictionary]
        $State,

        [string]
        $StatePath
    )
    if (-not $State) {
        if ($script:Current) {
            $State = $script:Current.State
            $StatePath = $script:Current.StatePath
        }
        else {
            $StatePath = Get-StateFilePath
            $State = (Read-StateFile -Path $StatePath).State
        }
    }
    if (-not $StatePath) { $StatePath = Get-StateFilePath }
    $windows = ConvertTo-HvEmulatorWindowsPath -Path $Path
    $letter = $windows.Substring(0, 1)
    $drives = $State['drives']
    if (-not $drives -or -not $drives.Contains($letter)) {
        throw "Cannot find drive. A drive with the name '$letter' does not exist on the emulated host."
    }
    $root = [string]$drives[$letter]
    $stateDir = [System.IO.Path]::GetDirectoryName($StatePath)
    $local = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($stateDir, $root))
    foreach ($segment in $windows.Substring(3).Split('\')) {
        if ($segment -ne '') { $local = [System.IO.Path]::Combine($local, $segment) }
    }
    $local
}
