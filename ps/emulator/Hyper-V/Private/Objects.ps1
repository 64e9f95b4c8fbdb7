# Output objects shaped like the real Hyper-V ones. Enum-typed properties of the real objects
# (State, ControllerType, VhdType...) are strings here, the enum member's name: use "$($x.State)"
# (ToString) on both, never ConvertTo-Json of the raw enum.
#
# Every object carries the properties of its real class, in the real order: the names come from
# the real module's declarations (ps/emulator/reference/hyperv-types/hyperv-types.json, see
# docs/object-shapes.md), and a property the emulator does not model is $null. A property the
# host's own module version lacks is left out (-Absent). test/powershell/output-shapes.test.ts
# holds every emulated object kind against the declarations.

$script:IdeControllerGuid = '83F8638B-8DCA-4152-9EDA-2CA8B33039B4'

$script:RealPropertyNames = $null
function Get-RealPropertyNames {
    param([string]$TypeName)
    if ($null -eq $script:RealPropertyNames) {
        $file = [System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'reference', 'hyperv-types', 'hyperv-types.json')
        $names = @{}
        # System.Text.Json, not ConvertFrom-Json: every emulated session reads this once, and the
        # emulator runs on PowerShell 7 only (the runtime, which must run on 5.1, never reads it).
        $doc = [System.Text.Json.JsonDocument]::Parse([System.IO.File]::ReadAllText($file))
        try {
            foreach ($c in $doc.RootElement.GetProperty('classes').EnumerateObject()) {
                $names[$c.Name] = [string[]]@(foreach ($p in $c.Value.GetProperty('properties').EnumerateArray()) { $p.GetProperty('name').GetString() })
            }
        }
        finally { $doc.Dispose() }
        $script:RealPropertyNames = $names
    }
    if (-not $script:RealPropertyNames.ContainsKey($TypeName)) { throw "the emulator has no real shape for $TypeName (ps/emulator/reference/hyperv-types/hyperv-types.json)" }
    $script:RealPropertyNames[$TypeName]
}

$script:RealShapeTemplates = @{}
function ConvertTo-RealShape {
    # An object of the real class $Values.PSTypeName: all its properties ($null unless given, none
    # of -Absent), the given values in place. Property names match case-insensitively, so the
    # real casing stays. A copy of one template object per class (far cheaper than building all
    # the properties again: Get-VM returns a dozen such objects).
    param([System.Collections.IDictionary]$Values, [string[]]$Absent = @())
    $typeName = [string]$Values['PSTypeName']
    if (-not $script:RealShapeTemplates.ContainsKey($typeName)) {
        $t = [ordered]@{ PSTypeName = $typeName }
        foreach ($n in (Get-RealPropertyNames $typeName)) { $t[$n] = $null }
        $script:RealShapeTemplates[$typeName] = [pscustomobject]$t
    }
    $o = $script:RealShapeTemplates[$typeName].PSObject.Copy()
    foreach ($n in $Absent) { $o.PSObject.Properties.Remove($n) }
    foreach ($k in $Values.Keys) {
        if ($k -eq 'PSTypeName') { continue }
        $p = $o.PSObject.Properties[$k]
        if ($null -ne $p) { $p.Value = $Values[$k] } else { $o | Add-Member -NotePropertyName $k -NotePropertyValue $Values[$k] }
    }
    $o
}

function Get-ComputerNameOfState { param($State) [string]$State.host.computerName }

function Test-ClusteredVm {
    # A VM is clustered while its cluster has a role for it (the cluster's shared state).
    param($Vm)
    $cluster = Get-HvEmulatorCluster
    if ($null -eq $cluster) { return $false }
    foreach ($g in @($cluster.groups)) { if ($null -ne $g -and [string]$g.vmId -eq [string]$Vm.id) { return $true } }
    $false
}

function ConvertTo-DriveObject {
    param($State, $Vm, $Drive, [string]$Kind)
    $type = [string]$Drive.controllerType
    $controllerId = if ($type -eq 'IDE') { $script:IdeControllerGuid } else {
        $c = @($Vm.scsiControllers) | Where-Object { $null -ne $_ -and [int]$_.number -eq [int]$Drive.controllerNumber } | Select-Object -First 1
        if ($c) { ([string]$c.id).ToUpperInvariant() } else { '00000000-0000-0000-0000-000000000000' }
    }
    $suffix = if ($Kind -eq 'Dvd') { 'L' } else { 'D' }
    $typeName = if ($type -eq 'IDE') { 'IDE' } else { 'SCSI' }
    $common = [ordered]@{
        PSTypeName         = $(if ($Kind -eq 'Dvd') { 'Microsoft.HyperV.PowerShell.DvdDrive' } else { 'Microsoft.HyperV.PowerShell.HardDiskDrive' })
        Name               = $(if ($Kind -eq 'Dvd') { "DVD Drive on $typeName controller number $($Drive.controllerNumber) at location $($Drive.controllerLocation)" } else { "Hard Drive on $typeName controller number $($Drive.controllerNumber) at location $($Drive.controllerLocation)" })
        Id                 = "Microsoft:$(([string]$Vm.id).ToUpperInvariant())\$controllerId\$($Drive.controllerNumber)\$($Drive.controllerLocation)\$suffix"
        VMName             = [string]$Vm.name
        VMId               = [guid][string]$Vm.id
        ComputerName       = Get-ComputerNameOfState $State
        ControllerType     = $type
        ControllerNumber   = [int]$Drive.controllerNumber
        ControllerLocation = [int]$Drive.controllerLocation
        Path               = $Drive.path
        PoolName           = 'Primordial'
        IsDeleted          = $false
    }
    if ($Kind -eq 'Dvd') {
        $common.DvdMediaType = $(if ($Drive.path) { 'ISO' } else { 'None' })
    }
    else {
        $common.DiskNumber = $(if ($null -ne $Drive.diskNumber) { [uint32]$Drive.diskNumber } else { $null })
        if ($null -ne $Drive.diskNumber) {
            $disk = @($State.disks) | Where-Object { $null -ne $_ -and [int]$_.number -eq [int]$Drive.diskNumber } | Select-Object -First 1
            $size = if ($disk) { '{0:N2} GB' -f ([long]$disk.sizeBytes / 1GB) } else { '' }
            $common.Path = "Disk $($Drive.diskNumber) $size Bus 0 Lun $($Drive.diskNumber) Target 0"
        }
        $common.SupportPersistentReservations = $false
    }
    Add-PSTypeName (ConvertTo-RealShape $common) @('Microsoft.HyperV.PowerShell.Drive', 'Microsoft.HyperV.PowerShell.VMDevice', 'Microsoft.HyperV.PowerShell.VMComponentObject')
}

function ConvertTo-VlanObject {
    param($Adapter)
    $v = $Adapter.vlan
    ConvertTo-RealShape ([ordered]@{
        PSTypeName              = 'Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting'
        OperationMode           = [string]$v.mode
        AccessVlanId            = [int]$v.accessVlanId
        NativeVlanId            = [int]$v.nativeVlanId
        AllowedVlanIdList       = $(if ($v.allowedVlanIdList) { [string]$v.allowedVlanIdList } else { $null })
        AllowedVlanIdListString = [string]$v.allowedVlanIdList
        # Not private: the real property is 0, which no member of VMNetworkAdapterPrivateVlanMode names.
        PrivateVlanMode         = $(if ($v.privateVlanMode) { [string]$v.privateVlanMode } else { '0' })
        PrimaryVlanId           = [int]$v.primaryVlanId
        SecondaryVlanId         = [int]$v.secondaryVlanId
        SecondaryVlanIdList     = [string]$v.secondaryVlanIdList
        ParentAdapter           = [string]$Adapter.name
    })
}

function ConvertTo-AdapterObject {
    param($State, $Vm, $Adapter)
    $switch = $null
    if ($Adapter.switchName) {
        $switch = @($State.switches) | Where-Object { $null -ne $_ -and $_.name -eq $Adapter.switchName } | Select-Object -First 1
    }
    $vmId = if ($Vm) { ([string]$Vm.id).ToUpperInvariant() } else { '' }
    $o = [ordered]@{
        PSTypeName               = $(if ($Vm) { 'Microsoft.HyperV.PowerShell.VMNetworkAdapter' } else { 'Microsoft.HyperV.PowerShell.VMInternalNetworkAdapter' })
        Name                     = [string]$Adapter.name
        Id                       = $(if ($Vm) { "Microsoft:$vmId\$(([string]$Adapter.id).ToUpperInvariant())" } else { "Microsoft:$(([string]$Adapter.id).ToUpperInvariant())" })
        VMName                   = $(if ($Vm) { [string]$Vm.name } else { '' })
        VMId                     = $(if ($Vm) { [guid][string]$Vm.id } else { $null })
        ComputerName             = Get-ComputerNameOfState $State
        IsManagementOs           = -not $Vm
        SwitchName               = $Adapter.switchName
        SwitchId                 = $(if ($switch) { [string]$switch.id } else { $null })
        MacAddress               = [string]$Adapter.macAddress
        VMQWeight                = [int]$Adapter.vmqWeight
        MacAddressSpoofing       = [string]$Adapter.macAddressSpoofing
        Status                   = $(if ($Vm -and $Vm.state -eq 'Running') { [string[]]@('Ok') } elseif ($Vm) { [string[]]@() } else { $null })
        StatusDescription        = $(if ($Vm -and $Vm.state -eq 'Running') { [string[]]@('OK') } elseif ($Vm) { [string[]]@() } else { $null })
    }
    if ($Vm) {
        # What only a VM's adapter has (VMNetworkAdapter; the host's VMInternalNetworkAdapter has none of these).
        $o.IsLegacy = [bool]$Adapter.isLegacy
        $o.Connected = [bool]$Adapter.switchName
        $o.DynamicMacAddressEnabled = [bool]$Adapter.dynamicMacAddressEnabled
        $o.DeviceNaming = [string]$Adapter.deviceNaming
        # What the guest reported through KVP (docs/emulator-guests.md); empty until it does.
        $o.IPAddresses = [string[]]@()
        $report = Get-GuestReport -State $State -Vm $Vm
        if ($report.Addresses.ContainsKey([string]$Adapter.id)) { $o.IPAddresses = [string[]]$report.Addresses[[string]$Adapter.id] }
    }
    if ($Adapter.Contains('vlan')) { $o.VlanSetting = ConvertTo-VlanObject -Adapter $Adapter }
    Add-PSTypeName (ConvertTo-RealShape $o) @('Microsoft.HyperV.PowerShell.VMNetworkAdapterBase', 'Microsoft.HyperV.PowerShell.VMDevice', 'Microsoft.HyperV.PowerShell.VMComponentObject')
}

function ConvertTo-IntegrationServiceObject {
    # Status comes from the guest (GuestReport.ps1): on a running VM 'OK' when the guest answers,
    # 'No Contact' when it does not; nothing when the VM is off (the component does not exist).
    param($State, $Vm, $Service, $Report)
    $catalog = @(Get-HvEmulatorIntegrationServiceCatalog -Locale ([string]$State.host.locale))
    $entry = $catalog | Where-Object { $_.Guid -eq $Service.guid } | Select-Object -First 1
    if (-not $Report) { $Report = Get-GuestReport -State $State -Vm $Vm }
    $status = if ($Report.Running) { $Report.Services[([string]$Service.guid).ToUpperInvariant()] } else { $null }
    $operational = [System.Collections.Generic.List[string]]::new()
    $descriptions = [System.Collections.Generic.List[string]]::new()
    if ($status) {
        $operational.Add($status.Status); $descriptions.Add($status.Description)
        if ($status.SecondaryStatus) { $operational.Add($status.SecondaryStatus); $descriptions.Add($status.SecondaryDescription) }
    }
    Add-PSTypeName -Names @('Microsoft.HyperV.PowerShell.VMDevice', 'Microsoft.HyperV.PowerShell.VMComponentObject') -Object (ConvertTo-RealShape ([ordered]@{
        PSTypeName                 = 'Microsoft.HyperV.PowerShell.VMIntegrationComponent'
        Name                       = [string]$entry.Name
        Id                         = "Microsoft:$(([string]$Vm.id).ToUpperInvariant())\$($Service.guid)"
        Enabled                    = [bool]$Service.enabled
        VMName                     = [string]$Vm.name
        VMId                       = [guid][string]$Vm.id
        ComputerName               = Get-ComputerNameOfState $State
        OperationalStatus          = [string[]]$operational.ToArray()
        PrimaryOperationalStatus   = $(if ($operational.Count -gt 0) { $operational[0] } else { $null })
        PrimaryStatusDescription   = $(if ($descriptions.Count -gt 0) { $descriptions[0] } else { $null })
        SecondaryOperationalStatus = $(if ($operational.Count -gt 1) { $operational[1] } else { $null })
        SecondaryStatusDescription = $(if ($descriptions.Count -gt 1) { $descriptions[1] } else { $null })
        StatusDescription          = [string[]]$descriptions.ToArray()
    }))
}

function ConvertTo-ControllerObject {
    param($State, $Vm, [string]$Type, [int]$Number, [string]$Id)
    $drives = @(@($Vm.hardDrives) | Where-Object { $null -ne $_ -and $_.controllerType -eq $Type -and [int]$_.controllerNumber -eq $Number } | ForEach-Object { ConvertTo-DriveObject -State $State -Vm $Vm -Drive $_ -Kind 'Hdd' })
    $drives += @(@($Vm.dvdDrives) | Where-Object { $null -ne $_ -and $_.controllerType -eq $Type -and [int]$_.controllerNumber -eq $Number } | ForEach-Object { ConvertTo-DriveObject -State $State -Vm $Vm -Drive $_ -Kind 'Dvd' })
    # The real controller classes have no ControllerType: the class (VMIdeController or VMScsiController) says it.
    Add-PSTypeName -Names @('Microsoft.HyperV.PowerShell.VMDriveController', 'Microsoft.HyperV.PowerShell.VMDevice', 'Microsoft.HyperV.PowerShell.VMComponentObject') -Object (ConvertTo-RealShape ([ordered]@{
        PSTypeName       = $(if ($Type -eq 'IDE') { 'Microsoft.HyperV.PowerShell.VMIdeController' } else { 'Microsoft.HyperV.PowerShell.VMScsiController' })
        Name             = $(if ($Type -eq 'IDE') { "IDE Controller $Number" } else { 'SCSI Controller' })
        Id               = $(if ($Type -eq 'IDE') { "Microsoft:$(([string]$Vm.id).ToUpperInvariant())\$script:IdeControllerGuid\$Number" } else { "Microsoft:$(([string]$Vm.id).ToUpperInvariant())\$(([string]$Id).ToUpperInvariant())" })
        ControllerNumber = $Number
        Drives           = $drives
        VMName           = [string]$Vm.name
        VMId             = [guid][string]$Vm.id
        ComputerName     = Get-ComputerNameOfState $State
    }))
}

function ConvertTo-VMObject {
    param($State, $Vm)
    $memory = $Vm.memory
    $report = Get-GuestReport -State $State -Vm $Vm
    $hostProfile = Get-HostProfileOfState $State
    $modernHost = $hostProfile.Build -ge 14393
    $hostIc = $hostProfile.VmGuestIsoVersion
    # No VMName/VMId: the real VirtualMachine class has Name and Id.
    $values = [ordered]@{
        PSTypeName            = 'Microsoft.HyperV.PowerShell.VirtualMachine'
        Name                  = [string]$Vm.name
        Id                    = [guid][string]$Vm.id
        State                 = [string]$Vm.state
        Status                = 'Operating normally'
        Generation            = [int]$Vm.generation
        Version               = [string]$Vm.version
        Path                  = [string]$Vm.path
        ConfigurationLocation = [string]$Vm.path
        ComputerName          = Get-ComputerNameOfState $State
        ProcessorCount        = [long]$Vm.processorCount
        MemoryStartup         = [long]$memory.startupBytes
        MemoryMinimum         = [long]$memory.minimumBytes
        MemoryMaximum         = [long]$memory.maximumBytes
        DynamicMemoryEnabled  = [bool]$memory.dynamicMemoryEnabled
        MemoryAssigned        = $(if ($Vm.state -eq 'Running') { [long]$memory.startupBytes } else { [long]0 })
        Notes                 = [string]$Vm.notes
        AutomaticStartAction  = [string]$Vm.automaticStartAction
        AutomaticStopAction   = [string]$Vm.automaticStopAction
        AutomaticStartDelay   = [int]$Vm.automaticStartDelay
        CheckpointType        = [string]$Vm.checkpointType
        IsClustered           = (Test-ClusteredVm -Vm $Vm)
        Uptime                = $report.Uptime
        # What the guest reports (GuestReport.ps1, docs/emulator-guests.md). Hosts from 2016 on
        # no longer grade integration services: the module answers 0.0 and an empty state.
        Heartbeat                = $report.Heartbeat
        IntegrationServicesVersion = $(if ($modernHost) { [version]'0.0' } elseif ($report.IcVersion) { [version](($report.IcVersion -split '-')[0]) } else { $null })
        IntegrationServicesState = $(if ($modernHost -or -not $report.IcVersion -or -not $report.Windows -or -not $hostIc) { '' } elseif ((ConvertTo-ComparableVersion $report.IcVersion) -ge (ConvertTo-ComparableVersion $hostIc)) { 'Up to date' } else { 'Update required' })
        HardDrives            = @(@($Vm.hardDrives) | Where-Object { $null -ne $_ } | ForEach-Object { ConvertTo-DriveObject -State $State -Vm $Vm -Drive $_ -Kind 'Hdd' })
        DVDDrives             = @(@($Vm.dvdDrives) | Where-Object { $null -ne $_ } | ForEach-Object { ConvertTo-DriveObject -State $State -Vm $Vm -Drive $_ -Kind 'Dvd' })
        NetworkAdapters       = @(@($Vm.networkAdapters) | Where-Object { $null -ne $_ } | ForEach-Object { ConvertTo-AdapterObject -State $State -Vm $Vm -Adapter $_ })
    }
    # Only hosts whose module has automatic checkpoints (Handlers/Vm.ps1) report them.
    if ($Vm.Contains('automaticCheckpointsEnabled')) { $values.AutomaticCheckpointsEnabled = [bool]$Vm.automaticCheckpointsEnabled; $absent = @() }
    else { $absent = @('AutomaticCheckpointsEnabled') }
    ConvertTo-RealShape -Values $values -Absent $absent
}

function ConvertTo-SwitchObject {
    param($State, $Switch)
    ConvertTo-RealShape ([ordered]@{
        PSTypeName                      = 'Microsoft.HyperV.PowerShell.VMSwitch'
        Name                            = [string]$Switch.name
        Id                              = [guid][string]$Switch.id
        SwitchType                      = [string]$Switch.switchType
        NetAdapterInterfaceDescription  = $Switch.netAdapterInterfaceDescription
        NetAdapterInterfaceDescriptions = @(@($Switch.netAdapterInterfaceDescription) | Where-Object { $_ })
        AllowManagementOS               = [bool]$Switch.allowManagementOS
        EmbeddedTeamingEnabled          = $false
        Notes                           = [string]$Switch.notes
        ComputerName                    = Get-ComputerNameOfState $State
    })
}
