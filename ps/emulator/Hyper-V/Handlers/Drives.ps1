# Controllers and drives: Add/Get/Remove-VMHardDiskDrive, Add/Set/Get/Remove-VMDvdDrive,
# Add/Get-VMScsiController, Get-VMIdeController. Generation 1: 2 IDE controllers x 2 locations
# (hard disks and DVD drives share them), up to 4 SCSI controllers x 64 locations.

function Test-SlotUsed {
    param($Vm, [string]$Type, [int]$Number, [int]$Location)
    foreach ($d in @($Vm.hardDrives) + @($Vm.dvdDrives)) {
        if ($null -ne $d -and $d.controllerType -eq $Type -and [int]$d.controllerNumber -eq $Number -and [int]$d.controllerLocation -eq $Location) { return $true }
    }
    $false
}

function Resolve-Slot {
    # The slot a new device goes to, or the real cmdlet's failure. $Number/$Location may be $null.
    param($Vm, [string]$Type, $Number, $Location, [string]$Device)
    $fail = "Failed to add device '$Device'."
    if ($Type -eq 'IDE') {
        if ([int]$Vm.generation -ne 1) {
            Stop-HvEmulatorCommand -Message "$fail Generation 2 virtual machines have no IDE controller ('$($Vm.name)'); use SCSI." -Category InvalidOperation -ErrorId 'InvalidOperation'
        }
        if ($Vm.state -ne 'Off') {
            Stop-HvEmulatorCommand -Message "$fail Devices cannot be added to an IDE controller while virtual machine '$($Vm.name)' is $($Vm.state)." -Category InvalidOperation -ErrorId 'InvalidState'
        }
        if ($null -ne $Number -and [int]$Number -notin 0, 1) {
            Stop-HvEmulatorCommand -Message "$fail No IDE controller with number $Number exists on virtual machine '$($Vm.name)': a Generation 1 virtual machine has IDE controllers 0 and 1." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        if ($null -ne $Location -and [int]$Location -notin 0, 1) {
            Stop-HvEmulatorCommand -Message "$fail The controller location $Location is out of range: an IDE controller has locations 0 and 1." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        $numbers = if ($null -ne $Number) { @([int]$Number) } else { @(0, 1) }
        $locations = if ($null -ne $Location) { @([int]$Location) } else { @(0, 1) }
        $capacity = 'an IDE controller holds two devices'
    }
    else {
        $existing = @(@($Vm.scsiControllers) | Where-Object { $null -ne $_ } | ForEach-Object { [int]$_.number })
        if ($null -ne $Number -and $existing -notcontains [int]$Number) {
            Stop-HvEmulatorCommand -Message "$fail No SCSI controller with number $Number exists on virtual machine '$($Vm.name)' (it has $($existing.Count)); add one with Add-VMScsiController." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        if ($null -ne $Location -and ([int]$Location -lt 0 -or [int]$Location -gt 63)) {
            Stop-HvEmulatorCommand -Message "$fail The controller location $Location is out of range: a SCSI controller has locations 0 to 63." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        $numbers = if ($null -ne $Number) { @([int]$Number) } else { $existing }
        $locations = if ($null -ne $Location) { @([int]$Location) } else { 0..63 }
        $capacity = 'a SCSI controller holds 64 disks'
    }
    foreach ($n in $numbers) {
        foreach ($l in $locations) {
            if (-not (Test-SlotUsed $Vm $Type $n $l)) { return @{ type = $Type; number = $n; location = $l } }
        }
    }
    if ($null -ne $Number -and $null -ne $Location) {
        Stop-HvEmulatorCommand -Message "$fail The controller location $Type $($Number):$($Location) of virtual machine '$($Vm.name)' is already in use." -Category ResourceExists -ErrorId 'SlotInUse' -TargetObject "$Type $($Number):$($Location)"
    }
    $where = if ($null -ne $Number) { "$Type controller $Number" } else { "the $Type controllers" }
    Stop-HvEmulatorCommand -Message "$fail $where of virtual machine '$($Vm.name)' has no free location ($capacity)." -Category ResourceUnavailable -ErrorId 'NoFreeLocation'
}

function Get-DriveController {
    # Type and number of a controller object (VMDriveController set).
    param($Object)
    $type = [string](Get-PropertyValue $Object 'ControllerType')
    if (-not $type) { $type = if ([string](Get-PropertyValue $Object 'Name') -like 'IDE*') { 'IDE' } else { 'SCSI' } }
    @{ type = $type.ToUpperInvariant(); number = [int](Get-PropertyValue $Object 'ControllerNumber'); vmId = Get-ObjectVMId $Object }
}

function Resolve-DriveTargets {
    # (vm, controllerType, controllerNumber) triples for Add-* from VMName/VM or VMDriveController.
    param($Ctx)
    $result = [System.Collections.Generic.List[object]]::new()
    if (Test-Bound $Ctx 'VMDriveController') {
        foreach ($c in @($Ctx.Parameters['VMDriveController'])) {
            $info = Get-DriveController $c
            $vm = Find-VMById $Ctx.State $info.vmId
            if (-not $vm) { Stop-HvEmulatorCommand -Message "Hyper-V was unable to find the virtual machine of the controller passed to -VMDriveController." -Category InvalidArgument -ErrorId 'InvalidParameter' }
            $result.Add(@{ vm = $vm; type = $info.type; number = $info.number })
        }
    }
    else {
        foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) { $result.Add(@{ vm = $vm; type = $null; number = (Get-Bound $Ctx 'ControllerNumber') }) }
    }
    $result.ToArray()
}

function Assert-MediaFile {
    param($Ctx, [string]$Path, [string]$Device)
    $win = Resolve-WindowsPath $Path 'path'
    if (-not [System.IO.File]::Exists((Resolve-LocalPath $Ctx $win))) {
        Stop-HvEmulatorCommand -Message "Failed to add device '$Device'. The system cannot find the file '$win'. (0x80070002)" -Category ObjectNotFound -ErrorId 'ObjectNotFound' -TargetObject $win
    }
    $win
}

$script:Handlers['Add-VMHardDiskDrive'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($target in (Resolve-DriveTargets $Ctx)) {
        $vm = $target.vm
        $path = $null
        $diskNumber = $null
        if ((Test-Bound $Ctx 'Path') -and (Test-Bound $Ctx 'DiskNumber')) {
            Stop-HvEmulatorCommand -Message 'Specify either -Path or -DiskNumber, not both.' -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        if (Test-Bound $Ctx 'DiskNumber') {
            $diskNumber = [int]$Ctx.Parameters['DiskNumber']
            $disk = @($state.disks) | Where-Object { $null -ne $_ -and [int]$_.number -eq $diskNumber } | Select-Object -First 1
            if (-not $disk) {
                Stop-HvEmulatorCommand -Message "Failed to add device 'Physical Disk Drive'. No physical disk with number $diskNumber exists on the host." -Category ObjectNotFound -ErrorId 'ObjectNotFound'
            }
            if (-not $disk.isOffline) {
                Stop-HvEmulatorCommand -Message "Failed to add device 'Physical Disk Drive'. Physical disk $diskNumber is online on the host; a pass-through disk must be offline (Set-Disk -Number $diskNumber -IsOffline `$true)." -Category InvalidOperation -ErrorId 'DiskOnline'
            }
            foreach ($other in @($state.vms)) {
                if ($null -eq $other) { continue }
                if (@($other.hardDrives) | Where-Object { $null -ne $_ -and $null -ne $_.diskNumber -and [int]$_.diskNumber -eq $diskNumber }) {
                    Stop-HvEmulatorCommand -Message "Failed to add device 'Physical Disk Drive'. Physical disk $diskNumber is already attached to virtual machine '$($other.name)'." -Category ResourceBusy -ErrorId 'InUse'
                }
            }
        }
        elseif (Test-Bound $Ctx 'Path') {
            $path = Assert-MediaFile $Ctx ([string]$Ctx.Parameters['Path']) 'Virtual Hard Disk'
            if (-not (Get-VhdFormatOfPath $path)) {
                Stop-HvEmulatorCommand -Message "Failed to add device 'Virtual Hard Disk'. '$path' is not a virtual hard disk file (.vhd, .vhdx, .avhd, .avhdx)." -Category InvalidArgument -ErrorId 'InvalidParameter'
            }
            $user = Find-VhdUser $state $path ''
            if ($user) {
                Stop-HvEmulatorCommand -Message "Failed to add device 'Virtual Hard Disk'. The process cannot access the file '$path' because it is being used by $user." -Category ResourceBusy -ErrorId 'InUse' -TargetObject $path
            }
        }
        $type = $target.type
        if (-not $type -and (Test-Bound $Ctx 'ControllerType')) { $type = ([string]$Ctx.Parameters['ControllerType']).ToUpperInvariant() }
        $location = Get-Bound $Ctx 'ControllerLocation'
        $slot = $null
        if ($type) { $slot = Resolve-Slot $vm $type $target.number $location 'Virtual Hard Disk' }
        elseif ([int]$vm.generation -eq 2 -or $vm.state -ne 'Off') { $slot = Resolve-Slot $vm 'SCSI' $target.number $location 'Virtual Hard Disk' }
        else {
            # No -ControllerType: IDE first, then SCSI when the IDE slot is taken (per the doc).
            try { $slot = Resolve-Slot $vm 'IDE' $target.number $location 'Virtual Hard Disk' }
            catch { $slot = Resolve-Slot $vm 'SCSI' $target.number $location 'Virtual Hard Disk' }
        }
        $drive = [ordered]@{ controllerType = $slot.type; controllerNumber = $slot.number; controllerLocation = $slot.location; path = $path; diskNumber = $diskNumber; settings = [ordered]@{} }
        Save-OtherSettings -Ctx $Ctx -Target $drive -Handled @('VMDriveController', 'ControllerType', 'ControllerNumber', 'ControllerLocation', 'Path', 'DiskNumber')
        Add-ToList $vm 'hardDrives' $drive
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-DriveObject -State $state -Vm $vm -Drive $drive -Kind 'Hdd' }
    }
}

function Select-Drives {
    param($Ctx, $Vm, [string]$Key, [string]$Type, $Number, $Location)
    @(@($Vm[$Key]) | Where-Object {
            $null -ne $_ -and
            (-not $Type -or $_.controllerType -eq $Type) -and
            ($null -eq $Number -or [int]$_.controllerNumber -eq [int]$Number) -and
            ($null -eq $Location -or [int]$_.controllerLocation -eq [int]$Location)
        })
}

function Get-DrivesForGet {
    param($Ctx, [string]$Key, [string]$Kind)
    $state = $Ctx.State
    if (Test-Bound $Ctx 'VMSnapshot') { return }
    if (Test-Bound $Ctx 'VMDriveController') {
        foreach ($c in @($Ctx.Parameters['VMDriveController'])) {
            $info = Get-DriveController $c
            $vm = Find-VMById $state $info.vmId
            if (-not $vm) { continue }
            foreach ($d in (Select-Drives $Ctx $vm $Key $info.type $info.number (Get-Bound $Ctx 'ControllerLocation'))) { ConvertTo-DriveObject -State $state -Vm $vm -Drive $d -Kind $Kind }
        }
        return
    }
    $type = if (Test-Bound $Ctx 'ControllerType') { ([string]$Ctx.Parameters['ControllerType']).ToUpperInvariant() } else { $null }
    foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        foreach ($d in (Select-Drives $Ctx $vm $Key $type (Get-Bound $Ctx 'ControllerNumber') (Get-Bound $Ctx 'ControllerLocation'))) { ConvertTo-DriveObject -State $state -Vm $vm -Drive $d -Kind $Kind }
    }
}

$script:Handlers['Get-VMHardDiskDrive'] = { param($Ctx) Get-DrivesForGet $Ctx 'hardDrives' 'Hdd' }
$script:Handlers['Get-VMDvdDrive'] = { param($Ctx) Get-DrivesForGet $Ctx 'dvdDrives' 'Dvd' }

function Remove-Drives {
    # Remove-VMHardDiskDrive / Remove-VMDvdDrive by VMName + slot or by drive objects.
    param($Ctx, [string]$Key, [string]$Kind, [string]$ObjectParameter, [string]$Device)
    $state = $Ctx.State
    $targets = [System.Collections.Generic.List[object]]::new()
    if (Test-Bound $Ctx $ObjectParameter) {
        foreach ($o in @($Ctx.Parameters[$ObjectParameter])) {
            $vm = Find-VMById $state (Get-ObjectVMId $o)
            if (-not $vm) { Stop-HvEmulatorCommand -Message "Hyper-V was unable to find the virtual machine of the drive passed to -$ObjectParameter." -Category InvalidArgument -ErrorId 'InvalidParameter' }
            $targets.Add(@{ vm = $vm; type = ([string](Get-PropertyValue $o 'ControllerType')).ToUpperInvariant(); number = [int](Get-PropertyValue $o 'ControllerNumber'); location = [int](Get-PropertyValue $o 'ControllerLocation') })
        }
    }
    else {
        foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
            $type = if (Test-Bound $Ctx 'ControllerType') { ([string]$Ctx.Parameters['ControllerType']).ToUpperInvariant() } else { 'IDE' }
            if ($Kind -eq 'Dvd' -and [int]$vm.generation -eq 2) { $type = 'SCSI' }
            $targets.Add(@{ vm = $vm; type = $type; number = [int]$Ctx.Parameters['ControllerNumber']; location = [int]$Ctx.Parameters['ControllerLocation'] })
        }
    }
    foreach ($t in $targets) {
        $vm = $t.vm
        $found = @(Select-Drives $Ctx $vm $Key $t.type $t.number $t.location)
        if ($found.Count -eq 0) {
            Stop-HvEmulatorCommand -Message "Failed to remove device '$Device'. Virtual machine '$($vm.name)' has no $Device at $($t.type) $($t.number):$($t.location)." -Category ObjectNotFound -ErrorId 'ObjectNotFound'
        }
        if ($t.type -eq 'IDE' -and $vm.state -ne 'Off') {
            Stop-HvEmulatorCommand -Message "Failed to remove device '$Device'. Devices cannot be removed from an IDE controller while virtual machine '$($vm.name)' is $($vm.state)." -Category InvalidOperation -ErrorId 'InvalidState'
        }
        $object = ConvertTo-DriveObject -State $state -Vm $vm -Drive $found[0] -Kind $Kind
        Remove-FromList $vm $Key { param($d) $d.controllerType -eq $t.type -and [int]$d.controllerNumber -eq $t.number -and [int]$d.controllerLocation -eq $t.location }
        if (Get-Bound $Ctx 'Passthru') { $object }
    }
}

$script:Handlers['Remove-VMHardDiskDrive'] = { param($Ctx) Remove-Drives $Ctx 'hardDrives' 'Hdd' 'VMHardDiskDrive' 'Virtual Hard Disk' }
$script:Handlers['Remove-VMDvdDrive'] = { param($Ctx) Remove-Drives $Ctx 'dvdDrives' 'Dvd' 'VMDvdDrive' 'DVD Drive' }

$script:Handlers['Add-VMDvdDrive'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($target in (Resolve-DriveTargets $Ctx)) {
        $vm = $target.vm
        $path = $null
        if ((Test-Bound $Ctx 'Path') -and -not [string]::IsNullOrEmpty([string]$Ctx.Parameters['Path'])) {
            $path = Assert-MediaFile $Ctx ([string]$Ctx.Parameters['Path']) 'Virtual CD/DVD Disk'
        }
        $type = if ($target.type) { $target.type } elseif ([int]$vm.generation -eq 2) { 'SCSI' } else { 'IDE' }
        $slot = Resolve-Slot $vm $type $target.number (Get-Bound $Ctx 'ControllerLocation') 'DVD Drive'
        $drive = [ordered]@{ controllerType = $slot.type; controllerNumber = $slot.number; controllerLocation = $slot.location; path = $path }
        Add-ToList $vm 'dvdDrives' $drive
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-DriveObject -State $state -Vm $vm -Drive $drive -Kind 'Dvd' }
    }
}

$script:Handlers['Set-VMDvdDrive'] = {
    param($Ctx)
    $state = $Ctx.State
    $targets = [System.Collections.Generic.List[object]]::new()
    if (Test-Bound $Ctx 'VMDvdDrive') {
        foreach ($o in @($Ctx.Parameters['VMDvdDrive'])) {
            $vm = Find-VMById $state (Get-ObjectVMId $o)
            if (-not $vm) { Stop-HvEmulatorCommand -Message 'Hyper-V was unable to find the virtual machine of the drive passed to -VMDvdDrive.' -Category InvalidArgument -ErrorId 'InvalidParameter' }
            foreach ($d in (Select-Drives $Ctx $vm 'dvdDrives' ([string](Get-PropertyValue $o 'ControllerType')).ToUpperInvariant() (Get-PropertyValue $o 'ControllerNumber') (Get-PropertyValue $o 'ControllerLocation'))) { $targets.Add(@{ vm = $vm; drive = $d }) }
        }
    }
    else {
        $vm = @(Resolve-TargetVM $Ctx 'VMName' 'VM')[0]
        $found = @(Select-Drives $Ctx $vm 'dvdDrives' $null (Get-Bound $Ctx 'ControllerNumber') (Get-Bound $Ctx 'ControllerLocation'))
        if ($found.Count -eq 0) {
            Stop-HvEmulatorCommand -Message "Virtual machine '$($vm.name)' has no DVD drive at the given controller location." -Category ObjectNotFound -ErrorId 'ObjectNotFound'
        }
        foreach ($d in $found) { $targets.Add(@{ vm = $vm; drive = $d }) }
    }
    foreach ($t in $targets) {
        if (Test-Bound $Ctx 'Path') {
            $value = [string]$Ctx.Parameters['Path']
            $t.drive.path = if ([string]::IsNullOrEmpty($value)) { $null } else { Assert-MediaFile $Ctx $value 'Virtual CD/DVD Disk' }
        }
        if ((Test-Bound $Ctx 'ToControllerNumber') -or (Test-Bound $Ctx 'ToControllerLocation')) {
            $toNumber = Get-Bound $Ctx 'ToControllerNumber' $t.drive.controllerNumber
            $toLocation = Get-Bound $Ctx 'ToControllerLocation' $t.drive.controllerLocation
            if ([int]$toNumber -ne [int]$t.drive.controllerNumber -or [int]$toLocation -ne [int]$t.drive.controllerLocation) {
                $slot = Resolve-Slot $t.vm ([string]$t.drive.controllerType) $toNumber $toLocation 'DVD Drive'
                $t.drive.controllerNumber = $slot.number
                $t.drive.controllerLocation = $slot.location
            }
        }
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-DriveObject -State $state -Vm $t.vm -Drive $t.drive -Kind 'Dvd' }
    }
}

$script:Handlers['Add-VMScsiController'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        $numbers = @(@($vm.scsiControllers) | Where-Object { $null -ne $_ } | ForEach-Object { [int]$_.number })
        if ($numbers.Count -ge 4) {
            Stop-HvEmulatorCommand -Message "Failed to add device 'SCSI Controller'. Virtual machine '$($vm.name)' already has 4 SCSI controllers, the maximum." -Category ResourceUnavailable -ErrorId 'ControllerLimit'
        }
        Assert-VMOff -Vm $vm -What "Adding a SCSI controller to '$($vm.name)'"
        $n = 0
        while ($numbers -contains $n) { $n++ }
        $controller = [ordered]@{ number = $n; id = [guid]::NewGuid().ToString() }
        Add-ToList $vm 'scsiControllers' $controller
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-ControllerObject -State $state -Vm $vm -Type 'SCSI' -Number $n -Id $controller.id }
    }
}

$script:Handlers['Get-VMScsiController'] = {
    param($Ctx)
    if (Test-Bound $Ctx 'VMSnapshot') { return }
    foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        foreach ($c in @($vm.scsiControllers)) {
            if ($null -eq $c) { continue }
            if ((Test-Bound $Ctx 'ControllerNumber') -and [int]$c.number -ne [int]$Ctx.Parameters['ControllerNumber']) { continue }
            ConvertTo-ControllerObject -State $Ctx.State -Vm $vm -Type 'SCSI' -Number ([int]$c.number) -Id ([string]$c.id)
        }
    }
}

$script:Handlers['Get-VMIdeController'] = {
    param($Ctx)
    if (Test-Bound $Ctx 'VMSnapshot') { return }
    foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        if ([int]$vm.generation -ne 1) { continue }
        foreach ($n in 0, 1) {
            if ((Test-Bound $Ctx 'ControllerNumber') -and $n -ne [int]$Ctx.Parameters['ControllerNumber']) { continue }
            ConvertTo-ControllerObject -State $Ctx.State -Vm $vm -Type 'IDE' -Number $n -Id ''
        }
    }
}
