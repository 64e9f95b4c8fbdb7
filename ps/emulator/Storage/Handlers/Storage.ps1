# Get-Disk, Set-Disk, Get-Partition, Get-Volume, Add-/Remove-PartitionAccessPath: the host's physical disks (pass-through
# candidates), mounted virtual hard disks, and volumes with their free space.

function Stop-CimNotFound {
    param([string]$Class, [string]$Property, [string]$Value)
    Stop-HvEmulatorCommand -Message "No $Class objects found with property '$Property' equal to '$Value'.  Verify the value of the property and retry." -Category ObjectNotFound -ErrorId "CmdletizationQuery_NotFound_$Property" -TargetObject $Value
}

function Get-DiskUniqueId { param($Disk) if ($Disk.vhdPath) { "VHD-$($Disk.number)-$($Disk.serialNumber)" } else { "6002248$([string]$Disk.serialNumber)".Replace('-', '') } }

function ConvertTo-DiskObject {
    param($Disk)
    Add-CimTypeName -Namespace 'ROOT/Microsoft/Windows/Storage' -Class 'MSFT_Disk' -Properties ([ordered]@{
            Number             = [uint32]$Disk.number
            FriendlyName       = [string]$Disk.friendlyName
            SerialNumber       = [string]$Disk.serialNumber
            UniqueId           = Get-DiskUniqueId $Disk
            Path               = "\\?\disk#$($Disk.number)"
            Location           = $(if ($Disk.vhdPath) { [string]$Disk.vhdPath } else { "PCI Slot 0 : Bus 0 : Device 0 : Function 0 : Adapter 0 : Port 0 : Target 0 : LUN $($Disk.number)" })
            Size               = [uint64]$Disk.sizeBytes
            AllocatedSize      = [uint64]$Disk.sizeBytes
            PartitionStyle     = [string]$Disk.partitionStyle
            IsOffline          = [bool]$Disk.isOffline
            OfflineReason      = $(if ($Disk.isOffline) { 'Policy' } else { $null })
            OperationalStatus  = $(if ($Disk.isOffline) { 'Offline' } else { 'Online' })
            IsReadOnly         = [bool]$Disk.isReadOnly
            IsBoot             = [bool]$Disk.isBoot
            IsSystem           = [bool]$Disk.isSystem
            BusType            = [string]$Disk.busType
            NumberOfPartitions = @($Disk.partitions | Where-Object { $null -ne $_ }).Count
        })
}

# A partition's access paths: its drive letter root, then its folder mount points (a CSV such as
# C:\ClusterStorage\Volume1\, or a folder Add-PartitionAccessPath gave it), each ending in "\".
function Get-PartitionAccessPaths {
    param($Partition)
    $letter = [string](Get-PropertyValue $Partition 'driveLetter')
    if ($letter) { "$($letter):\" }
    foreach ($a in @(Get-PropertyValue $Partition 'accessPaths')) { if ($a) { [string]$a } }
}

function ConvertTo-PartitionObject {
    param($Disk, $Partition)
    $letter = [string]$Partition.driveLetter
    Add-CimTypeName -Namespace 'ROOT/Microsoft/Windows/Storage' -Class 'MSFT_Partition' -Properties ([ordered]@{
            DiskNumber        = [uint32]$Disk.number
            PartitionNumber   = [uint32]$Partition.partitionNumber
            DriveLetter       = $(if ($letter) { [char]$letter } else { [char]0 })
            AccessPaths       = [string[]]@(Get-PartitionAccessPaths $Partition)
            NoDefaultDriveLetter = [bool](Get-PropertyValue $Partition 'noDefaultDriveLetter')
            Offset            = [uint64](1MB * [int]$Partition.partitionNumber)
            Size              = [uint64]$Partition.sizeBytes
            Type              = [string]$Partition.type
            IsOffline         = [bool]$Disk.isOffline
            IsReadOnly        = [bool]$Disk.isReadOnly
            DiskId            = "\\?\disk#$($Disk.number)"
            UniqueId          = "{00000000-0000-0000-0000-$('{0:D4}{1:D8}' -f [int]$Partition.partitionNumber, [int]$Disk.number)}$(Get-DiskUniqueId $Disk)"
            OperationalStatus = $(if ($Disk.isOffline) { 'Offline' } else { 'Online' })
        })
}

function Get-StateDisks { param($Ctx) @($Ctx.State.disks | Where-Object { $null -ne $_ }) }

function Select-DisksByNumber {
    param($Ctx, $Numbers)
    foreach ($n in @($Numbers)) {
        $disk = Get-StateDisks $Ctx | Where-Object { [int]$_.number -eq [int]$n } | Select-Object -First 1
        if (-not $disk) { Stop-CimNotFound 'MSFT_Disk' 'Number' $n }
        $disk
    }
}

$script:Handlers['Get-Disk'] = {
    param($Ctx)
    $disks = switch ($Ctx.ParameterSet) {
        'ByNumber' { if (Test-Bound $Ctx 'Number') { Select-DisksByNumber $Ctx $Ctx.Parameters['Number'] } else { Get-StateDisks $Ctx } }
        'ByUniqueId' { Get-StateDisks $Ctx | Where-Object { @($Ctx.Parameters['UniqueId']) -contains (Get-DiskUniqueId $_) } }
        'ByName' {
            Get-StateDisks $Ctx | Where-Object {
                $d = $_
                (-not (Test-Bound $Ctx 'FriendlyName') -or @($Ctx.Parameters['FriendlyName'] | Where-Object { [string]$d.friendlyName -like $_ })) -and
                (-not (Test-Bound $Ctx 'SerialNumber') -or @($Ctx.Parameters['SerialNumber']) -contains [string]$d.serialNumber)
            }
        }
        'ByPath' { Get-StateDisks $Ctx | Where-Object { @($Ctx.Parameters['Path']) -contains "\\?\disk#$($_.number)" } }
        'ByPartition' { Select-DisksByNumber $Ctx (Get-PropertyValue $Ctx.Parameters['Partition'] 'DiskNumber') }
        default { @() }
    }
    foreach ($d in @($disks)) { if ($null -ne $d) { ConvertTo-DiskObject $d } }
}

$script:Handlers['Set-Disk'] = {
    param($Ctx)
    $disks = if (Test-Bound $Ctx 'Number') { @(Select-DisksByNumber $Ctx $Ctx.Parameters['Number']) }
    elseif (Test-Bound $Ctx 'InputObject') { @(Select-DisksByNumber $Ctx @($Ctx.Parameters['InputObject'] | ForEach-Object { Get-PropertyValue $_ 'Number' })) }
    elseif (Test-Bound $Ctx 'UniqueId') {
        $d = Get-StateDisks $Ctx | Where-Object { (Get-DiskUniqueId $_) -eq [string]$Ctx.Parameters['UniqueId'] } | Select-Object -First 1
        if (-not $d) { Stop-CimNotFound 'MSFT_Disk' 'UniqueId' ([string]$Ctx.Parameters['UniqueId']) }
        @($d)
    }
    else {
        $d = Get-StateDisks $Ctx | Where-Object { "\\?\disk#$($_.number)" -eq [string]$Ctx.Parameters['Path'] } | Select-Object -First 1
        if (-not $d) { Stop-CimNotFound 'MSFT_Disk' 'Path' ([string]$Ctx.Parameters['Path']) }
        @($d)
    }
    foreach ($disk in $disks) {
        if (Test-Bound $Ctx 'IsOffline') {
            $offline = [bool]$Ctx.Parameters['IsOffline']
            if ($offline -and ($disk.isBoot -or $disk.isSystem)) {
                Stop-HvEmulatorCommand -Message "The disk $($disk.number) holds the boot or system volume and cannot be taken offline." -Category InvalidOperation -ErrorId 'InvalidOperation'
            }
            $disk.isOffline = $offline
        }
        if (Test-Bound $Ctx 'IsReadOnly') { $disk.isReadOnly = [bool]$Ctx.Parameters['IsReadOnly'] }
        if (Test-Bound $Ctx 'PartitionStyle') { $disk.partitionStyle = [string]$Ctx.Parameters['PartitionStyle'] }
        Save-OtherSettings -Ctx $Ctx -Target $disk -Handled @('Number', 'InputObject', 'UniqueId', 'Path', 'IsOffline', 'IsReadOnly', 'PartitionStyle', 'ThrottleLimit')
    }
}

$script:Handlers['Get-Partition'] = {
    param($Ctx)
    $disks = switch ($Ctx.ParameterSet) {
        'ByNumber' { if (Test-Bound $Ctx 'DiskNumber') { @(Select-DisksByNumber $Ctx $Ctx.Parameters['DiskNumber']) } else { Get-StateDisks $Ctx } }
        'ByDisk' { @(Select-DisksByNumber $Ctx (Get-PropertyValue $Ctx.Parameters['Disk'] 'Number')) }
        'ById' { Get-StateDisks $Ctx | Where-Object { @($Ctx.Parameters['DiskId']) -contains "\\?\disk#$($_.number)" } }
        'ByStorageSubSystem' { Get-StateDisks $Ctx }
        default { Get-StateDisks $Ctx }
    }
    $letters = $null
    if (Test-Bound $Ctx 'DriveLetter') { $letters = @($Ctx.Parameters['DriveLetter'] | ForEach-Object { ([string]$_).ToUpperInvariant() }) }
    $volumeAt = $null
    if (Test-Bound $Ctx 'Volume') {
        $volumeLetter = [string](Get-PropertyValue $Ctx.Parameters['Volume'] 'DriveLetter')
        if ($volumeLetter -and $volumeLetter -ne [string][char]0) { $letters = @($volumeLetter.ToUpperInvariant()) }
        else { $volumeAt = Find-VolumeRecord $Ctx ([string](Get-PropertyValue $Ctx.Parameters['Volume'] 'Path')) }
    }
    $found = 0
    foreach ($disk in @($disks)) {
        if ($null -eq $disk) { continue }
        foreach ($p in @($disk.partitions)) {
            if ($null -eq $p) { continue }
            if ((Test-Bound $Ctx 'PartitionNumber') -and @($Ctx.Parameters['PartitionNumber'] | ForEach-Object { [int]$_ }) -notcontains [int]$p.partitionNumber) { continue }
            if ($null -ne $letters -and $letters -notcontains ([string]$p.driveLetter).ToUpperInvariant()) { continue }
            if ((Test-Bound $Ctx 'Volume') -and $null -eq $letters -and ($null -eq $volumeAt -or [int]$volumeAt.diskNumber -ne [int]$disk.number -or [int]$volumeAt.partitionNumber -ne [int]$p.partitionNumber)) { continue }
            $found++
            ConvertTo-PartitionObject $disk $p
        }
    }
    if ($found -eq 0 -and $null -ne $letters) { Stop-CimNotFound 'MSFT_Partition' 'DriveLetter' ($letters -join ', ') }
    if ($found -eq 0 -and (Test-Bound $Ctx 'PartitionNumber')) { Stop-CimNotFound 'MSFT_Partition' 'PartitionNumber' (@($Ctx.Parameters['PartitionNumber']) -join ', ') }
}

function Get-VolumeKey {
    param($Volume)
    if ($Volume.driveLetter) { return [string]$Volume.driveLetter }
    '{0}-{1}' -f (Get-PropertyValue $Volume 'diskNumber'), (Get-PropertyValue $Volume 'partitionNumber')
}

function ConvertTo-VolumeObject {
    param($Volume)
    $letter = [string]$Volume.driveLetter
    $key = Get-VolumeKey $Volume
    Add-CimTypeName -Namespace 'ROOT/Microsoft/Windows/Storage' -Class 'MSFT_Volume' -Properties ([ordered]@{
            DriveLetter       = $(if ($letter) { [char]$letter } else { [char]0 })
            FileSystemLabel   = [string]$Volume.fileSystemLabel
            FileSystem        = [string]$Volume.fileSystem
            FileSystemType    = [string]$Volume.fileSystem
            DriveType         = 'Fixed'
            HealthStatus      = 'Healthy'
            OperationalStatus = 'OK'
            Size              = [uint64]$Volume.sizeBytes
            SizeRemaining     = [uint64]$Volume.freeBytes
            Path              = "\\?\Volume{$key}\"
            UniqueId          = "\\?\Volume{$key}\"
        })
}

function Get-AllVolumes {
    # Host volumes from "volumes" (by drive letter, or by folder access paths: a mount point or a
    # CSV, whose record names its diskNumber and partitionNumber), plus one per partition of a
    # mounted virtual hard disk that has a drive letter or an access path.
    param($Ctx)
    foreach ($v in @($Ctx.State.volumes)) { if ($null -ne $v) { $v } }
    foreach ($disk in (Get-StateDisks $Ctx)) {
        if (-not $disk.vhdPath) { continue }
        foreach ($p in @($disk.partitions)) {
            if ($null -ne $p -and @(Get-PartitionAccessPaths $p).Count -gt 0) {
                [ordered]@{ driveLetter = [string]$p.driveLetter; accessPaths = @(Get-PropertyValue $p 'accessPaths'); diskNumber = $disk.number; partitionNumber = $p.partitionNumber; fileSystemLabel = ''; fileSystem = 'NTFS'; sizeBytes = $p.sizeBytes; freeBytes = [long]([long]$p.sizeBytes / 2) }
            }
        }
    }
}

# The roots a volume is reached by ("C:\", "C:\ClusterStorage\Volume1\").
function Get-VolumeRoots {
    param($Volume)
    if ($Volume.driveLetter) { "$($Volume.driveLetter):\" }
    foreach ($a in @(Get-PropertyValue $Volume 'accessPaths')) { if ($a) { ([string]$a).TrimEnd('\') + '\' } }
}

# The volume that holds a Windows path: the one whose root is the longest prefix of it (a mount
# point inside C: wins over C:), or $null. Also finds a volume by its \\?\Volume{...}\ path.
function Find-VolumeRecord {
    param($Ctx, [string]$Path)
    $full = $Path.Replace('/', '\').TrimEnd('\') + '\'
    $best = $null
    $bestLength = -1
    foreach ($v in @(Get-AllVolumes $Ctx)) {
        if ($full -eq "\\?\Volume{$(Get-VolumeKey $v)}\") { return $v }
        foreach ($root in @(Get-VolumeRoots $v)) {
            if ($full.StartsWith($root, [System.StringComparison]::OrdinalIgnoreCase) -and $root.Length -gt $bestLength) { $best = $v; $bestLength = $root.Length }
        }
    }
    $best
}

$script:Handlers['Get-Volume'] = {
    param($Ctx)
    $volumes = @(Get-AllVolumes $Ctx)
    switch ($Ctx.ParameterSet) {
        'ByDriveLetter' {
            if (Test-Bound $Ctx 'DriveLetter') {
                foreach ($l in @($Ctx.Parameters['DriveLetter'])) {
                    $v = $volumes | Where-Object { ([string]$_.driveLetter).ToUpperInvariant() -eq ([string]$l).ToUpperInvariant() } | Select-Object -First 1
                    if (-not $v) { Stop-CimNotFound 'MSFT_Volume' 'DriveLetter' $l }
                    ConvertTo-VolumeObject $v
                }
            }
            else { foreach ($v in $volumes) { ConvertTo-VolumeObject $v } }
        }
        'ByFilePath' {
            # The volume of an existing file or folder (the deepest mount point on its way).
            $path = [string]$Ctx.Parameters['FilePath']
            $v = $null
            if ($path -match '^[A-Za-z]:') {
                $win = Resolve-WindowsPath $path 'file path'
                $local = Resolve-LocalPath $Ctx $win
                if ([System.IO.File]::Exists($local) -or [System.IO.Directory]::Exists($local)) { $v = Find-VolumeRecord $Ctx $win }
            }
            if (-not $v) { Stop-CimNotFound 'MSFT_Volume' 'FilePath' $path }
            ConvertTo-VolumeObject $v
        }
        'ByPaths' {
            foreach ($path in @($Ctx.Parameters['Path'])) {
                $v = $volumes | Where-Object { "\\?\Volume{$(Get-VolumeKey $_)}\" -eq [string]$path } | Select-Object -First 1
                if (-not $v) { Stop-CimNotFound 'MSFT_Volume' 'Path' $path }
                ConvertTo-VolumeObject $v
            }
        }
        'ByLabel' { foreach ($v in $volumes) { if (@($Ctx.Parameters['FileSystemLabel']) -contains [string]$v.fileSystemLabel) { ConvertTo-VolumeObject $v } } }
        'ByPartition' {
            $partition = $Ctx.Parameters['Partition']
            $letter = [string](Get-PropertyValue $partition 'DriveLetter')
            if ($letter -eq [string][char]0) { $letter = '' }
            foreach ($v in $volumes) {
                if ($letter) { if ([string]$v.driveLetter -eq $letter) { ConvertTo-VolumeObject $v } }
                elseif ($null -ne (Get-PropertyValue $v 'diskNumber') -and [int]$v.diskNumber -eq [int](Get-PropertyValue $partition 'DiskNumber') -and [int]$v.partitionNumber -eq [int](Get-PropertyValue $partition 'PartitionNumber')) { ConvertTo-VolumeObject $v }
            }
        }
        default { }
    }
}

# Add-PartitionAccessPath / Remove-PartitionAccessPath: a drive letter or an empty folder as an
# access path of a partition (the doc: "An access path can be a drive letter (for example, "C:" or
# "C:\") or a path to an empty directory on an NTFS volume"; -AssignDriveLetter "Assigns the next
# available drive letter"). An explicit assignment works whatever host.automount and the
# partition's noDefaultDriveLetter say: those only stop automatic assignment.
function Select-AccessPathPartitions {
    param($Ctx)
    $pairs = [System.Collections.Generic.List[object]]::new()
    $add = {
        param($DiskNumber, $PartitionNumber)
        $disk = @(Select-DisksByNumber $Ctx $DiskNumber)[0]
        $p = @($disk.partitions) | Where-Object { $null -ne $_ -and [int]$_.partitionNumber -eq [int]$PartitionNumber } | Select-Object -First 1
        if (-not $p) { Stop-CimNotFound 'MSFT_Partition' 'PartitionNumber' $PartitionNumber }
        $pairs.Add(@{ Disk = $disk; Partition = $p })
    }
    switch ($Ctx.ParameterSet) {
        'ByNumber' {
            foreach ($d in @($Ctx.Parameters['DiskNumber'])) { foreach ($n in @($Ctx.Parameters['PartitionNumber'])) { & $add $d $n } }
        }
        'InputObject' {
            foreach ($o in @($Ctx.Parameters['InputObject'])) { & $add (Get-PropertyValue $o 'DiskNumber') (Get-PropertyValue $o 'PartitionNumber') }
        }
        'ByDriveLetter' {
            foreach ($l in @($Ctx.Parameters['DriveLetter'])) {
                $hit = $null
                foreach ($disk in (Get-StateDisks $Ctx)) {
                    foreach ($p in @($disk.partitions)) { if ($null -ne $p -and ([string]$p.driveLetter).ToUpperInvariant() -eq ([string]$l).ToUpperInvariant()) { $hit = @{ Disk = $disk; Partition = $p } } }
                }
                if (-not $hit) { Stop-CimNotFound 'MSFT_Partition' 'DriveLetter' $l }
                $pairs.Add($hit)
            }
        }
        'ById' {
            foreach ($id in @($Ctx.Parameters['DiskId'])) {
                $disk = Get-StateDisks $Ctx | Where-Object { "\\?\disk#$($_.number)" -eq [string]$id } | Select-Object -First 1
                if (-not $disk) { Stop-CimNotFound 'MSFT_Disk' 'DiskId' $id }
                foreach ($o in @($Ctx.Parameters['Offset'])) { & $add $disk.number ([int]([uint64]$o / 1MB)) }
            }
        }
        default { Stop-HvEmulatorCommand -Message 'Invalid Parameter: name the partition (-DiskNumber and -PartitionNumber, -DriveLetter, -DiskId and -Offset, or -InputObject).' -Category InvalidArgument -ErrorId 'InvalidParameter' }
    }
    $pairs.ToArray()
}

function Get-UsedDriveLetters {
    param($Ctx)
    $used = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($k in @($Ctx.State.drives.Keys)) { [void]$used.Add([string]$k) }
    foreach ($v in @($Ctx.State.volumes)) { if ($null -ne $v -and $v.driveLetter) { [void]$used.Add([string]$v.driveLetter) } }
    foreach ($disk in (Get-StateDisks $Ctx)) { foreach ($p in @($disk.partitions)) { if ($null -ne $p -and $p.driveLetter) { [void]$used.Add([string]$p.driveLetter) } } }
    , $used
}

function Stop-AccessPath {
    param([string]$Message, [string]$Path)
    Stop-HvEmulatorCommand -Message $Message -Category InvalidArgument -ErrorId 'MI RESULT 4' -TargetObject $Path
}

$script:Handlers['Add-PartitionAccessPath'] = {
    param($Ctx)
    $assign = [bool](Get-Bound $Ctx 'AssignDriveLetter')
    $path = [string](Get-Bound $Ctx 'AccessPath' '')
    if (-not $assign -and $path.Length -eq 0) { Stop-AccessPath 'The access path is not valid.' $path }
    foreach ($pair in @(Select-AccessPathPartitions $Ctx)) {
        $p = $pair.Partition
        $used = Get-UsedDriveLetters $Ctx
        if ($assign) {
            if ($p.driveLetter) { Stop-AccessPath 'The requested access path is already in use.' "$($p.driveLetter):\" }
            $free = $null
            foreach ($c in [char[]]'DEFGHIJKLMNOPQRSTUVWXYZ') { if (-not $used.Contains([string]$c)) { $free = [string]$c; break } }
            if (-not $free) { Stop-HvEmulatorCommand -Message 'No drive letter is available.' -Category ResourceUnavailable -ErrorId 'MI RESULT 4' }
            $p['driveLetter'] = $free
        }
        if ($path.Length -gt 0) {
            if ($path -match '^([A-Za-z]):\\?$') {
                $letter = $Matches[1].ToUpperInvariant()
                if ($used.Contains($letter) -or $p.driveLetter) { Stop-AccessPath 'The requested access path is already in use.' $path }
                $p['driveLetter'] = $letter
            }
            else {
                # A folder: it must exist on the host and be empty.
                $win = Resolve-WindowsPath $path 'access path'
                $local = Resolve-LocalPath $Ctx $win
                if (-not [System.IO.Directory]::Exists($local) -or @([System.IO.Directory]::EnumerateFileSystemEntries($local)).Count -gt 0) { Stop-AccessPath 'The access path is not valid.' $path }
                $root = $win.TrimEnd('\') + '\'
                foreach ($v in @(Get-AllVolumes $Ctx)) { if (@(Get-VolumeRoots $v) -contains $root) { Stop-AccessPath 'The requested access path is already in use.' $path } }
                $p['accessPaths'] = @(@(Get-PropertyValue $p 'accessPaths') | Where-Object { $_ }) + $root
            }
        }
        if (Get-Bound $Ctx 'PassThru') { ConvertTo-PartitionObject $pair.Disk $p }
    }
}

$script:Handlers['Remove-PartitionAccessPath'] = {
    param($Ctx)
    $path = [string](Get-Bound $Ctx 'AccessPath' '')
    foreach ($pair in @(Select-AccessPathPartitions $Ctx)) {
        $p = $pair.Partition
        if ($path -match '^([A-Za-z]):\\?$') {
            if (([string]$p.driveLetter).ToUpperInvariant() -ne $Matches[1].ToUpperInvariant()) { Stop-AccessPath 'The access path is not valid.' $path }
            $p['driveLetter'] = ''
        }
        else {
            $root = $path.Replace('/', '\').TrimEnd('\') + '\'
            $kept = @(@(Get-PropertyValue $p 'accessPaths') | Where-Object { $_ -and -not (Test-SamePath ([string]$_) $root) })
            if ($path.Length -eq 0 -or $kept.Count -eq @(@(Get-PropertyValue $p 'accessPaths') | Where-Object { $_ }).Count) { Stop-AccessPath 'The access path is not valid.' $path }
            if ($kept.Count -gt 0) { $p['accessPaths'] = $kept } else { $p.Remove('accessPaths') }
        }
        if (Get-Bound $Ctx 'PassThru') { ConvertTo-PartitionObject $pair.Disk $p }
    }
}
