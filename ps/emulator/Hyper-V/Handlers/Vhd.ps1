# New-VHD, Get-VHD, Mount-VHD, Dismount-VHD.

$script:VhdLimits = @{ VHD = 2040GB; VHDX = 64TB }

function New-VhdFile {
    # Validates like New-VHD and writes the file; returns the normalised Windows path.
    param($Ctx, [string]$Path, [string]$Type, $SizeBytes, [string]$ParentPath, $BlockSizeBytes, $LogicalSectorSizeBytes, $PhysicalSectorSizeBytes)
    $win = Resolve-WindowsPath $Path 'virtual hard disk path'
    $format = Get-VhdFormatOfPath $win
    if (-not $format -or $win -match '\.avhdx?$') {
        Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The file name extension of '$win' is not valid: use .vhd or .vhdx." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $win
    }
    $local = Resolve-LocalPath $Ctx $win
    if ([System.IO.File]::Exists($local) -or [System.IO.Directory]::Exists($local)) {
        Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The system failed to create '$win': The file exists. (0x80070050)" -Category ResourceExists -ErrorId 'FileExists' -TargetObject $win
    }
    if (-not [System.IO.Directory]::Exists([System.IO.Path]::GetDirectoryName($local))) {
        Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The system failed to create '$win': The system cannot find the path specified. (0x80070003)" -Category ObjectNotFound -ErrorId 'PathNotFound' -TargetObject $win
    }
    $parentWin = $null
    if ($Type -eq 'Differencing') {
        $parentWin = Resolve-WindowsPath $ParentPath 'parent path'
        $parentLocal = Resolve-LocalPath $Ctx $parentWin
        if (-not [System.IO.File]::Exists($parentLocal)) {
            Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The parent virtual hard disk '$parentWin' was not found: The system cannot find the file specified. (0x80070002)" -Category ObjectNotFound -ErrorId 'ParentNotFound' -TargetObject $parentWin
        }
        $parent = Read-VhdFile -LocalPath $parentLocal -WindowsPath $parentWin
        if ($parent.format -ne $format) {
            Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. A differencing disk must have the format of its parent: '$win' is $format, the parent '$parentWin' is $($parent.format)." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        $parentSize = [uint64]$parent.sizeBytes
        if ($null -eq $SizeBytes -or [uint64]$SizeBytes -eq 0) { $SizeBytes = $parentSize }
        elseif ($format -eq 'VHD' -and [uint64]$SizeBytes -ne $parentSize) {
            Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The size of a VHD differencing disk must equal its parent's ($parentSize bytes)." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        elseif ([uint64]$SizeBytes -lt $parentSize) {
            Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The size $SizeBytes bytes is smaller than the parent's ($parentSize bytes)." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
    }
    $size = [uint64]$SizeBytes
    if ($size -lt 3MB) {
        Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The size $size bytes is smaller than the minimum size of a virtual hard disk (3 MB)." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $win
    }
    if ($size -gt [uint64]$script:VhdLimits[$format]) {
        Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The size $size bytes is larger than the maximum size of a $format format disk ($(Format-Bytes $script:VhdLimits[$format]))." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $win
    }
    $block = if ($Type -eq 'Fixed') { 0 } elseif ($format -eq 'VHDX') { 32MB } else { 2MB }
    if ($null -ne $BlockSizeBytes -and [uint32]$BlockSizeBytes -ne 0) {
        $b = [uint32]$BlockSizeBytes
        $valid = if ($format -eq 'VHDX') { $b -ge 1MB -and $b -le 256MB -and ($b -band ($b - 1)) -eq 0 } else { $b -in 512KB, 2MB }
        if (-not $valid) {
            $rule = if ($format -eq 'VHDX') { 'a power of 2 between 1 MB and 256 MB' } else { '512 KB or 2 MB' }
            Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The block size $b bytes is not valid for a $format disk: it must be $rule." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        if ($Type -ne 'Fixed') { $block = $b }
    }
    $logical = 512
    if ($null -ne $LogicalSectorSizeBytes) { $logical = [uint32]$LogicalSectorSizeBytes }
    $physical = if ($format -eq 'VHDX') { 4096 } else { 512 }
    if ($null -ne $PhysicalSectorSizeBytes) { $physical = [uint32]$PhysicalSectorSizeBytes }
    foreach ($pair in @(@('logical', $logical), @('physical', $physical))) {
        if ($pair[1] -notin 512, 4096) {
            Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. The $($pair[0]) sector size $($pair[1]) is not valid: use 512 or 4096." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
    }
    if ($format -eq 'VHD' -and ($logical -ne 512 -or $physical -ne 512)) {
        Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. A VHD format disk supports only 512-byte sectors through New-VHD; use VHDX for 4096." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    if ($Type -eq 'Fixed') {
        $volume = Find-HostVolumeOfPath -State $Ctx.State -WindowsPath $win
        if ($volume -and $size -gt [uint64]$volume.freeBytes) {
            Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. There is not enough space on the disk. (0x80070070)" -Category ResourceUnavailable -ErrorId 'DiskFull' -TargetObject $win
        }
    }
    # A new disk is blank (no partitions); a differencing disk shows its parent's.
    $partitions = 0
    Write-VhdFile -LocalPath $local -Meta ([ordered]@{
            format = $format; type = $Type; sizeBytes = $size; blockSizeBytes = $block
            logicalSectorSize = $logical; physicalSectorSize = $physical; parentPath = $parentWin
            diskIdentifier = [guid]::NewGuid().ToString().ToUpperInvariant(); partitions = $partitions
        })
    $win
}

function New-VhdFromParameters {
    param($Ctx, [string]$Path, [uint64]$SizeBytes, [string]$Type)
    New-VhdFile -Ctx $Ctx -Path $Path -Type $Type -SizeBytes $SizeBytes
}

$script:Handlers['New-VHD'] = {
    param($Ctx)
    $set = $Ctx.ParameterSet
    $type = switch -Wildcard ($set) { 'Differencing' { 'Differencing' } 'Fixed*' { 'Fixed' } default { 'Dynamic' } }
    $size = Get-Bound $Ctx 'SizeBytes'
    if ($set -like '*WithSource') {
        $number = [int]$Ctx.Parameters['SourceDisk']
        $disk = @($Ctx.State.disks) | Where-Object { $null -ne $_ -and [int]$_.number -eq $number } | Select-Object -First 1
        if (-not $disk) {
            Stop-HvEmulatorCommand -Message "Failed to create the virtual hard disk. No physical disk with number $number exists." -Category ObjectNotFound -ErrorId 'ObjectNotFound'
        }
        $size = [uint64]$disk.sizeBytes
    }
    foreach ($path in @($Ctx.Parameters['Path'])) {
        $win = New-VhdFile -Ctx $Ctx -Path ([string]$path) -Type $type -SizeBytes $size -ParentPath ([string](Get-Bound $Ctx 'ParentPath' '')) `
            -BlockSizeBytes (Get-Bound $Ctx 'BlockSizeBytes') -LogicalSectorSizeBytes (Get-Bound $Ctx 'LogicalSectorSizeBytes') -PhysicalSectorSizeBytes (Get-Bound $Ctx 'PhysicalSectorSizeBytes')
        $local = Resolve-LocalPath $Ctx $win
        ConvertTo-VhdObject -State $Ctx.State -WindowsPath $win -Meta (Read-VhdFile -LocalPath $local -WindowsPath $win)
    }
}

function Get-ExistingVhd {
    param($Ctx, [string]$Path)
    $win = Resolve-WindowsPath $Path 'virtual hard disk path'
    $local = Resolve-LocalPath $Ctx $win
    if (-not [System.IO.File]::Exists($local)) {
        Stop-HvEmulatorCommand -Message "Getting the mounted storage instance for the path '$win' failed. The system cannot find the file specified. (0x80070002)" -Category ObjectNotFound -ErrorId 'ObjectNotFound' -TargetObject $win
    }
    [pscustomobject]@{ Path = $win; Local = $local; Meta = (Read-VhdFile -LocalPath $local -WindowsPath $win) }
}

$script:Handlers['Get-VHD'] = {
    param($Ctx)
    $state = $Ctx.State
    switch ($Ctx.ParameterSet) {
        'Disk' {
            $number = [int]$Ctx.Parameters['DiskNumber']
            $disk = @($state.disks) | Where-Object { $null -ne $_ -and [int]$_.number -eq $number -and $_.vhdPath } | Select-Object -First 1
            if (-not $disk) {
                Stop-HvEmulatorCommand -Message "Disk $number is not a mounted virtual hard disk." -Category ObjectNotFound -ErrorId 'ObjectNotFound'
            }
            $v = Get-ExistingVhd $Ctx ([string]$disk.vhdPath)
            ConvertTo-VhdObject -State $state -WindowsPath $v.Path -Meta $v.Meta
        }
        'VMId' {
            foreach ($id in @($Ctx.Parameters['VMId'])) {
                $vm = Find-VMById $state ([string]$id)
                if (-not $vm) { Stop-HvEmulatorCommand -Message "Hyper-V was unable to find a virtual machine with ID `"$id`"." -Category InvalidArgument -ErrorId 'InvalidParameter' }
                foreach ($d in @($vm.hardDrives)) {
                    if ($null -eq $d -or -not $d.path) { continue }
                    $v = Get-ExistingVhd $Ctx ([string]$d.path)
                    ConvertTo-VhdObject -State $state -WindowsPath $v.Path -Meta $v.Meta
                }
            }
        }
        default {
            foreach ($p in @($Ctx.Parameters['Path'])) {
                $v = Get-ExistingVhd $Ctx ([string]$p)
                ConvertTo-VhdObject -State $state -WindowsPath $v.Path -Meta $v.Meta
            }
        }
    }
}

function Get-FreeDriveLetter {
    param($State, [string[]]$Taken = @())
    $used = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($t in $Taken) { if ($t) { [void]$used.Add($t) } }
    foreach ($k in @($State.drives.Keys)) { [void]$used.Add([string]$k) }
    foreach ($disk in @($State.disks)) {
        foreach ($p in @($disk.partitions)) { if ($null -ne $p -and $p.driveLetter) { [void]$used.Add([string]$p.driveLetter) } }
    }
    foreach ($c in [char[]]'DEFGHIJKLMNOPQRSTUVWXYZ') { if (-not $used.Contains([string]$c)) { return [string]$c } }
    ''
}

$script:Handlers['Mount-VHD'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($p in @($Ctx.Parameters['Path'])) {
        $v = Get-ExistingVhd $Ctx ([string]$p)
        foreach ($vm in @($state.vms)) {
            if ($null -eq $vm -or $vm.state -eq 'Off') { continue }
            if (@($vm.hardDrives) | Where-Object { $null -ne $_ -and (Test-SamePath $_.path $v.Path) }) {
                Stop-HvEmulatorCommand -Message "Mounting '$($v.Path)' failed. The process cannot access the file because it is being used by another process (virtual machine '$($vm.name)' is $($vm.state))." -Category ResourceBusy -ErrorId 'InUse' -TargetObject $v.Path
            }
        }
        if (@($state.disks) | Where-Object { $null -ne $_ -and (Test-SamePath $_.vhdPath $v.Path) }) {
            Stop-HvEmulatorCommand -Message "Mounting '$($v.Path)' failed. The virtual hard disk is already mounted." -Category ResourceExists -ErrorId 'AlreadyMounted' -TargetObject $v.Path
        }
        $numbers = @($state.disks | Where-Object { $null -ne $_ } | ForEach-Object { [int]$_.number })
        $number = 0
        while ($numbers -contains $number) { $number++ }
        $count = Get-VhdPartitionCount -Ctx $Ctx -Meta $v.Meta
        $partitions = @()
        for ($i = 1; $i -le $count; $i++) {
            $taken = @($partitions | ForEach-Object { [string]$_.driveLetter })
            $letter = if (Test-MountGetsDriveLetter -Ctx $Ctx -Meta $v.Meta -PartitionNumber $i) { Get-FreeDriveLetter $state $taken } else { '' }
            $partitions += [ordered]@{ partitionNumber = $i; driveLetter = $letter; sizeBytes = [long]([uint64]$v.Meta.sizeBytes / [Math]::Max(1, $count)); type = 'Basic' }
            if (Test-NoDefaultDriveLetter -Meta $v.Meta -PartitionNumber $i) { $partitions[-1]['noDefaultDriveLetter'] = $true }
        }
        $disk = [ordered]@{
            number = $number; friendlyName = 'Msft Virtual Disk'; serialNumber = ''; sizeBytes = [long]$v.Meta.sizeBytes
            partitionStyle = $(if ($count -gt 0) { 'GPT' } else { 'RAW' }); isOffline = $false; isReadOnly = [bool](Get-Bound $Ctx 'ReadOnly')
            isBoot = $false; isSystem = $false; busType = 'File Backed Virtual'; vhdPath = $v.Path; partitions = $partitions
        }
        Add-ToList $state 'disks' $disk
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-VhdObject -State $state -WindowsPath $v.Path -Meta $v.Meta }
    }
}

$script:Handlers['Dismount-VHD'] = {
    param($Ctx)
    $state = $Ctx.State
    $targets = if ($Ctx.ParameterSet -eq 'Disk') {
        $number = [int]$Ctx.Parameters['DiskNumber']
        $disk = @($state.disks) | Where-Object { $null -ne $_ -and [int]$_.number -eq $number -and $_.vhdPath } | Select-Object -First 1
        if (-not $disk) { Stop-HvEmulatorCommand -Message "Disk $number is not a mounted virtual hard disk." -Category ObjectNotFound -ErrorId 'ObjectNotFound' }
        @([string]$disk.vhdPath)
    }
    else { @($Ctx.Parameters['Path'] | ForEach-Object { Resolve-WindowsPath ([string]$_) 'virtual hard disk path' }) }
    foreach ($win in $targets) {
        $disk = @($state.disks) | Where-Object { $null -ne $_ -and (Test-SamePath $_.vhdPath $win) } | Select-Object -First 1
        if (-not $disk) {
            Stop-HvEmulatorCommand -Message "Dismounting '$win' failed. The virtual hard disk is not mounted on the host." -Category ObjectNotFound -ErrorId 'NotMounted' -TargetObject $win
        }
        Remove-FromList $state 'disks' { param($d) Test-SamePath $d.vhdPath $win }
        if (Get-Bound $Ctx 'Passthru') {
            $v = Get-ExistingVhd $Ctx $win
            ConvertTo-VhdObject -State $state -WindowsPath $v.Path -Meta $v.Meta
        }
    }
}
