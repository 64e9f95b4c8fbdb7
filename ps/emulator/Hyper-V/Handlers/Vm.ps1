# New-VM, Get-VM, Set-VM, Start-VM, Stop-VM, Remove-VM, Checkpoint-VM, Set-VMProcessor, Set-VMMemory.

$script:Gen1BootDevices = @('CD', 'IDE', 'LegacyNetworkAdapter', 'Floppy')

function Test-FileNameValid {
    param([string]$Name)
    -not ($Name.IndexOfAny([char[]]('\', '/', ':', '*', '?', '"', '<', '>', '|')) -ge 0 -or $Name -match '[\x00-\x1f]' -or $Name.Trim() -eq '')
}

function New-AdapterRecord {
    param([string]$Name, [bool]$IsLegacy, $SwitchName, [string]$StaticMac)
    [ordered]@{
        id                       = [guid]::NewGuid().ToString()
        name                     = $Name
        isLegacy                 = $IsLegacy
        switchName               = $SwitchName
        macAddress               = $(if ($StaticMac) { $StaticMac } else { '000000000000' })
        dynamicMacAddressEnabled = -not $StaticMac
        vmqWeight                = 100
        macAddressSpoofing       = 'Off'
        deviceNaming             = 'Off'
        vlan                     = [ordered]@{ mode = 'Untagged'; accessVlanId = 0; nativeVlanId = 0; allowedVlanIdList = ''; privateVlanMode = ''; primaryVlanId = 0; secondaryVlanId = 0; secondaryVlanIdList = '' }
        settings                 = [ordered]@{}
    }
}

# Hyper-V keeps a VM's configuration in <its folder>\Virtual Machines: <Id>.vmcx and <Id>.vmrs
# from configuration version 6.2 (2016) on, <Id>.xml before. New-VM writes them; Remove-VM deletes
# them and leaves the folders (as it leaves the virtual hard disks).
function New-VMConfigurationFiles {
    param($Ctx, [string]$VmFolder, [string]$Id, [string]$Version)
    $configDir = $VmFolder.TrimEnd('\') + '\Virtual Machines'
    $extensions = if ([version]$Version -ge [version]'6.2') { @('vmcx', 'vmrs') } else { @('xml') }
    $localDir = Resolve-LocalPath $Ctx $configDir
    [void][System.IO.Directory]::CreateDirectory($localDir)
    $files = [System.Collections.Generic.List[string]]::new()
    foreach ($ext in $extensions) {
        $name = '{0}.{1}' -f $Id.ToUpperInvariant(), $ext
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($localDir, $name), "HVEMU-VMCONFIG/1 $Id`n")
        $files.Add("$configDir\$name")
    }
    $files.ToArray()
}

# Automatic checkpoints (a checkpoint at every Start-VM): Set-VM -AutomaticCheckpointsEnabled is
# documented from the 2016 docset on, and the VM object reports it there. Windows 10 and 11 turn
# them on for a new VM; Windows Server leaves them off.
function Get-NewVMAutomaticCheckpoints {
    param($State, $HostProfile)
    if ($HostProfile.Build -lt 14393) { return $null }
    return ([string]$HostProfile.Caption -notlike '*Server*')
}

function Assert-MemoryBytes {
    param([long]$Bytes, [string]$What, [int]$Generation)
    if ($Bytes -lt 32MB -or $Bytes % 2MB -ne 0) {
        Stop-HvEmulatorCommand -Message "$What must be at least 32 MB and a multiple of 2 MB ($Bytes bytes given)." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    $max = if ($Generation -eq 2) { 12TB } else { 1TB }
    if ($Bytes -gt $max) {
        Stop-HvEmulatorCommand -Message "$What of $(Format-Bytes $Bytes) exceeds the maximum of $(Format-Bytes $max) for a Generation $Generation virtual machine." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
}

$script:Handlers['New-VM'] = {
    param($Ctx)
    $state = $Ctx.State
    $hostProfile = Get-HostProfileOfState $state
    $name = [string](Get-Bound $Ctx 'Name' 'New Virtual Machine')
    $generation = [int](Get-Bound $Ctx 'Generation' 1)
    if ($generation -notin 1, 2) {
        Stop-HvEmulatorCommand -Message "The virtual machine generation '$generation' is not valid: use 1 or 2." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    if ($generation -eq 2 -and $hostProfile.Build -lt 9600) {
        Stop-HvEmulatorCommand -Message "Generation 2 virtual machines need Windows Server 2012 R2 or later; this host runs $($state.host.os)." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    if ($name.Length -gt 100 -or $name.Trim() -eq '') {
        Stop-HvEmulatorCommand -Message "The virtual machine name '$name' is not valid: it must be 1 to 100 characters." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    if (Find-VMByName $state $name) {
        Stop-HvEmulatorCommand -Message "Failed to create a new virtual machine. A virtual machine named '$name' already exists on host '$($state.host.computerName)' (one VM name per host)." -Category ResourceExists -ErrorId 'DuplicateVMName' -TargetObject $name
    }
    # Without -Path the VM lives in the host's default folder; with -Path P, in P\<name> (its
    # configuration in P\<name>\Virtual Machines), which is the VM's Path.
    $path = [string]$state.host.virtualMachinePath
    if (Test-Bound $Ctx 'Path') {
        $parent = Resolve-WindowsPath ([string]$Ctx.Parameters['Path']) 'virtual machine path'
        if (-not (Test-FileNameValid $name)) {
            Stop-HvEmulatorCommand -Message "Failed to create the virtual machine folder '$parent\$name': the name contains characters that are not valid in a file name." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        $path = $parent.TrimEnd('\') + '\' + $name
    }
    $version = [string]$state.host.defaultConfigurationVersion
    if (Test-Bound $Ctx 'Version') {
        $version = ([version]$Ctx.Parameters['Version']).ToString()
        if (@($state.host.configurationVersions) -notcontains $version) {
            Stop-HvEmulatorCommand -Message "The virtual machine configuration version '$version' is not supported on this host. Supported: $(@($state.host.configurationVersions) -join ', ')." -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
    }
    $memory = [long](Get-Bound $Ctx 'MemoryStartupBytes' $(if ($hostProfile.Build -ge 14393) { 1GB } else { 512MB }))
    Assert-MemoryBytes -Bytes $memory -What 'The startup memory' -Generation $generation
    $switchName = $null
    if (Test-Bound $Ctx 'SwitchName') { $switchName = [string](Find-Switch $Ctx ([string]$Ctx.Parameters['SwitchName'])).name }

    $bootDevice = [string](Get-Bound $Ctx 'BootDevice' '')
    if ($generation -eq 2 -and $bootDevice -in 'Floppy', 'LegacyNetworkAdapter', 'IDE') {
        Stop-HvEmulatorCommand -Message "The boot device '$bootDevice' is not supported by Generation 2 virtual machines." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    $legacyDefault = $generation -eq 1 -and $bootDevice -in 'NetworkAdapter', 'LegacyNetworkAdapter'

    $vm = [ordered]@{
        name                         = $name
        id                           = [guid]::NewGuid().ToString()
        generation                   = $generation
        version                      = $version
        path                         = $path
        state                        = 'Off'
        processorCount               = 1
        memory                       = [ordered]@{ startupBytes = $memory; dynamicMemoryEnabled = $false; minimumBytes = 512MB; maximumBytes = 1TB; buffer = 20; priority = 50 }
        notes                        = ''
        automaticStartAction         = 'StartIfRunning'
        automaticStopAction          = 'Save'
        automaticStartDelay          = 0
        automaticCriticalErrorAction = 'Pause'
        checkpointType               = $(if ($hostProfile.Build -ge 14393) { 'Production' } else { 'Standard' })
        exposeVirtualizationExtensions = $false
        scsiControllers              = @([ordered]@{ number = 0; id = [guid]::NewGuid().ToString() })
        hardDrives                   = @()
        dvdDrives                    = @()
        networkAdapters              = @()
        integrationServices          = @(Get-HvEmulatorIntegrationServiceCatalog | ForEach-Object { [ordered]@{ guid = $_.Guid; enabled = $_.EnabledByDefault } })
        checkpoints                  = @()
        settings                     = [ordered]@{}
    }
    $automaticCheckpoints = Get-NewVMAutomaticCheckpoints -State $state -HostProfile $hostProfile
    if ($null -ne $automaticCheckpoints) { $vm['automaticCheckpointsEnabled'] = $automaticCheckpoints }
    if ($generation -eq 1) {
        $order = [System.Collections.Generic.List[string]]::new()
        $first = switch ($bootDevice) { 'VHD' { 'IDE' } 'NetworkAdapter' { 'LegacyNetworkAdapter' } default { $bootDevice } }
        if ($first) { $order.Add($first) }
        foreach ($d in $script:Gen1BootDevices) { if (-not $order.Contains($d)) { $order.Add($d) } }
        $vm['bios'] = [ordered]@{ startupOrder = $order.ToArray(); numLockEnabled = $false }
        $vm['floppy'] = [ordered]@{ path = $null }
        # Hyper-V's Gen1 default: a DVD drive at IDE 1:0.
        $vm['dvdDrives'] = @([ordered]@{ controllerType = 'IDE'; controllerNumber = 1; controllerLocation = 0; path = $null })
    }
    else {
        $vm['firmware'] = [ordered]@{ secureBoot = 'On'; secureBootTemplate = 'MicrosoftWindows'; bootOrder = @(); preferredNetworkBootProtocol = 'IPv4'; consoleMode = 'Default'; pauseAfterBootFailure = 'Off' }
    }
    $adapterName = if ($legacyDefault) { 'Legacy Network Adapter' } else { 'Network Adapter' }
    $vm['networkAdapters'] = @(New-AdapterRecord -Name $adapterName -IsLegacy $legacyDefault -SwitchName $switchName)

    $bootSlot = if ($generation -eq 1) { @{ type = 'IDE'; number = 0; location = 0 } } else { @{ type = 'SCSI'; number = 0; location = 0 } }
    if (Test-Bound $Ctx 'NewVHDPath') {
        $vhdPath = New-VhdFromParameters -Ctx $Ctx -Path ([string]$Ctx.Parameters['NewVHDPath']) -SizeBytes ([uint64]$Ctx.Parameters['NewVHDSizeBytes']) -Type 'Dynamic'
        $vm['hardDrives'] = @([ordered]@{ controllerType = $bootSlot.type; controllerNumber = $bootSlot.number; controllerLocation = $bootSlot.location; path = $vhdPath; diskNumber = $null; settings = [ordered]@{} })
    }
    elseif (Test-Bound $Ctx 'VHDPath') {
        $vhdPath = Resolve-WindowsPath ([string]$Ctx.Parameters['VHDPath']) 'virtual hard disk path'
        $local = Resolve-LocalPath $Ctx $vhdPath
        if (-not [System.IO.File]::Exists($local)) {
            Stop-HvEmulatorCommand -Message "Failed to add device 'Virtual Hard Disk'. The system cannot find the file '$vhdPath'." -Category ObjectNotFound -ErrorId 'ObjectNotFound' -TargetObject $vhdPath
        }
        $user = Find-VhdUser $state $vhdPath ''
        if ($user) {
            Stop-HvEmulatorCommand -Message "Failed to add device 'Virtual Hard Disk'. The file '$vhdPath' is in use by $user." -Category ResourceBusy -ErrorId 'InUse' -TargetObject $vhdPath
        }
        $vm['hardDrives'] = @([ordered]@{ controllerType = $bootSlot.type; controllerNumber = $bootSlot.number; controllerLocation = $bootSlot.location; path = $vhdPath; diskNumber = $null; settings = [ordered]@{} })
    }
    $vm['configurationFiles'] = @(New-VMConfigurationFiles -Ctx $Ctx -VmFolder $path -Id $vm.id -Version $version)
    Add-ToList $state 'vms' $vm
    ConvertTo-VMObject -State $state -Vm $vm
}

$script:Handlers['Get-VM'] = {
    param($Ctx)
    $state = $Ctx.State
    $vms = @($state.vms | Where-Object { $null -ne $_ })
    switch ($Ctx.ParameterSet) {
        'Id' {
            if (Test-Bound $Ctx 'Id') {
                $id = ([guid]$Ctx.Parameters['Id']).ToString()
                $vm = Find-VMById $state $id
                if (-not $vm) {
                    Stop-HvEmulatorCommand -Message "Hyper-V was unable to find a virtual machine with ID `"$id`"." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $id
                }
                $vms = @($vm)
            }
        }
        'ClusterObject' {
            $object = $Ctx.Parameters['ClusterObject']
            $name = [string](Get-PropertyValue $object 'Name')
            # The role's VM: its group names it by id.
            $ids = @(@(if ($Ctx.Cluster) { $Ctx.Cluster.groups } else { @() }) | Where-Object { $null -ne $_ -and [string]$_.name -eq $name -and $_.vmId } | ForEach-Object { [string]$_.vmId })
            $vms = @($vms | Where-Object { $ids -contains [string]$_.id })
        }
        default {
            if (Test-Bound $Ctx 'Name') {
                $selected = [System.Collections.Generic.List[object]]::new()
                foreach ($pattern in @($Ctx.Parameters['Name'])) {
                    $wildcard = [System.Management.Automation.WildcardPattern]::new([string]$pattern, [System.Management.Automation.WildcardOptions]::IgnoreCase)
                    $matched = @($vms | Where-Object { $wildcard.IsMatch([string]$_.name) })
                    # Non-terminating, as the real Get-VM: the other names are still looked up, and
                    # `Get-VM -Name x -ErrorAction SilentlyContinue` is how scripts test whether x exists.
                    if ($matched.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters([string]$pattern)) {
                        Write-HvEmulatorError -Message "Hyper-V was unable to find a virtual machine with name `"$pattern`"." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $pattern
                        continue
                    }
                    foreach ($m in $matched) { if (-not $selected.Contains($m)) { $selected.Add($m) } }
                }
                $vms = $selected.ToArray()
            }
        }
    }
    foreach ($vm in $vms) { ConvertTo-VMObject -State $state -Vm $vm }
}

$script:Handlers['Remove-VM'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($vm in (Resolve-TargetVM $Ctx 'Name' 'VM')) {
        $object = ConvertTo-VMObject -State $state -Vm $vm
        # The configuration files go; the folders and the virtual hard disk files stay, as on Hyper-V.
        foreach ($f in @($vm.configurationFiles)) {
            if ([string]::IsNullOrEmpty([string]$f)) { continue }
            $local = Resolve-LocalPath $Ctx ([string]$f)
            if ([System.IO.File]::Exists($local)) { [System.IO.File]::Delete($local) }
        }
        Remove-FromList $state 'vms' { param($x) $x.id -eq $vm.id }
        if ($Ctx.Cluster) { Remove-FromList $Ctx.Cluster 'groups' { param($g) $g.vmId -eq $vm.id } }
        if (Get-Bound $Ctx 'Passthru') { $object }
    }
}

function Set-ClusterRoleState {
    # A clustered VM's role is Online while the VM runs, Offline otherwise (Get-ClusterGroup State).
    param($Ctx, $Vm)
    if (-not $Ctx.Cluster) { return }
    foreach ($g in @($Ctx.Cluster.groups)) { if ($null -ne $g -and [string]$g.vmId -eq [string]$Vm.id) { $g.state = $(if ($Vm.state -eq 'Running') { 'Online' } else { 'Offline' }) } }
}

$script:Handlers['Start-VM'] = {
    param($Ctx)
    $state = $Ctx.State
    $vms = @(Resolve-TargetVM $Ctx 'Name' 'VM')
    # Every VM is checked before any starts: a guest that boots writes to its boot disk, which
    # a later VM's failure must not leave behind.
    $free = Get-HvEmulatorFreeMemoryBytes -State $state
    foreach ($vm in $vms) {
        if ($vm.state -eq 'Running') { continue }
        # Hyper-V's worker process cannot give a guest more memory than the host has free.
        $free -= [long]$vm.memory.startupBytes
        if ($free -lt 0) {
            Stop-HvEmulatorCommand -Message "'$($vm.name)' failed to start. Not enough memory in the system to start the virtual machine $($vm.name) with ram size $([long]$vm.memory.startupBytes / 1MB) megabytes." -Category ResourceUnavailable -ErrorId 'StartFailed' -TargetObject $vm.name
        }
        if ($vm.exposeVirtualizationExtensions -and $vm.memory.dynamicMemoryEnabled) {
            Stop-HvEmulatorCommand -Message "'$($vm.name)' failed to start. Dynamic memory cannot be enabled on a virtual machine that exposes virtualization extensions (nested virtualization)." -Category InvalidOperation -ErrorId 'StartFailed' -TargetObject $vm.name
        }
        foreach ($d in @($vm.hardDrives)) {
            if ($null -eq $d) { continue }
            if ($null -ne $d.diskNumber) {
                $disk = @($state.disks) | Where-Object { $null -ne $_ -and [int]$_.number -eq [int]$d.diskNumber } | Select-Object -First 1
                if (-not $disk -or -not $disk.isOffline) {
                    Stop-HvEmulatorCommand -Message "'$($vm.name)' failed to start. The pass-through disk $($d.diskNumber) is not offline on the host." -Category InvalidOperation -ErrorId 'StartFailed' -TargetObject $vm.name
                }
            }
            elseif (-not [System.IO.File]::Exists((Resolve-LocalPath $Ctx ([string]$d.path)))) {
                Stop-HvEmulatorCommand -Message "'$($vm.name)' failed to start. The system cannot find the file '$($d.path)'." -Category ObjectNotFound -ErrorId 'StartFailed' -TargetObject $vm.name
            }
            elseif (Find-VhdUser $state ([string]$d.path) ([string]$vm.id)) {
                Stop-HvEmulatorCommand -Message "'$($vm.name)' failed to start. The file '$($d.path)' is in use by $(Find-VhdUser $state ([string]$d.path) ([string]$vm.id))." -Category ResourceBusy -ErrorId 'StartFailed' -TargetObject $vm.name
            }
        }
    }
    $hostProfile = Get-HostProfileOfState $state
    foreach ($vm in $vms) {
        if ($vm.state -ne 'Running') {
            foreach ($a in @($vm.networkAdapters)) {
                if ($null -ne $a -and $a.dynamicMacAddressEnabled -and $a.macAddress -eq '000000000000') {
                    $hash = [System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes("$($vm.id)/$($a.id)"))
                    $a.macAddress = '00155D{0:X2}{1:X2}{2:X2}' -f $hash[0], $hash[1], $hash[2]
                }
            }
            # Automatic checkpoints: one at every start from Off (the guest then runs on a
            # differencing .avhdx, which is what destroy and offline injection must never meet).
            if ($vm.state -eq 'Off' -and $vm.Contains('automaticCheckpointsEnabled') -and $vm.automaticCheckpointsEnabled -and $vm.checkpointType -ne 'Disabled') {
                Add-ToList $vm 'checkpoints' ([ordered]@{ name = "Automatic Checkpoint - $($vm.name) - ($([datetime]::UtcNow.ToString('yyyy-MM-dd - HH:mm:ss', [cultureinfo]::InvariantCulture)))"; id = [guid]::NewGuid().ToString(); automatic = $true })
            }
            # A saved VM resumes the guest it had; from Off the firmware boots (docs/emulator-guests.md).
            $powerOff = $false
            if ($vm.state -eq 'Off' -or -not $vm.Contains('guest')) {
                $booted = Invoke-GuestBoot -State $state -StatePath $Ctx.StatePath -Vm $vm -Now ([datetime]::UtcNow) -HostProfile $hostProfile
                $vm['guest'] = $booted.Guest
                $powerOff = $booted.PowerOff
            }
            $vm.state = $(if ($powerOff) { 'Off' } else { 'Running' })
            Set-ClusterRoleState -Ctx $Ctx -Vm $vm
        }
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-VMObject -State $state -Vm $vm }
    }
}

$script:Handlers['Stop-VM'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($vm in (Resolve-TargetVM $Ctx 'Name' 'VM')) {
        if ($vm.state -eq 'Running') { $vm.state = $(if (Get-Bound $Ctx 'Save') { 'Saved' } else { 'Off' }) }
        elseif ($vm.state -eq 'Saved' -and (Get-Bound $Ctx 'TurnOff')) { $vm.state = 'Off' }
        Set-ClusterRoleState -Ctx $Ctx -Vm $vm
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-VMObject -State $state -Vm $vm }
    }
}

function Set-VMMemoryValues {
    # Shared by Set-VM and Set-VMMemory: validates and applies startup/min/max/dynamic.
    param($Vm, $Startup, $Minimum, $Maximum, $Dynamic)
    $m = $Vm.memory
    $gen = [int]$Vm.generation
    if ([string]$Vm.state -ne 'Off' -and ($null -ne $Dynamic -or $null -ne $Startup)) {
        Assert-VMOff -Vm $Vm -What 'Changing startup or dynamic memory'
    }
    $newStartup = if ($null -ne $Startup) { [long]$Startup } else { [long]$m.startupBytes }
    $newMin = if ($null -ne $Minimum) { [long]$Minimum } else { [long]$m.minimumBytes }
    $newMax = if ($null -ne $Maximum) { [long]$Maximum } else { [long]$m.maximumBytes }
    $newDynamic = if ($null -ne $Dynamic) { [bool]$Dynamic } else { [bool]$m.dynamicMemoryEnabled }
    Assert-MemoryBytes -Bytes $newStartup -What 'The startup memory' -Generation $gen
    if ($null -ne $Minimum) { Assert-MemoryBytes -Bytes $newMin -What 'The minimum memory' -Generation $gen }
    if ($null -ne $Maximum) { Assert-MemoryBytes -Bytes $newMax -What 'The maximum memory' -Generation $gen }
    if ($newDynamic -and ($newMin -gt $newStartup -or $newStartup -gt $newMax)) {
        Stop-HvEmulatorCommand -Message "Dynamic memory of '$($Vm.name)' is not valid: the minimum ($(Format-Bytes $newMin)) must not exceed the startup memory ($(Format-Bytes $newStartup)), which must not exceed the maximum ($(Format-Bytes $newMax))." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    if ($newDynamic -and $Vm.exposeVirtualizationExtensions) {
        Stop-HvEmulatorCommand -Message "Dynamic memory cannot be enabled on '$($Vm.name)': it exposes virtualization extensions (nested virtualization)." -Category InvalidOperation -ErrorId 'InvalidOperation'
    }
    $m.startupBytes = $newStartup
    $m.minimumBytes = $newMin
    $m.maximumBytes = $newMax
    $m.dynamicMemoryEnabled = $newDynamic
}

function Set-VMProcessorCount {
    param($State, $Vm, [long]$Count)
    $max = if ([int]$Vm.generation -eq 2) { 240 } else { 64 }
    if ($Count -lt 1 -or $Count -gt $max -or $Count -gt [long]$State.host.logicalProcessorCount) {
        Stop-HvEmulatorCommand -Message "The processor count $Count of '$($Vm.name)' is not valid: it must be between 1 and $([Math]::Min($max, [long]$State.host.logicalProcessorCount)) on this host (Generation $($Vm.generation))." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    Assert-VMOff -Vm $Vm -What 'Changing the processor count'
    $Vm.processorCount = $Count
}

$script:Handlers['Set-VM'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($vm in (Resolve-TargetVM $Ctx 'Name' 'VM')) {
        if (Test-Bound $Ctx 'NewVMName') {
            $newName = [string]$Ctx.Parameters['NewVMName']
            $other = Find-VMByName $state $newName
            if ($other -and $other.id -ne $vm.id) {
                Stop-HvEmulatorCommand -Message "A virtual machine named '$newName' already exists on host '$($state.host.computerName)' (one VM name per host)." -Category ResourceExists -ErrorId 'DuplicateVMName' -TargetObject $newName
            }
            $vm.name = $newName
        }
        if (Test-Bound $Ctx 'ProcessorCount') { Set-VMProcessorCount -State $state -Vm $vm -Count ([long]$Ctx.Parameters['ProcessorCount']) }
        $dynamic = $null
        if (Get-Bound $Ctx 'DynamicMemory') { $dynamic = $true }
        if (Get-Bound $Ctx 'StaticMemory') { $dynamic = $false }
        if ($null -ne $dynamic -or (Test-Bound $Ctx 'MemoryStartupBytes') -or (Test-Bound $Ctx 'MemoryMinimumBytes') -or (Test-Bound $Ctx 'MemoryMaximumBytes')) {
            Set-VMMemoryValues -Vm $vm -Startup (Get-Bound $Ctx 'MemoryStartupBytes') -Minimum (Get-Bound $Ctx 'MemoryMinimumBytes') -Maximum (Get-Bound $Ctx 'MemoryMaximumBytes') -Dynamic $dynamic
        }
        if (Test-Bound $Ctx 'Notes') { $vm.notes = [string]$Ctx.Parameters['Notes'] }
        if (Test-Bound $Ctx 'AutomaticStartAction') { $vm.automaticStartAction = [string]$Ctx.Parameters['AutomaticStartAction'] }
        if (Test-Bound $Ctx 'AutomaticStopAction') { $vm.automaticStopAction = [string]$Ctx.Parameters['AutomaticStopAction'] }
        if (Test-Bound $Ctx 'AutomaticStartDelay') { $vm.automaticStartDelay = [int]$Ctx.Parameters['AutomaticStartDelay'] }
        if (Test-Bound $Ctx 'AutomaticCriticalErrorAction') { $vm.automaticCriticalErrorAction = [string]$Ctx.Parameters['AutomaticCriticalErrorAction'] }
        if (Test-Bound $Ctx 'CheckpointType') { $vm.checkpointType = [string]$Ctx.Parameters['CheckpointType'] }
        if (Test-Bound $Ctx 'AutomaticCheckpointsEnabled') { $vm['automaticCheckpointsEnabled'] = [bool]$Ctx.Parameters['AutomaticCheckpointsEnabled'] }
        Save-OtherSettings -Ctx $Ctx -Target $vm -Handled @('NewVMName', 'ProcessorCount', 'DynamicMemory', 'StaticMemory', 'MemoryStartupBytes', 'MemoryMinimumBytes', 'MemoryMaximumBytes', 'Notes', 'AutomaticStartAction', 'AutomaticStopAction', 'AutomaticStartDelay', 'AutomaticCriticalErrorAction', 'CheckpointType', 'AutomaticCheckpointsEnabled')
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-VMObject -State $state -Vm $vm }
    }
}

function Resolve-VMFromResourceObject {
    param($Ctx, [string]$Parameter)
    $list = [System.Collections.Generic.List[object]]::new()
    foreach ($o in @(Get-Bound $Ctx $Parameter @())) {
        $vm = Find-VMById $Ctx.State (Get-ObjectVMId $o)
        if (-not $vm) { Stop-HvEmulatorCommand -Message "Hyper-V was unable to find the virtual machine of the object passed to -$Parameter." -Category InvalidArgument -ErrorId 'InvalidParameter' }
        $list.Add($vm)
    }
    $list.ToArray()
}

$script:Handlers['Set-VMProcessor'] = {
    param($Ctx)
    $state = $Ctx.State
    $vms = @(Resolve-TargetVM $Ctx 'VMName' 'VM') + @(Resolve-VMFromResourceObject $Ctx 'VMProcessor')
    foreach ($vm in $vms) {
        if (Test-Bound $Ctx 'Count') { Set-VMProcessorCount -State $state -Vm $vm -Count ([long]$Ctx.Parameters['Count']) }
        if (Test-Bound $Ctx 'ExposeVirtualizationExtensions') {
            $expose = [bool]$Ctx.Parameters['ExposeVirtualizationExtensions']
            Assert-VMOff -Vm $vm -What 'Changing ExposeVirtualizationExtensions'
            if ($expose -and -not (Get-HostProfileOfState $state).NestedVirtualization) {
                Stop-HvEmulatorCommand -Message "Nested virtualization is not supported on this host ($($state.host.os)); it needs Windows Server 2016 or Windows 10 or later." -Category InvalidOperation -ErrorId 'NotSupported'
            }
            $vm.exposeVirtualizationExtensions = $expose
        }
        Save-OtherSettings -Ctx $Ctx -Target $vm -Handled @('Count', 'ExposeVirtualizationExtensions')
        if (Get-Bound $Ctx 'Passthru') {
            ConvertTo-RealShape ([ordered]@{ PSTypeName = 'Microsoft.HyperV.PowerShell.VMProcessor'; VMName = $vm.name; VMId = [guid]$vm.id; Count = [long]$vm.processorCount; ExposeVirtualizationExtensions = [bool]$vm.exposeVirtualizationExtensions })
        }
    }
}

$script:Handlers['Set-VMMemory'] = {
    param($Ctx)
    $vms = @(Resolve-TargetVM $Ctx 'VMName' 'VM') + @(Resolve-VMFromResourceObject $Ctx 'VMMemory')
    foreach ($vm in $vms) {
        $dynamic = if (Test-Bound $Ctx 'DynamicMemoryEnabled') { [bool]$Ctx.Parameters['DynamicMemoryEnabled'] } else { $null }
        Set-VMMemoryValues -Vm $vm -Startup (Get-Bound $Ctx 'StartupBytes') -Minimum (Get-Bound $Ctx 'MinimumBytes') -Maximum (Get-Bound $Ctx 'MaximumBytes') -Dynamic $dynamic
        if (Test-Bound $Ctx 'Buffer') { $vm.memory.buffer = [int]$Ctx.Parameters['Buffer'] }
        if (Test-Bound $Ctx 'Priority') { $vm.memory.priority = [int]$Ctx.Parameters['Priority'] }
        Save-OtherSettings -Ctx $Ctx -Target $vm.memory -Handled @('DynamicMemoryEnabled', 'StartupBytes', 'MinimumBytes', 'MaximumBytes', 'Buffer', 'Priority')
        if (Get-Bound $Ctx 'Passthru') {
            ConvertTo-RealShape ([ordered]@{ PSTypeName = 'Microsoft.HyperV.PowerShell.VMMemory'; VMName = $vm.name; VMId = [guid]$vm.id; Startup = [long]$vm.memory.startupBytes; Minimum = [long]$vm.memory.minimumBytes; Maximum = [long]$vm.memory.maximumBytes; DynamicMemoryEnabled = [bool]$vm.memory.dynamicMemoryEnabled })
        }
    }
}

$script:Handlers['Checkpoint-VM'] = {
    param($Ctx)
    foreach ($vm in (Resolve-TargetVM $Ctx 'Name' 'VM')) {
        if ($vm.checkpointType -eq 'Disabled') {
            Stop-HvEmulatorCommand -Message "Checkpoint operation failed: checkpoints are disabled for '$($vm.name)'." -Category InvalidOperation -ErrorId 'InvalidOperation'
        }
        $name = [string](Get-Bound $Ctx 'SnapshotName' "$($vm.name) - checkpoint $(@($vm.checkpoints).Count + 1)")
        $checkpoint = [ordered]@{ name = $name; id = [guid]::NewGuid().ToString() }
        Add-ToList $vm 'checkpoints' $checkpoint
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-RealShape ([ordered]@{ PSTypeName = 'Microsoft.HyperV.PowerShell.VMSnapshot'; Name = $name; Id = [guid]$checkpoint.id; VMName = $vm.name; VMId = [guid]$vm.id }) }
    }
}
