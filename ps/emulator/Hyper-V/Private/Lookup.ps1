# Finding the VMs, switches and devices a cmdlet call addresses.

function Find-VMByName {
    param($State, [string]$Name)
    foreach ($vm in @($State.vms)) {
        if ($null -ne $vm -and [string]::Equals([string]$vm.name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { return $vm }
    }
    $null
}

function Find-VMById {
    param($State, [string]$Id)
    foreach ($vm in @($State.vms)) {
        if ($null -ne $vm -and [string]::Equals([string]$vm.id, $Id, [System.StringComparison]::OrdinalIgnoreCase)) { return $vm }
    }
    $null
}

function Get-ObjectVMId {
    # The VM a pipeline object (VM, drive, adapter, controller, integration service) belongs to.
    param($Object)
    foreach ($p in 'VMId', 'Id') {
        $v = Get-PropertyValue $Object $p
        if ($null -ne $v -and "$v" -match '^[0-9a-fA-F-]{36}$') { return "$v" }
    }
    $null
}

function Resolve-TargetVM {
    # The VMs named by -VMName (or -Name when NameParameter says so) or passed as objects in -VM/other.
    param($Ctx, [string]$NameParameter = 'VMName', [string]$ObjectParameter = 'VM')
    $result = [System.Collections.Generic.List[object]]::new()
    if (Test-Bound $Ctx $NameParameter) {
        foreach ($name in @($Ctx.Parameters[$NameParameter])) {
            $vm = Find-VMByName $Ctx.State ([string]$name)
            if (-not $vm) {
                Stop-HvEmulatorCommand -Message "Hyper-V was unable to find a virtual machine with name `"$name`"." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $name
            }
            $result.Add($vm)
        }
    }
    if (Test-Bound $Ctx $ObjectParameter) {
        foreach ($object in @($Ctx.Parameters[$ObjectParameter])) {
            $id = Get-ObjectVMId $object
            $vm = if ($id) { Find-VMById $Ctx.State $id } else { $null }
            if (-not $vm) {
                Stop-HvEmulatorCommand -Message "Hyper-V was unable to find the virtual machine of the object passed to -$ObjectParameter (VMId '$id'); it may have been removed." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $object
            }
            $result.Add($vm)
        }
    }
    $result.ToArray()
}

function Find-Switch {
    param($Ctx, [string]$Name)
    $found = @(@($Ctx.State.switches) | Where-Object { $null -ne $_ -and [string]::Equals([string]$_.name, $Name, [System.StringComparison]::OrdinalIgnoreCase) })
    if ($found.Count -eq 0) {
        Stop-HvEmulatorCommand -Message "Unable to find a virtual switch with name `"$Name`"." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $Name
    }
    if ($found.Count -gt 1) {
        Stop-HvEmulatorCommand -Message "More than one virtual switch is named `"$Name`"; the switch name must be unique." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $Name
    }
    $found[0]
}

function Assert-VMGeneration {
    param($Vm, [int]$Generation, [string]$What)
    if ([int]$Vm.generation -ne $Generation) {
        Stop-HvEmulatorCommand -Message "$What applies to Generation $Generation virtual machines only; '$($Vm.name)' is Generation $($Vm.generation)." -Category InvalidOperation -ErrorId 'InvalidOperation' -TargetObject $Vm.name
    }
}

function Assert-VMOff {
    param($Vm, [string]$What)
    if ([string]$Vm.state -ne 'Off') {
        Stop-HvEmulatorCommand -Message "$What failed: the operation cannot be performed while virtual machine '$($Vm.name)' is in the '$($Vm.state)' state; turn it off first." -Category InvalidOperation -ErrorId 'InvalidState' -TargetObject $Vm.name
    }
}

function Find-VhdUser {
    # Where a VHD is in use: a VM drive ("vm:<name>") or a host mount ("host:<disk>"), else $null.
    param($State, [string]$WindowsPath, [string]$ExceptVmId)
    foreach ($vm in @($State.vms)) {
        if ($null -eq $vm -or $vm.id -eq $ExceptVmId) { continue }
        foreach ($d in @($vm.hardDrives)) {
            if ($null -ne $d -and (Test-SamePath $d.path $WindowsPath)) { return "virtual machine '$($vm.name)'" }
        }
    }
    foreach ($disk in @($State.disks)) {
        if ($null -ne $disk -and (Test-SamePath $disk.vhdPath $WindowsPath)) { return "the host (mounted as disk $($disk.number))" }
    }
    $null
}
