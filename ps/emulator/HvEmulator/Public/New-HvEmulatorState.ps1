function New-HvEmulatorState {
    <#
    .SYNOPSIS
    Writes a ready emulated host: OS facts, locale, NICs with *JumboPacket/*VMQ, switches, free
    space, offline disks for pass-through, and (hosts up to 2012 R2) vmguest.iso. See docs/emulator-state.md.
    .PARAMETER Switches
    Switch names (the first is External on "Ethernet 2", each further one External on its own NIC
    "Ethernet 3", ...), or hashtables @{ Name = ...; Type = 'External'|'Internal'|'Private' }.
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

        [string]
        $Locale = 'en-US',

        [string]
        $ComputerName = 'HV-EMU',

        [string]
        $Cluster,

        [long]
        $FreeSpaceBytes = 400GB,

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
    $full = [System.IO.Path]::GetFullPath($Path, (Get-Location -PSProvider FileSystem).ProviderPath)
    if ([System.IO.File]::Exists($full) -and -not $Force) {
        throw "The state file '$full' exists; pass -Force to replace it."
    }
    $stateDir = [System.IO.Path]::GetDirectoryName($full)
    [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($stateDir, 'drives', 'C'))

    $netAdapters = [System.Collections.Generic.List[object]]::new()
    $switchList = [System.Collections.Generic.List[object]]::new()
    $nextPhysical = 2
    $ifIndex = 10
    foreach ($entry in $Switches) {
        $spec = if ($entry -is [System.Collections.IDictionary]) { $entry } else { @{ Name = [string]$entry } }
        $type = if ($spec.Contains('Type')) { [string]$spec['Type'] } else { 'External' }
        $switch = [ordered]@{
            name                           = [string]$spec['Name']
            id                             = [guid]::NewGuid().ToString()
            switchType                     = $type
            netAdapterName                 = $null
            netAdapterInterfaceDescription = $null
            allowManagementOS              = $type -ne 'Private'
            notes                          = ''
        }
        if ($type -eq 'External') {
            $nicName = "Ethernet $nextPhysical"
            $description = "Intel(R) Ethernet Converged Network Adapter X710 #$($nextPhysical - 1)"
            $netAdapters.Add((New-PhysicalAdapterRecord -Name $nicName -Description $description -IfIndex $ifIndex -Ordinal $nextPhysical))
            $switch.netAdapterName = $nicName
            $switch.netAdapterInterfaceDescription = $description
            $nextPhysical++
            $ifIndex++
        }
        if ($switch.allowManagementOS) {
            $netAdapters.Add((New-HvEmulatorVirtualAdapterRecord -SwitchName $switch.name -IfIndex $ifIndex))
            $ifIndex++
        }
        $switchList.Add($switch)
    }

    $state = [ordered]@{
        formatVersion = 1
        host          = [ordered]@{
            computerName                = $ComputerName
            os                          = $HostOs
            osVersion                   = $hostProfile.Version
            osCaption                   = $hostProfile.Caption
            locale                      = $Locale
            logicalProcessorCount       = 16
            memoryCapacityBytes         = 64GB
            virtualMachinePath          = 'C:\ProgramData\Microsoft\Windows\Hyper-V'
            virtualHardDiskPath         = 'C:\Users\Public\Documents\Hyper-V\Virtual Hard Disks'
            configurationVersions       = [string[]]$hostProfile.ConfigurationVersions
            defaultConfigurationVersion = $hostProfile.DefaultConfigurationVersion
            macAddressMinimum           = '00155D010000'
            macAddressMaximum           = '00155D01FFFF'
            guestTiming                 = [ordered]@{ heartbeatSeconds = $GuestHeartbeatSeconds; addressSeconds = $GuestAddressSeconds }
        }
        drives        = [ordered]@{ C = 'drives/C' }
        volumes       = @(
            [ordered]@{ driveLetter = 'C'; fileSystemLabel = ''; fileSystem = 'NTFS'; sizeBytes = 500GB; freeBytes = $FreeSpaceBytes }
        )
        netAdapters   = $netAdapters.ToArray()
        switches      = $switchList.ToArray()
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
    if ($Cluster) {
        $state.cluster = [ordered]@{
            name             = $Cluster
            nodes            = @([ordered]@{ name = $ComputerName; id = '1'; state = 'Up' })
            sharedVolumeRoot = 'C:\ClusterStorage'
            groups           = @()
        }
        [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($stateDir, 'drives', 'C', 'ClusterStorage'))
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

function New-PhysicalAdapterRecord {
    [CmdletBinding()]
    param([string]$Name, [string]$Description, [int]$IfIndex, [int]$Ordinal)
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
        advancedProperties   = @(
            [ordered]@{
                registryKeyword      = '*JumboPacket'; displayName = 'Jumbo Packet'; registryValue = '1514'; defaultRegistryValue = '1514'
                validRegistryValues  = @('1514', '4088', '9014'); validDisplayValues = @('Disabled', '4088 Bytes', '9014 Bytes')
            }
            [ordered]@{
                registryKeyword      = '*VMQ'; displayName = 'Virtual Machine Queues'; registryValue = '1'; defaultRegistryValue = '1'
                validRegistryValues  = @('0', '1'); validDisplayValues = @('Disabled', 'Enabled')
            }
        )
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
