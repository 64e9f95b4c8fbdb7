function New-HvEmulatorState {
    <#
    .SYNOPSIS
    Writes a ready emulated host: OS facts, locale, NICs with *JumboPacket/*VMQ, switches, free
    space, offline disks for pass-through, and (hosts up to 2012 R2) vmguest.iso. See docs/emulator-state.md.
    .PARAMETER Switches
    Switch names (the first is External on "Ethernet 2", each further one External on its own NIC
    "Ethernet 3", ...), or hashtables @{ Name = ...; Type = 'External'|'Internal'|'Private' }. The
    hashtable of an External switch may also say what its physical NIC is and can do:
    JumboValues (*JumboPacket valid registry values, default '1514','4088','9014'), Vmq (default
    $true: the NIC has *VMQ), TcpOffload (default $false: $true adds *TCPConnectionOffloadIPv4),
    Wireless (default $false: a Wi-Fi adapter "Wi-Fi", Native 802.11, jumbo 1514 only, no *VMQ)
    and InterfaceDescription.
    .PARAMETER WirelessNic
    Adds a Wi-Fi adapter that no switch uses (after the switches' NICs).

    Every physical NIC gets an IPv4 address (Ethernet N 192.168.(N-1).50/24, Wi-Fi k
    192.168.(100+k).50/24; on the switch's vEthernet adapter when its External switch lets the
    management OS share it), the host has its loopback address, and a windows-10 or windows-11 host
    also has the "Default Switch" (Internal, 172.25.48.1/20 on vEthernet (Default Switch)).
    .PARAMETER HyperV
    host.hyperV: 'installed' (default); 'not-installed' (every Hyper-V cmdlet fails as a command
    that does not exist, the Microsoft-Hyper-V feature is Disabled, and the host has no virtual
    switch or vEthernet adapter: -Switches only gives its physical NICs); 'access-denied' (every
    Hyper-V cmdlet fails with Hyper-V's permission error).
    .PARAMETER ConfigurationVersions
    Replaces the host OS's list of supported VM configuration versions (Get-VMHostSupportedVersion,
    New-VM -Version). The default version stays the OS's when listed, else the highest given.
    .PARAMETER ClusterNodes
    With -Cluster: the cluster's nodes in order (ids 1, 2, ...); -ComputerName must be one of them.
    Default: this host alone.
    .PARAMETER ClusterNodeStates
    With -Cluster: node name -> Up, Down, Paused or Joining (default Up), e.g. @{ HV2 = 'Down' }.
    .PARAMETER ClusterSharedVolumes
    With -Cluster: the Cluster Shared Volumes, by folder name under C:\ClusterStorage (default
    Volume1). Each is a CSVFS volume mounted at C:\ClusterStorage\<name> on this node.

    The cluster itself (its nodes, volumes and roles) is one file shared by its nodes,
    cluster-<name>.json beside this state file: the first node writes it, and every further node
    of the same cluster written into the same folder joins it (its -ClusterNodes and
    -ClusterSharedVolumes must then be the same).
    .PARAMETER NoAutomount
    host.automount false: automatic mounting of new basic volumes is off (as after `mountvol /N`
    or diskpart `automount disable`), so Mount-VHD gives the partitions of a mounted disk no drive
    letter; Add-PartitionAccessPath still assigns one.
    .PARAMETER MountPoints
    Volumes reached by a folder instead of a drive letter (a mount point, or a Cluster Shared
    Volume such as C:\ClusterStorage\Volume1): hashtables @{ Path = 'C:\Mnt\Fast'; FreeSpaceBytes
    = 10GB; SizeBytes (default the larger of 100 GB and the free space); FileSystem (default NTFS;
    CSVFS for a CSV); Label }. Each is a volume with that access path on a disk of its own (online,
    one partition without a drive letter); the folder is made on its drive.
    .PARAMETER MemoryBytes
    host.memoryCapacityBytes (default 64 GB): the physical memory (Win32_OperatingSystem
    TotalVisibleMemorySize, Get-VMHost MemoryCapacity). Free memory is this, less
    -MemoryInUseByHostBytes, less every running guest's memory (Shared/HostMemory.ps1).
    .PARAMETER MemoryInUseByHostBytes
    host.memoryInUseByHostBytes (default 2 GB): what the parent partition itself uses.
    .PARAMETER GuestHeartbeatSeconds
    host.guestTiming.heartbeatSeconds: how long after Start-VM a guest that can answer does
    (heartbeat, integration services, KVP). Tests use 0 or 1 to stay fast.
    .PARAMETER GuestAddressSeconds
    host.guestTiming.addressSeconds: how long after Start-VM the guest reports its addresses.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Path,

        [string]
        $HostOs = 'windows-server-2022',

        [object[]]
        $Switches = @('Lab'),

        [switch]
        $WirelessNic,

        [string]
        $Locale = 'en-US',

        [string]
        $ComputerName = 'HV-EMU',

        [ValidateSet('installed', 'not-installed', 'access-denied')]
        [string]
        $HyperV = 'installed',

        [string[]]
        $ConfigurationVersions,

        [string]
        $Cluster,

        [string[]]
        $ClusterNodes,

        [System.Collections.IDictionary]
        $ClusterNodeStates,

        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9 _-]*$')]
        [string[]]
        $ClusterSharedVolumes = @('Volume1'),

        [long]
        $FreeSpaceBytes = 400GB,

        [ValidateRange(1GB, 256TB)]
        [long]
        $MemoryBytes = 64GB,

        [ValidateRange(0, 256TB)]
        [long]
        $MemoryInUseByHostBytes = 2GB,

        [switch]
        $NoAutomount,

        [System.Collections.IDictionary[]]
        $MountPoints = @(),

        [ValidateRange(0, 3600)]
        [double]
        $GuestHeartbeatSeconds = 2,

        [ValidateRange(0, 3600)]
        [double]
        $GuestAddressSeconds = 3,

        [switch]
        $Force
    )
    $hostProfile = Get-HvEmulatorHostProfile -HostOs $HostOs
    $versions = [string[]]$hostProfile.ConfigurationVersions
    $defaultVersion = [string]$hostProfile.DefaultConfigurationVersion
    if ($PSBoundParameters.ContainsKey('ConfigurationVersions')) {
        $parsed = foreach ($v in @($ConfigurationVersions)) {
            $version = $null
            if (-not [version]::TryParse([string]$v, [ref]$version) -or $version.Build -ge 0) {
                throw "The configuration version '$v' is not of the form major.minor (such as 9.0)."
            }
            $version
        }
        if (@($parsed).Count -eq 0) { throw '-ConfigurationVersions needs at least one version.' }
        # Ascending, as Get-VMHostSupportedVersion lists them.
        $versions = [string[]]@($parsed | Sort-Object -Unique | ForEach-Object { $_.ToString() })
        if ($versions -notcontains $defaultVersion) { $defaultVersion = $versions[-1] }
    }
    $nodes = $null
    if ($Cluster) { $nodes = @(New-ClusterNodeList -ComputerName $ComputerName -ClusterNodes $ClusterNodes -ClusterNodeStates $ClusterNodeStates) }
    elseif ($ClusterNodes -or $ClusterNodeStates) { throw '-ClusterNodes and -ClusterNodeStates need -Cluster.' }

    $full = [System.IO.Path]::GetFullPath($Path, (Get-Location -PSProvider FileSystem).ProviderPath)
    if ([System.IO.File]::Exists($full) -and -not $Force) {
        throw "The state file '$full' exists; pass -Force to replace it."
    }
    $stateDir = [System.IO.Path]::GetDirectoryName($full)
    [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($stateDir, 'drives', 'C'))

    $netAdapters = [System.Collections.Generic.List[object]]::new()
    $switchList = [System.Collections.Generic.List[object]]::new()
    # The host's IPv4 addresses: the loopback, and one per physical NIC (Ethernet N on
    # 192.168.(N-1).50/24, Wi-Fi k on 192.168.(100+k).50/24), so that a subnet a lab picks can
    # collide with the host's LAN. A NIC an External switch binds lends its address to the
    # switch's vEthernet adapter (movedFrom), as Hyper-V moves it there.
    $addresses = [System.Collections.Generic.List[object]]::new()
    $addresses.Add((New-HostIPAddressRecord -InterfaceAlias $script:LoopbackAlias -InterfaceIndex 1 -IPAddress '127.0.0.1' -PrefixLength 8 -PrefixOrigin 'WellKnown' -SuffixOrigin 'WellKnown'))
    $nextPhysical = 2
    $wifiCount = 0
    $ifIndex = 10
    foreach ($entry in $Switches) {
        $spec = if ($entry -is [System.Collections.IDictionary]) { $entry } else { @{ Name = [string]$entry } }
        $nic = Get-SwitchNicSpec -Spec $spec
        $type = $nic.Type
        $switch = [ordered]@{
            name                           = [string]$spec['Name']
            id                             = [guid]::NewGuid().ToString()
            switchType                     = $type
            netAdapterName                 = $null
            netAdapterInterfaceDescription = $null
            allowManagementOS              = $type -ne 'Private'
            notes                          = ''
            dhcp                           = $false
        }
        $nicAddress = $null
        if ($type -eq 'External') {
            if ($nic.Wireless) {
                $wifiCount++
                $record = New-WirelessAdapterRecord -Number $wifiCount -IfIndex $ifIndex -Nic $nic
                $nicAddress = "192.168.$(100 + $wifiCount).50"
            }
            else {
                $description = if ($nic.InterfaceDescription) { $nic.InterfaceDescription } else { "Intel(R) Ethernet Converged Network Adapter X710 #$($nextPhysical - 1)" }
                $record = New-PhysicalAdapterRecord -Name "Ethernet $nextPhysical" -Description $description -IfIndex $ifIndex -Ordinal $nextPhysical -Nic $nic
                $nicAddress = "192.168.$($nextPhysical - 1).50"
                $nextPhysical++
            }
            $netAdapters.Add($record)
            $switch.netAdapterName = $record.name
            $switch.netAdapterInterfaceDescription = $record.interfaceDescription
            $ifIndex++
        }
        # A host without the Hyper-V role has the NICs but no virtual switch and no vEthernet adapter.
        if ($HyperV -eq 'not-installed') {
            if ($nicAddress) { $addresses.Add((New-HostIPAddressRecord -InterfaceAlias $record.name -InterfaceIndex $record.ifIndex -IPAddress $nicAddress -PrefixLength 24)) }
            continue
        }
        if ($switch.allowManagementOS) {
            $vnic = New-HvEmulatorVirtualAdapterRecord -SwitchName $switch.name -IfIndex $ifIndex
            $netAdapters.Add($vnic)
            if ($nicAddress) { $addresses.Add((New-HostIPAddressRecord -InterfaceAlias $vnic.name -InterfaceIndex $vnic.ifIndex -IPAddress $nicAddress -PrefixLength 24 -MovedFrom $record.name)) }
            $ifIndex++
        }
        elseif ($nicAddress) {
            $addresses.Add((New-HostIPAddressRecord -InterfaceAlias $record.name -InterfaceIndex $record.ifIndex -IPAddress $nicAddress -PrefixLength 24))
        }
        $switchList.Add($switch)
    }
    if ($WirelessNic) {
        $wifiCount++
        $wifi = New-WirelessAdapterRecord -Number $wifiCount -IfIndex $ifIndex -Nic (Get-SwitchNicSpec -Spec @{ Name = 'Wi-Fi'; Wireless = $true })
        $netAdapters.Add($wifi)
        $addresses.Add((New-HostIPAddressRecord -InterfaceAlias $wifi.name -InterfaceIndex $wifi.ifIndex -IPAddress "192.168.$(100 + $wifiCount).50" -PrefixLength 24))
        $ifIndex++
    }
    if ($hostProfile.DefaultSwitch -and $HyperV -ne 'not-installed') {
        # Windows 10/11's Default Switch: Internal, its fixed id, and the host's address on its
        # vEthernet adapter, from which the host hands out addresses to the VMs on it (dhcp).
        if (@($switchList | Where-Object { $_.name -eq 'Default Switch' }).Count -gt 0) { throw "-Switches names 'Default Switch', which a $HostOs host has already." }
        $switchList.Add([ordered]@{
                name = 'Default Switch'; id = 'c08cb7b8-9b3c-408e-8e30-5e16a3aeb444'; switchType = 'Internal'
                netAdapterName = $null; netAdapterInterfaceDescription = $null; allowManagementOS = $true; notes = ''; dhcp = $true
            })
        $vnic = New-HvEmulatorVirtualAdapterRecord -SwitchName 'Default Switch' -IfIndex $ifIndex
        $netAdapters.Add($vnic)
        $addresses.Add((New-HostIPAddressRecord -InterfaceAlias $vnic.name -InterfaceIndex $vnic.ifIndex -IPAddress '172.25.48.1' -PrefixLength 20))
        $ifIndex++
    }
    $descriptions = @($netAdapters | ForEach-Object { $_.interfaceDescription })
    $duplicate = $descriptions | Group-Object | Where-Object Count -gt 1 | Select-Object -First 1
    if ($duplicate) { throw "Two NICs would have the interface description '$($duplicate.Name)'; it names one adapter." }

    $state = [ordered]@{
        formatVersion = 1
        host          = [ordered]@{
            computerName                = $ComputerName
            os                          = $HostOs
            osVersion                   = $hostProfile.Version
            osCaption                   = $hostProfile.Caption
            locale                      = $Locale
            hyperV                      = $HyperV
            logicalProcessorCount       = 16
            memoryCapacityBytes         = $MemoryBytes
            memoryInUseByHostBytes      = $MemoryInUseByHostBytes
            virtualMachinePath          = 'C:\ProgramData\Microsoft\Windows\Hyper-V'
            virtualHardDiskPath         = 'C:\Users\Public\Documents\Hyper-V\Virtual Hard Disks'
            configurationVersions       = $versions
            defaultConfigurationVersion = $defaultVersion
            macAddressMinimum           = '00155D010000'
            macAddressMaximum           = '00155D01FFFF'
            guestTiming                 = [ordered]@{ heartbeatSeconds = $GuestHeartbeatSeconds; addressSeconds = $GuestAddressSeconds }
        }
        drives        = [ordered]@{ C = 'drives/C' }
        volumes       = @(
            # A volume is at least as large as its free space.
            [ordered]@{ driveLetter = 'C'; fileSystemLabel = ''; fileSystem = 'NTFS'; sizeBytes = [Math]::Max(500GB, $FreeSpaceBytes); freeBytes = $FreeSpaceBytes }
        )
        netAdapters   = $netAdapters.ToArray()
        switches      = $switchList.ToArray()
        netIPAddresses = $addresses.ToArray()
        netNats       = @()
        offload       = [ordered]@{
            chimney                      = 'Disabled'
            receiveSideScaling           = 'Enabled'
            receiveSegmentCoalescing     = 'Enabled'
            taskOffload                  = 'Enabled'
            networkDirect                = 'Enabled'
            networkDirectAcrossIPSubnets = 'Blocked'
            packetCoalescingFilter       = 'Disabled'
        }
        disks         = @(
            [ordered]@{
                number = 0; friendlyName = 'Msft Virtual Disk'; serialNumber = 'OS-0000'; sizeBytes = 500GB
                partitionStyle = 'GPT'; isOffline = $false; isReadOnly = $false; isBoot = $true; isSystem = $true
                busType = 'SAS'; vhdPath = $null
                partitions = @(
                    [ordered]@{ partitionNumber = 1; driveLetter = ''; sizeBytes = 100MB; type = 'System' }
                    [ordered]@{ partitionNumber = 2; driveLetter = 'C'; sizeBytes = 499GB; type = 'Basic' }
                )
            }
            [ordered]@{
                number = 1; friendlyName = 'LSI SAS LUN 1'; serialNumber = 'PT-0001'; sizeBytes = 100GB
                partitionStyle = 'RAW'; isOffline = $true; isReadOnly = $false; isBoot = $false; isSystem = $false
                busType = 'SAS'; vhdPath = $null; partitions = @()
            }
            [ordered]@{
                number = 2; friendlyName = 'LSI SAS LUN 2'; serialNumber = 'PT-0002'; sizeBytes = 200GB
                partitionStyle = 'RAW'; isOffline = $true; isReadOnly = $false; isBoot = $false; isSystem = $false
                busType = 'SAS'; vhdPath = $null; partitions = @()
            }
        )
        vms             = @()
        windowsPackages = @()
        cluster         = $null
    }
    if ($NoAutomount) { $state.host['automount'] = $false }
    $mounts = @($MountPoints)
    if ($Cluster) {
        # Every node sees each CSV at the same folder, as a volume of the CSVFS file system.
        $mounts += @(foreach ($v in $ClusterSharedVolumes) { @{ Path = "C:\ClusterStorage\$v"; FileSystem = 'CSVFS' } })
    }
    $mountDiskNumber = 3
    foreach ($mount in $mounts) {
        foreach ($k in @($mount.Keys)) { if (@('Path', 'FreeSpaceBytes', 'SizeBytes', 'FileSystem', 'Label') -notcontains [string]$k) { throw "-MountPoints: unknown key '$k' (Path, FreeSpaceBytes, SizeBytes, FileSystem, Label)." } }
        $mountPath = [string]$mount['Path']
        if ($mountPath -notmatch '^C:\\.+') { throw "-MountPoints: Path '$mountPath' must be a folder on drive C: (such as C:\ClusterStorage\Volume1)." }
        $root = $mountPath.TrimEnd('\') + '\'
        $free = [long]$(if ($mount.Contains('FreeSpaceBytes')) { $mount['FreeSpaceBytes'] } else { 100GB })
        $size = [long]$(if ($mount.Contains('SizeBytes')) { $mount['SizeBytes'] } else { [Math]::Max(100GB, $free) })
        if ($size -lt $free) { throw "-MountPoints: SizeBytes of '$mountPath' is smaller than its FreeSpaceBytes." }
        $fileSystem = [string]$(if ($mount.Contains('FileSystem')) { $mount['FileSystem'] } else { 'NTFS' })
        $state.disks += [ordered]@{
            number = $mountDiskNumber; friendlyName = 'Msft Virtual Disk'; serialNumber = ('MP-{0:D4}' -f $mountDiskNumber); sizeBytes = $size
            partitionStyle = 'GPT'; isOffline = $false; isReadOnly = $false; isBoot = $false; isSystem = $false
            busType = 'SAS'; vhdPath = $null
            partitions = @([ordered]@{ partitionNumber = 1; driveLetter = ''; accessPaths = @($root); sizeBytes = $size; type = 'Basic' })
        }
        $state.volumes += [ordered]@{ driveLetter = ''; accessPaths = @($root); diskNumber = $mountDiskNumber; partitionNumber = 1; fileSystemLabel = [string]$mount['Label']; fileSystem = $fileSystem; sizeBytes = $size; freeBytes = $free }
        [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine([string[]](@($stateDir, 'drives', 'C') + @($root.Substring(3).TrimEnd('\').Split('\')))))
        $mountDiskNumber++
    }
    if ($Cluster) {
        $clusterFile = "cluster-$Cluster.json"
        Write-ClusterStateFile -Path ([System.IO.Path]::Combine($stateDir, $clusterFile)) -Name $Cluster -Nodes $nodes -SharedVolumes $ClusterSharedVolumes -ClusterNodeStates $ClusterNodeStates
        $state.cluster = [ordered]@{ stateFile = $clusterFile }
    }
    if ($hostProfile.VmGuestIso) {
        # vmguest.iso is the integration services setup disc (support\amd64\setup.exe) of the
        # host's version: emulator media a guest's answer file can run (docs/emulator-guests.md).
        $iso = [System.IO.Path]::Combine($stateDir, 'drives', 'C', 'Windows', 'System32', 'vmguest.iso')
        [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($iso))
        Write-EmulatorMediaFile -LocalPath $iso -Meta ([ordered]@{ kind = 'integration-services'; os = $null; version = $hostProfile.VmGuestIsoVersion; packages = @() })
        $files = @(
            'Windows/vmguest/support/amd64/Windows6.x-HyperVIntegrationServices-x64.cab',
            'Windows/vmguest/support/amd64/Windows6.2-HyperVIntegrationServices-x64.cab'
        )
        foreach ($relative in $files) {
            $file = [System.IO.Path]::Combine($stateDir, 'drives', 'C', $relative)
            [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($file))
            [System.IO.File]::WriteAllText($file, "hvguest emulator placeholder for C:\$($relative.Replace('/', '\'))`n")
        }
    }
    Write-StateFile -Path $full -Text (ConvertTo-StateText -State $state)
}

function Write-ClusterStateFile {
    # The cluster's shared file (ClusterState.ps1): written by its first node, joined by the others.
    param([string]$Path, [string]$Name, $Nodes, [string[]]$SharedVolumes, [System.Collections.IDictionary]$ClusterNodeStates)
    $volumes = @(for ($i = 0; $i -lt $SharedVolumes.Count; $i++) {
            [ordered]@{ name = "Cluster Disk $($i + 1)"; path = "C:\ClusterStorage\$($SharedVolumes[$i])"; ownerNode = [string]$Nodes[0].name; state = 'Online' }
        })
    if ([System.IO.File]::Exists($Path)) {
        $existing = (Read-StateFile -Path $Path).State
        $same = ([string]$existing.name -eq $Name) -and ((@($existing.nodes | ForEach-Object { [string]$_.name }) -join ',') -eq (@($Nodes | ForEach-Object { [string]$_.name }) -join ',')) -and ((@($existing.sharedVolumes | ForEach-Object { [string]$_.path }) -join ',') -eq (@($volumes | ForEach-Object { $_.path }) -join ','))
        if (-not $same) { throw "The cluster file '$Path' already holds another cluster (or other nodes or volumes): a node joining cluster '$Name' must give the same -ClusterNodes and -ClusterSharedVolumes." }
        if ($ClusterNodeStates -and $ClusterNodeStates.Count -gt 0) {
            foreach ($n in @($existing.nodes)) { if ($ClusterNodeStates.Contains([string]$n.name) -and [string]$n.state -ne [string]$ClusterNodeStates[[string]$n.name]) { throw "The cluster file '$Path' already says node '$($n.name)' is $($n.state): give -ClusterNodeStates with its first node only." } }
        }
        return
    }
    Write-StateFile -Path $Path -Text (ConvertTo-StateText -State ([ordered]@{ name = $Name; nodes = $Nodes; sharedVolumes = $volumes; groups = @() }))
}

function New-ClusterNodeList {
    # cluster.nodes: the given nodes in order (ids "1", "2", ...), each Up unless -ClusterNodeStates says otherwise.
    [CmdletBinding()]
    param([string]$ComputerName, [string[]]$ClusterNodes, [System.Collections.IDictionary]$ClusterNodeStates)
    $names = [string[]]@(if ($ClusterNodes) { $ClusterNodes } else { $ComputerName })
    if (@($names | Where-Object { $_ -eq $ComputerName }).Count -ne 1) {
        throw "-ComputerName '$ComputerName' must be one of -ClusterNodes ($($names -join ', ')): each state file is one node."
    }
    if (@($names | Select-Object -Unique).Count -ne $names.Count) { throw "-ClusterNodes names a node twice: $($names -join ', ')." }
    $states = @{}
    if ($ClusterNodeStates) {
        foreach ($key in $ClusterNodeStates.Keys) {
            if ($names -notcontains [string]$key) { throw "-ClusterNodeStates names '$key', which is not among the cluster nodes ($($names -join ', '))." }
            $value = [string]$ClusterNodeStates[$key]
            # The ClusterNodeState values Get-ClusterNode reports (Unknown aside).
            $known = @('Up', 'Down', 'Paused', 'Joining')
            $match = $known | Where-Object { $_ -eq $value }
            if (-not $match) { throw "Cluster node state '$value' of '$key' is not one of $($known -join ', ')." }
            $states[[string]$key] = [string]$match
        }
    }
    $id = 0
    foreach ($n in $names) {
        $id++
        $state = 'Up'
        foreach ($key in $states.Keys) { if ($key -eq $n) { $state = $states[$key] } }
        [ordered]@{ name = [string]$n; id = [string]$id; state = $state }
    }
}

function Get-SwitchNicSpec {
    # The switch type and what its physical NIC can do, from a -Switches hashtable (defaults filled in).
    [CmdletBinding()]
    param([System.Collections.IDictionary]$Spec)
    $known = @('Name', 'Type', 'JumboValues', 'Vmq', 'TcpOffload', 'Wireless', 'InterfaceDescription')
    foreach ($key in $Spec.Keys) {
        if ($known -notcontains [string]$key) { throw "Unknown key '$key' in the -Switches entry '$($Spec['Name'])'; known: $($known -join ', ')." }
    }
    if ([string]::IsNullOrEmpty([string]$Spec['Name'])) { throw 'A -Switches entry needs a Name.' }
    $type = if ($Spec.Contains('Type')) { [string]$Spec['Type'] } else { 'External' }
    $capabilities = @($Spec.Keys | Where-Object { $_ -notin 'Name', 'Type' })
    if ($type -ne 'External' -and $capabilities.Count -gt 0) {
        throw "The -Switches entry '$($Spec['Name'])' is $type, which has no physical NIC: $($capabilities -join ', ') apply to External switches only."
    }
    $wireless = $Spec.Contains('Wireless') -and [bool]$Spec['Wireless']
    [string[]]$jumbo = if ($Spec.Contains('JumboValues')) { [string[]]@($Spec['JumboValues']) } elseif ($wireless) { [string[]]@('1514') } else { [string[]]@('1514', '4088', '9014') }
    foreach ($v in $jumbo) {
        if ($v -notmatch '^\d+$') { throw "JumboValues of '$($Spec['Name'])' must be packet sizes such as 1514 or 9014, not '$v'." }
    }
    if ($jumbo.Count -eq 0) { throw "JumboValues of '$($Spec['Name'])' is empty; leave it out for the default." }
    [pscustomobject]@{
        Type                 = $type
        Wireless             = $wireless
        JumboValues          = $jumbo
        Vmq                  = $(if ($Spec.Contains('Vmq')) { [bool]$Spec['Vmq'] } else { -not $wireless })
        TcpOffload           = $Spec.Contains('TcpOffload') -and [bool]$Spec['TcpOffload']
        InterfaceDescription = $(if ($Spec.Contains('InterfaceDescription')) { [string]$Spec['InterfaceDescription'] } else { $null })
    }
}

function New-AdvancedPropertyList {
    # *JumboPacket, then *VMQ and *TCPConnectionOffloadIPv4 when the NIC has them.
    [CmdletBinding()]
    param($Nic)
    $jumbo = [string[]]$Nic.JumboValues
    $jumboDefault = if ($jumbo -contains '1514') { '1514' } else { $jumbo[0] }
    [ordered]@{
        registryKeyword      = '*JumboPacket'; displayName = 'Jumbo Packet'; registryValue = $jumboDefault; defaultRegistryValue = $jumboDefault
        validRegistryValues  = $jumbo; validDisplayValues = [string[]]@($jumbo | ForEach-Object { if ($_ -eq '1514') { 'Disabled' } else { "$_ Bytes" } })
    }
    if ($Nic.Vmq) {
        [ordered]@{
            registryKeyword      = '*VMQ'; displayName = 'Virtual Machine Queues'; registryValue = '1'; defaultRegistryValue = '1'
            validRegistryValues  = @('0', '1'); validDisplayValues = @('Disabled', 'Enabled')
        }
    }
    if ($Nic.TcpOffload) {
        # The NIC's TCP Chimney offload capability (the standardized keyword for IPv4 connections).
        [ordered]@{
            registryKeyword      = '*TCPConnectionOffloadIPv4'; displayName = 'TCP Connection Offload (IPv4)'; registryValue = '1'; defaultRegistryValue = '1'
            validRegistryValues  = @('0', '1'); validDisplayValues = @('Disabled', 'Enabled')
        }
    }
}

function New-PhysicalAdapterRecord {
    [CmdletBinding()]
    param([string]$Name, [string]$Description, [int]$IfIndex, [int]$Ordinal, $Nic)
    [ordered]@{
        name                 = $Name
        interfaceDescription = $Description
        ifIndex              = $IfIndex
        macAddress           = ('A0-36-9F-00-00-{0:X2}' -f $Ordinal)
        status               = 'Up'
        linkSpeed            = '10 Gbps'
        mediaType            = '802.3'
        physical             = $true
        virtual              = $false
        hidden               = $false
        advancedProperties   = @(New-AdvancedPropertyList -Nic $Nic)
    }
}

function New-WirelessAdapterRecord {
    # A Wi-Fi adapter: Native 802.11 media (NdisPhysicalMedium 9), "Wi-Fi", "Wi-Fi 2", ...
    [CmdletBinding()]
    param([int]$Number, [int]$IfIndex, $Nic)
    $description = if ($Nic.InterfaceDescription) { $Nic.InterfaceDescription } elseif ($Number -eq 1) { 'Intel(R) Wi-Fi 6 AX201 160MHz' } else { "Intel(R) Wi-Fi 6 AX201 160MHz #$Number" }
    [ordered]@{
        name                 = $(if ($Number -eq 1) { 'Wi-Fi' } else { "Wi-Fi $Number" })
        interfaceDescription = $description
        ifIndex              = $IfIndex
        macAddress           = ('3C-A9-F4-00-00-{0:X2}' -f $Number)
        status               = 'Up'
        linkSpeed            = '866.7 Mbps'
        mediaType            = 'Native 802.11'
        physicalMediaType    = 'Native 802.11'
        ndisPhysicalMedium   = 9
        physical             = $true
        virtual              = $false
        hidden               = $false
        advancedProperties   = @(New-AdvancedPropertyList -Nic $Nic)
    }
}

function New-HvEmulatorVirtualAdapterRecord {
    <#
    .SYNOPSIS
    The state record of a host vNIC ("vEthernet (<Name>)") on a switch; -Name defaults to the switch name.
    #>
    [CmdletBinding()]
    param([string]$SwitchName, [int]$IfIndex, [string]$Name = $SwitchName)
    [ordered]@{
        name                 = "vEthernet ($Name)"
        interfaceDescription = "Hyper-V Virtual Ethernet Adapter #$IfIndex"
        ifIndex              = $IfIndex
        macAddress           = ('00-15-5D-00-00-{0:X2}' -f $IfIndex)
        status               = 'Up'
        linkSpeed            = '10 Gbps'
        mediaType            = '802.3'
        physical             = $false
        virtual              = $true
        hidden               = $false
        switchName           = $SwitchName
        advancedProperties   = @(
            [ordered]@{
                registryKeyword      = '*JumboPacket'; displayName = 'Jumbo Packet'; registryValue = '1514'; defaultRegistryValue = '1514'
                validRegistryValues  = @('1514', '4088', '9014'); validDisplayValues = @('Disabled', '4088 Bytes', '9014 Bytes')
            }
        )
    }
}
