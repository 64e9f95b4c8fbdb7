# Get-Disk, Set-Disk, Get-Partition, Get-Volume: the host's physical disks (pass-through
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

function ConvertTo-PartitionObject {
    param($Disk, $Partition)
    $letter = [string]$Partition.driveLetter
    Add-CimTypeName -Namespace 'ROOT/Microsoft/Windows/Storage' -Class 'MSFT_Partition' -Properties ([ordered]@{
            DiskNumber        = [uint32]$Disk.number
            PartitionNumber   = [uint32]$Partition.partitionNumber
            DriveLetter       = $(if ($letter) { [char]$letter } else { [char]0 })
            AccessPaths       = [string[]]@($(if ($letter) { "$($letter):\" }))
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
    if (Test-Bound $Ctx 'Volume') { $letters = @(([string](Get-PropertyValue $Ctx.Parameters['Volume'] 'DriveLetter')).ToUpperInvariant()) }
    $found = 0
    foreach ($disk in @($disks)) {
        if ($null -eq $disk) { continue }
        foreach ($p in @($disk.partitions)) {
            if ($null -eq $p) { continue }
            if ((Test-Bound $Ctx 'PartitionNumber') -and @($Ctx.Parameters['PartitionNumber'] | ForEach-Object { [int]$_ }) -notcontains [int]$p.partitionNumber) { continue }
            if ($null -ne $letters -and $letters -notcontains ([string]$p.driveLetter).ToUpperInvariant()) { continue }
            $found++
            ConvertTo-PartitionObject $disk $p
        }
    }
    if ($found -eq 0 -and $null -ne $letters) { Stop-CimNotFound 'MSFT_Partition' 'DriveLetter' ($letters -join ', ') }
    if ($found -eq 0 -and (Test-Bound $Ctx 'PartitionNumber')) { Stop-CimNotFound 'MSFT_Partition' 'PartitionNumber' (@($Ctx.Parameters['PartitionNumber']) -join ', ') }
}

function ConvertTo-VolumeObject {
    param($Volume)
    Add-CimTypeName -Namespace 'ROOT/Microsoft/Windows/Storage' -Class 'MSFT_Volume' -Properties ([ordered]@{
            DriveLetter       = [char][string]$Volume.driveLetter
            FileSystemLabel   = [string]$Volume.fileSystemLabel
            FileSystem        = [string]$Volume.fileSystem
            FileSystemType    = [string]$Volume.fileSystem
            DriveType         = 'Fixed'
            HealthStatus      = 'Healthy'
            OperationalStatus = 'OK'
            Size              = [uint64]$Volume.sizeBytes
            SizeRemaining     = [uint64]$Volume.freeBytes
            Path              = "\\?\Volume{$($Volume.driveLetter)}\"
            UniqueId          = "\\?\Volume{$($Volume.driveLetter)}\"
        })
}

function Get-AllVolumes {
    # Host volumes from "volumes", plus one per lettered partition of a mounted virtual hard disk.
    param($Ctx)
    foreach ($v in @($Ctx.State.volumes)) { if ($null -ne $v) { $v } }
    foreach ($disk in (Get-StateDisks $Ctx)) {
        if (-not $disk.vhdPath) { continue }
        foreach ($p in @($disk.partitions)) {
            if ($null -ne $p -and $p.driveLetter) {
                [ordered]@{ driveLetter = $p.driveLetter; fileSystemLabel = ''; fileSystem = 'NTFS'; sizeBytes = $p.sizeBytes; freeBytes = [long]([long]$p.sizeBytes / 2) }
            }
        }
    }
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
            $path = [string]$Ctx.Parameters['FilePath']
            $v = $volumes | Where-Object { $path -match '^[A-Za-z]:' -and ([string]$_.driveLetter).ToUpperInvariant() -eq $path.Substring(0, 1).ToUpperInvariant() } | Select-Object -First 1
            if (-not $v) { Stop-CimNotFound 'MSFT_Volume' 'FilePath' $path }
            ConvertTo-VolumeObject $v
        }
        'ByLabel' { foreach ($v in $volumes) { if (@($Ctx.Parameters['FileSystemLabel']) -contains [string]$v.fileSystemLabel) { ConvertTo-VolumeObject $v } } }
        'ByPartition' {
            $letter = [string](Get-PropertyValue $Ctx.Parameters['Partition'] 'DriveLetter')
            foreach ($v in $volumes) { if ($letter -and [string]$v.driveLetter -eq $letter) { ConvertTo-VolumeObject $v } }
        }
        default { }
    }
}
