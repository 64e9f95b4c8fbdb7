# The Windows partition of a mounted virtual hard disk, reachable by a drive letter. A mounted
# disk may get no letter at all: Windows gives a new basic volume one only while automatic
# mounting is on (`mountvol /N` and diskpart `automount disable` turn it off), and never to a
# partition whose GPT attributes say "no default drive letter" (Windows images' recovery and
# system partitions, and some images' Windows partition too). Offline injection then assigns a
# letter itself (Add-PartitionAccessPath -AssignDriveLetter) and takes it away again before the
# disk is dismounted, also after a failure. Sources: docs/execution.md "Host behaviours the
# runtime does not assume".

# What Resolve-HvMountedImageRoot assigned, for Remove-HvMountedImageAccessPaths: made before the
# search, so that letters assigned before a failure are still known in the caller's finally.
function New-HvMountedImageAccess {
    return @{ Assigned = (New-Object System.Collections.Generic.List[object]) }
}

function Test-HvWindowsRoot {
    param([string]$Root)
    return (Test-Path -LiteralPath ($Root + 'Windows\System32') -PathType Container)
}

function Get-HvPartitionLetter {
    param($Partition)
    $l = [string](Get-HvField -Object $Partition -Name 'DriveLetter' -Default '')
    if ($l.Length -eq 1 -and [char]::IsLetter($l[0])) { return $l.ToUpperInvariant() }
    return $null
}

# Gives a partition the next free drive letter; returns it (the assignment is recorded in $Access).
function Add-HvPartitionLetter {
    param([hashtable]$Context, [hashtable]$Access, [uint32]$DiskNumber, [uint32]$PartitionNumber)
    Start-HvStep -Context $Context -Step 'assign-drive-letter' -Cmdlet 'Add-PartitionAccessPath' -Detail ('disk {0} partition {1}' -f $DiskNumber, $PartitionNumber)
    Add-PartitionAccessPath -DiskNumber $DiskNumber -PartitionNumber $PartitionNumber -AssignDriveLetter | Out-Null
    $letter = Get-HvPartitionLetter -Partition @(Get-Partition -DiskNumber $DiskNumber -PartitionNumber $PartitionNumber)[0]
    if ($null -eq $letter) {
        throw (New-HvError -Cmdlet 'Add-PartitionAccessPath' -Message ("partition {0} of disk {1} got no drive letter (is every letter in use?)" -f $PartitionNumber, $DiskNumber) -Category 'ResourceUnavailable')
    }
    $Access.Assigned.Add(@{ DiskNumber = $DiskNumber; PartitionNumber = $PartitionNumber; AccessPath = ('{0}:\' -f $letter) })
    Complete-HvStep -Context $Context
    return $letter
}

function Remove-HvPartitionLetter {
    param([hashtable]$Context, [hashtable]$Access, $Entry)
    Start-HvStep -Context $Context -Step 'remove-drive-letter' -Cmdlet 'Remove-PartitionAccessPath' -Detail ('disk {0} partition {1} {2}' -f $Entry.DiskNumber, $Entry.PartitionNumber, $Entry.AccessPath)
    Remove-PartitionAccessPath -DiskNumber $Entry.DiskNumber -PartitionNumber $Entry.PartitionNumber -AccessPath $Entry.AccessPath | Out-Null
    Complete-HvStep -Context $Context
    [void]$Access.Assigned.Remove($Entry)
}

# The root ("E:\") of the Windows partition of mounted disk $DiskNumber: a lettered partition
# with \Windows\System32, else a letterless data partition given a letter that has it; when no
# partition shows \Windows\System32 and the disk has exactly one data partition, that one. A
# letter assigned to a partition that turns out not to be Windows is removed at once.
function Resolve-HvMountedImageRoot {
    param([hashtable]$Context, [hashtable]$Access, [string]$BootPath, [uint32]$DiskNumber)
    Set-HvActivity -Context $Context -Step 'find-windows-partition' -Cmdlet 'Get-Partition'
    # System (EFI), Reserved (MSR) and Recovery partitions never hold the Windows folder.
    $data = @(@(Get-Partition -DiskNumber $DiskNumber) | Where-Object { $null -ne $_ -and @('System', 'Reserved', 'Recovery') -notcontains [string](Get-HvField -Object $_ -Name 'Type' -Default '') })
    foreach ($part in $data) {
        $letter = Get-HvPartitionLetter -Partition $part
        if ($null -ne $letter -and (Test-HvWindowsRoot -Root ('{0}:\' -f $letter))) { return ('{0}:\' -f $letter) }
    }
    foreach ($part in $data) {
        if ($null -ne (Get-HvPartitionLetter -Partition $part)) { continue }
        $number = [uint32]$part.PartitionNumber
        $letter = Add-HvPartitionLetter -Context $Context -Access $Access -DiskNumber $DiskNumber -PartitionNumber $number
        if (Test-HvWindowsRoot -Root ('{0}:\' -f $letter)) { return ('{0}:\' -f $letter) }
        if ($data.Count -eq 1) { return ('{0}:\' -f $letter) }
        $entry = @($Access.Assigned | Where-Object { $_.PartitionNumber -eq $number -and $_.DiskNumber -eq $DiskNumber })[0]
        Remove-HvPartitionLetter -Context $Context -Access $Access -Entry $entry
    }
    if ($data.Count -eq 1) {
        $letter = Get-HvPartitionLetter -Partition $data[0]
        if ($null -ne $letter) { return ('{0}:\' -f $letter) }
    }
    throw (New-HvError -Step 'find-windows-partition' -Cmdlet 'Get-Partition' -Message ("no partition of '{0}' (disk {1}) has a \Windows\System32 folder, with its own drive letter or one assigned to it" -f $BootPath, $DiskNumber) -Category 'ObjectNotFound')
}

# Takes away every letter Resolve-HvMountedImageRoot assigned (before Dismount-VHD: the letter
# belongs to the mounted volume). A failure is a warning: dismounting removes the volume anyway.
function Remove-HvMountedImageAccessPaths {
    param([hashtable]$Context, [hashtable]$Access)
    if ($null -eq $Access) { return }
    foreach ($entry in @($Access.Assigned.ToArray())) {
        try { Remove-HvPartitionLetter -Context $Context -Access $Access -Entry $entry }
        catch { $Context.Warnings.Add(('Remove-PartitionAccessPath {0} (disk {1} partition {2}) failed ({3}); dismounting the disk removes it' -f $entry.AccessPath, $entry.DiskNumber, $entry.PartitionNumber, (Get-HvErrorMessage -ErrorRecord $_))) }
    }
}
