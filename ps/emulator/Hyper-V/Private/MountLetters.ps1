# Whether Mount-VHD gives a partition a drive letter. Windows assigns one to a new basic volume
# only when automatic mounting is on (`mountvol /N` and diskpart `automount disable` turn it off:
# host.automount false) and the partition does not carry the GPT attribute "no default drive
# letter" (as the recovery and system partitions of Windows images do: the VHD header's
# noDefaultDriveLetter lists such partition numbers). Mount-VHD -NoDriveLetter assigns none.
# Sources: docs/emulator-state.md "Mounted disks without drive letters" and "Volumes at mount points".

function Test-MountGetsDriveLetter {
    param($Ctx, $Meta, [int]$PartitionNumber)
    if (Get-Bound $Ctx 'NoDriveLetter') { return $false }
    if ((Get-PropertyValue $Ctx.State.host 'automount') -eq $false) { return $false }
    return -not (Test-NoDefaultDriveLetter -Meta $Meta -PartitionNumber $PartitionNumber)
}

function Test-NoDefaultDriveLetter {
    param($Meta, [int]$PartitionNumber)
    return (@(Get-PropertyValue $Meta 'noDefaultDriveLetter') | Where-Object { $null -ne $_ } | ForEach-Object { [int]$_ }) -contains $PartitionNumber
}

# The host volume (state volumes[]) that holds a Windows path: the one whose root (drive root or
# folder access path, such as a CSV's C:\ClusterStorage\Volume1\) is the longest prefix of it.
# New-VHD -Fixed checks its free space (the same rule as the Storage module's Get-Volume -FilePath).
function Find-HostVolumeOfPath {
    param($State, [string]$WindowsPath)
    $full = $WindowsPath.TrimEnd('\') + '\'
    $best = $null
    $bestLength = -1
    foreach ($v in @($State.volumes)) {
        if ($null -eq $v) { continue }
        $roots = @()
        if ($v.driveLetter) { $roots += "$($v.driveLetter):\" }
        foreach ($a in @(Get-PropertyValue $v 'accessPaths')) { if ($a) { $roots += ([string]$a).TrimEnd('\') + '\' } }
        foreach ($root in $roots) {
            if ($full.StartsWith($root, [System.StringComparison]::OrdinalIgnoreCase) -and $root.Length -gt $bestLength) { $best = $v; $bestLength = $root.Length }
        }
    }
    $best
}
