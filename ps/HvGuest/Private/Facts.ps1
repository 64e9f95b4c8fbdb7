# facts (what the host is and has) and preflight (everything about a plan that can be checked
# without changing anything). Neither changes the host.

# -List: the fact is a list, and is answered as an array whatever its length. PowerShell unrolls
# what a function returns: a one-item list would arrive as the item itself (one configuration
# version as a string) and an empty one as $null. The comma keeps the array whole; a list fact
# that cannot be read is $null (and listed in errors), never @($null).
function Get-HvFactOrError {
    param([System.Collections.Generic.List[object]]$Errors, [string]$Fact, [string]$Cmdlet, [scriptblock]$Read, [switch]$List)
    try {
        if ($List) {
            $items = New-Object System.Collections.Generic.List[object]
            foreach ($item in @(& $Read)) { if ($null -ne $item) { $items.Add($item) } }
            return , $items.ToArray()
        }
        return (& $Read)
    } catch {
        # The category (PermissionDenied, ObjectNotFound...) is the same in every locale; the message is not.
        $Errors.Add([ordered]@{ fact = $Fact; cmdlet = $Cmdlet; message = (Get-HvErrorMessage -ErrorRecord $_); category = [string]$_.CategoryInfo.Category })
        return $null
    }
}

function Get-HvDriveLetter {
    param([string]$Path)
    if ($Path -match '^([A-Za-z]):') { return $Matches[1].ToUpperInvariant() }
    return $null
}

# The volume that holds $Path (a local path; $null for a share or when no volume holds it). Not
# the drive letter's volume: a folder may be a mount point of another volume, as a Cluster Shared
# Volume is (C:\ClusterStorage\Volume1 is a volume of its own, not part of C:), so the deepest
# volume on the way wins. Get-Volume -FilePath answers that for an existing path (Windows Server
# 2012 R2 and later document it; 2012's Get-Volume has no -FilePath), asked for the nearest
# existing folder since vmRoot may not exist yet. Otherwise the partitions' access paths are
# searched for the longest one the path starts with (Get-Partition, then Get-Volume -Partition).
function Get-HvPathVolume {
    param([string]$Path)
    if ($Path -notmatch '^[A-Za-z]:') { return $null }
    $existing = $Path
    while (-not [string]::IsNullOrEmpty($existing) -and -not (Test-Path -LiteralPath $existing)) {
        $parent = Get-HvParentPath -Path $existing
        if ($parent -eq $existing) { $existing = $null } else { $existing = $parent }
    }
    $byPath = @{}
    if (-not [string]::IsNullOrEmpty($existing)) {
        if (Test-HvCommandParameter -Command 'Get-Volume' -Parameter 'FilePath') { $byPath.FilePath = $existing }
    }
    if ($byPath.Count -gt 0) { return @(Get-Volume @byPath)[0] }
    $full = $Path.Replace('/', '\').TrimEnd('\') + '\'
    $best = $null
    $bestLength = -1
    foreach ($part in @(Get-Partition)) {
        if ($null -eq $part) { continue }
        foreach ($a in @(Get-HvField -Object $part -Name 'AccessPaths' -Default @())) {
            $root = [string]$a
            if ($root.Length -eq 0 -or $root.StartsWith('\\?\')) { continue }
            $root = $root.TrimEnd('\') + '\'
            if ($full.StartsWith($root, [System.StringComparison]::OrdinalIgnoreCase) -and $root.Length -gt $bestLength) { $best = $part; $bestLength = $root.Length }
        }
    }
    if ($null -eq $best) { return $null }
    return @(Get-Volume -Partition $best)[0]
}

# Free bytes on the volume that holds $Path, or $null.
function Get-HvFreeBytes {
    param([string]$Path)
    $volume = Get-HvPathVolume -Path $Path
    if ($null -eq $volume) { return $null }
    $free = Get-HvField -Object $volume -Name 'SizeRemaining'
    if ($null -eq $free) { return $null }
    return [int64]$free
}

function Get-HvVmGuestIsoPath {
    $root = [string]$env:SystemRoot
    if ([string]::IsNullOrEmpty($root)) { $root = 'C:\Windows' }
    return (Join-HvPath -Parent $root -Child 'System32\vmguest.iso')
}

function Invoke-HvFactsAction {
    param([hashtable]$Context, $Request)
    # Read in this order (errors lists the facts that could not be read, in the order they were asked).
    $errors = New-Object System.Collections.Generic.List[object]
    Set-HvActivity -Context $Context -Step 'facts' -Cmdlet 'Get-CimInstance'
    $os = Read-HvOsFact -Errors $errors
    $vmHost = Get-HvFactOrError -Errors $errors -Fact 'hyperV' -Cmdlet 'Get-VMHost' -Read { @(Get-VMHost)[0] }
    $hyperV = ($null -ne $vmHost)
    $locale = Get-HvFactOrError -Errors $errors -Fact 'locale' -Cmdlet 'Get-WinSystemLocale' -Read { [string](@(Get-WinSystemLocale)[0]).Name }
    # Get-VMHostSupportedVersion arrived with Windows Server 2016 (the 2012 and 2012 R2 docsets
    # lack it): without it the list is unknown ($null), which is not an error of the host.
    $versions = $null
    if ($hyperV) {
        if (Test-HvCommand -Command 'Get-VMHostSupportedVersion') {
            $versions = Get-HvFactOrError -List -Errors $errors -Fact 'configurationVersions' -Cmdlet 'Get-VMHostSupportedVersion' -Read {
                @(@(Get-VMHostSupportedVersion) | ForEach-Object { [string]$_.Version })
            }
        }
    }
    $adapters = @(Get-HvFactOrError -Errors $errors -Fact 'nics' -Cmdlet 'Get-NetAdapter' -Read { Get-HvAllNetAdapters })
    $nics = Read-HvNicFacts -Errors $errors -Adapters $adapters
    $switches = Read-HvSwitchFacts -Errors $errors -HyperV $hyperV -Adapters $adapters
    $chimney = Get-HvFactOrError -Errors $errors -Fact 'chimney' -Cmdlet 'Get-NetOffloadGlobalSetting' -Read { [string](@(Get-NetOffloadGlobalSetting)[0]).Chimney }
    $isoPath = Get-HvVmGuestIsoPath
    $vmRoot = Resolve-HvVmRoot -Request $Request -Step 'facts'
    $free = $null
    if (-not [string]::IsNullOrEmpty($vmRoot)) { $free = Get-HvFactOrError -Errors $errors -Fact 'freeBytes' -Cmdlet 'Get-Volume' -Read { Get-HvFreeBytes -Path $vmRoot } }
    $vms = Read-HvVmFacts -Errors $errors -HyperV $hyperV
    # What a lab plan checks its networks against (docs/execution.md section 9).
    $ipAddresses = Get-HvFactOrError -List -Errors $errors -Fact 'ipAddresses' -Cmdlet 'Get-NetIPAddress' -Read {
        @(Get-HvIPv4Addresses) | ForEach-Object { [ordered]@{ interfaceAlias = [string]$_.InterfaceAlias; ipAddress = [string]$_.IPAddress; prefixLength = [int](Get-HvField -Object $_ -Name 'PrefixLength' -Default 0) } }
    }
    $netNats = Read-HvNetNatFacts -Errors $errors
    $vmAdapters = Read-HvVmAdapterFacts -Errors $errors -HyperV $hyperV
    $labRecords = $null
    if (-not [string]::IsNullOrEmpty($vmRoot)) { $labRecords = Get-HvFactOrError -List -Errors $errors -Fact 'labRecords' -Cmdlet 'Get-ChildItem' -Read { Read-HvLabRecords -Errors $errors -VmRoot $vmRoot } }
    $feature = Get-HvFactOrError -Errors $errors -Fact 'hyperVFeature' -Cmdlet 'Get-WindowsOptionalFeature' -Read {
        [string](@(Get-WindowsOptionalFeature -Online -FeatureName 'Microsoft-Hyper-V')[0]).State
    }
    $writable = $null
    if ((Test-HvTrue (Get-HvField -Object $Request -Name 'probeWrite')) -and -not [string]::IsNullOrEmpty($vmRoot) -and (Test-HvDirectory -Path $vmRoot)) {
        $writable = Test-HvVmRootWritable -Errors $errors -VmRoot $vmRoot
    }
    $cluster = [string](Get-HvField -Object $Request -Name 'cluster' -Default '')
    $nodes = $null
    $sharedVolumes = $null
    if ($cluster.Length -gt 0) {
        $nodes = Get-HvFactOrError -List -Errors $errors -Fact 'clusterNodes' -Cmdlet 'Get-ClusterNode' -Read { @(Get-HvLocalClusterNodes -Cluster $cluster | ForEach-Object { [ordered]@{ name = [string]$_.Name; state = [string](Get-HvField -Object $_ -Name 'State' -Default '') } }) }
        $sharedVolumes = Get-HvFactOrError -List -Errors $errors -Fact 'clusterSharedVolumes' -Cmdlet 'Get-ClusterSharedVolume' -Read {
                # The nodes above checked which cluster this is; when they could not be read, the
                # check runs again here, so that the volumes are never another cluster's.
                if ($null -eq $nodes) { [void](Get-HvLocalClusterNodes -Cluster $cluster) }
                @(Get-HvClusterSharedVolumePaths)
            }
    }

    $Context.Data = [ordered]@{
        computerName          = $(if ($null -ne $vmHost) { [string](Get-HvField -Object $vmHost -Name 'ComputerName' -Default '') } elseif ($null -ne $os) { $os.computerName } else { [System.Environment]::MachineName })
        os                    = $os
        hyperV                = $hyperV
        powershell            = $PSVersionTable.PSVersion.ToString()
        locale                = $locale
        configurationVersions = $versions
        virtualMachinePath    = $(if ($null -ne $vmHost) { Get-HvField -Object $vmHost -Name 'VirtualMachinePath' } else { $null })
        virtualHardDiskPath   = $(if ($null -ne $vmHost) { Get-HvField -Object $vmHost -Name 'VirtualHardDiskPath' } else { $null })
        switches              = $switches.ToArray()
        nics                  = $nics.ToArray()
        chimney               = $chimney
        vmguestIso            = [ordered]@{ path = $isoPath; present = (Test-HvFile -Path $isoPath) }
        vmRoot                = $vmRoot
        freeBytes             = $free
        vmNames               = $vms.Names
        vms                   = $vms.Vms.ToArray()
        hyperVFeature         = $feature
        user                  = ('{0}\{1}' -f [Environment]::UserDomainName, [Environment]::UserName)
        vmRootExists          = $(if ([string]::IsNullOrEmpty($vmRoot)) { $null } else { Test-HvDirectory -Path $vmRoot })
        vmRootWritable        = $writable
        clusterNodes          = $nodes
        clusterSharedVolumes  = $sharedVolumes
        ipAddresses           = $ipAddresses
        netNats               = $netNats
        vmAdapters            = $vmAdapters
        labRecords            = $labRecords
        errors                = $errors.ToArray()
    }
}

# ---- facts, one kind each

# The memory action (placement, docs/placement.md): the host's memory, one CIM query, so that
# asking every host before a plan costs little (facts reads everything else, and not this).
# Win32_OperatingSystem's properties are not localized, unlike the performance counters
# ("\Memory\Available Bytes" is translated). A host that cannot say fails the request.
function Invoke-HvMemoryAction {
    param([hashtable]$Context, $Request)
    $errors = New-Object System.Collections.Generic.List[object]
    Set-HvActivity -Context $Context -Step 'memory' -Cmdlet 'Get-VMHost'
    $vmHost = Get-HvFactOrError -Errors $errors -Fact 'hyperV' -Cmdlet 'Get-VMHost' -Read { @(Get-VMHost)[0] }
    Set-HvActivity -Context $Context -Step 'memory' -Cmdlet 'Get-CimInstance'
    $memory = Read-HvMemoryFact -Errors $errors -VmHost $vmHost
    if ($null -eq $memory) {
        $why = @($errors | Where-Object { $_.fact -eq 'memory' } | ForEach-Object { $_.message }) -join '; '
        throw (New-HvError -Step 'memory' -Cmdlet 'Get-CimInstance' -Message "the host's free memory could not be read: $why" -Category 'ReadError')
    }
    $Context.Data = $memory
}

# The switch-names action (a failover cluster's other nodes, before a create: docs/clusters.md):
# only the names of the host's virtual switches, one Get-VMSwitch, since comparing the nodes needs
# nothing else. A host that cannot say fails the request (the caller then does not compare it).
function Invoke-HvSwitchNamesAction {
    param([hashtable]$Context, $Request)
    Set-HvActivity -Context $Context -Step 'switch-names' -Cmdlet 'Get-VMSwitch'
    $names = New-Object System.Collections.Generic.List[string]
    foreach ($s in @(Get-VMSwitch)) { $names.Add([string](Get-HvField -Object $s -Name 'Name' -Default '')) }
    $Context.Data = [ordered]@{ names = $names.ToArray() }
}

# Free and total physical memory (Win32_OperatingSystem gives KB), and what Hyper-V says the host
# has for guests (Get-VMHost MemoryCapacity, bytes; null without the Hyper-V module).
function Read-HvMemoryFact {
    param([System.Collections.Generic.List[object]]$Errors, $VmHost)
    return (Get-HvFactOrError -Errors $Errors -Fact 'memory' -Cmdlet 'Get-CimInstance' -Read {
            $o = @(Get-CimInstance -ClassName 'Win32_OperatingSystem')[0]
            $capacity = $null
            if ($null -ne $VmHost) { $capacity = [int64](Get-HvField -Object $VmHost -Name 'MemoryCapacity' -Default 0) }
            [ordered]@{
                freeBytes     = [int64](Get-HvField -Object $o -Name 'FreePhysicalMemory' -Default 0) * 1024
                totalBytes    = [int64](Get-HvField -Object $o -Name 'TotalVisibleMemorySize' -Default 0) * 1024
                capacityBytes = $capacity
            }
        })
}

function Read-HvOsFact {
    param([System.Collections.Generic.List[object]]$Errors)
    return (Get-HvFactOrError -Errors $Errors -Fact 'os' -Cmdlet 'Get-CimInstance' -Read {
            $o = @(Get-CimInstance -ClassName 'Win32_OperatingSystem')[0]
            [ordered]@{
                caption      = [string](Get-HvField -Object $o -Name 'Caption' -Default '')
                version      = [string](Get-HvField -Object $o -Name 'Version' -Default '')
                buildNumber  = [string](Get-HvField -Object $o -Name 'BuildNumber' -Default '')
                computerName = [string](Get-HvField -Object $o -Name 'CSName' -Default '')
            }
        })
}

# The first of $Items (advanced properties, VMQ states) that belongs to adapter $Name, or $null.
function Select-HvAdapterItem {
    param($Items, [string]$Name)
    $found = @($Items | Where-Object { $null -ne $_ -and (Test-HvSameText -A ([string]$_.Name) -B $Name) })
    if ($found.Count -eq 0) { return $null }
    return $found[0]
}

# An advanced property as facts answers it: {value, valid}, or $null when the adapter has none.
function ConvertTo-HvPropertyFact {
    param($Property)
    if ($null -eq $Property) { return $null }
    return [ordered]@{ value = (Get-HvRegistryValue -Property $Property); valid = @(Get-HvValidRegistryValues -Property $Property) }
}

# Every adapter with what doctor checks of it: jumbo frames, TCP offload, VMQ. Returns the list.
function Read-HvNicFacts {
    param([System.Collections.Generic.List[object]]$Errors, $Adapters)
    $jumboProps = @(Get-HvFactOrError -Errors $Errors -Fact 'jumboPacket' -Cmdlet 'Get-NetAdapterAdvancedProperty' -Read { @(Select-HvObject -InputObject @(Get-NetAdapterAdvancedProperty -RegistryKeyword '*JumboPacket') -Property 'RegistryKeyword') })
    # Most NICs have no TCP Connection Offload property, and the cmdlet then fails ("No
    # MSFT_NetAdapterAdvancedPropertySettingData objects found"): that is an answer, not an error.
    $offloadProps = @(try { @(Select-HvObject -InputObject @(Get-NetAdapterAdvancedProperty -RegistryKeyword '*TCPConnectionOffloadIPv4') -Property 'RegistryKeyword') } catch { @() })
    $vmqProps = @(Get-HvFactOrError -Errors $Errors -Fact 'vmq' -Cmdlet 'Get-NetAdapterAdvancedProperty' -Read { @(Select-HvObject -InputObject @(Get-NetAdapterAdvancedProperty -RegistryKeyword '*VMQ') -Property 'RegistryKeyword') })
    $vmqStates = @(Get-HvFactOrError -Errors $Errors -Fact 'vmq' -Cmdlet 'Get-NetAdapterVmq' -Read { @(Select-HvObject -InputObject @(Get-NetAdapterVmq) -Property 'Name') })
    $nics = New-Object System.Collections.Generic.List[object]
    foreach ($a in $Adapters) {
        if ($null -eq $a) { continue }
        $n = [string]$a.Name
        $vmqState = Select-HvAdapterItem -Items $vmqStates -Name $n
        $nics.Add([ordered]@{
                name                 = $n
                interfaceDescription = [string](Get-HvField -Object $a -Name 'InterfaceDescription' -Default '')
                status               = [string](Get-HvField -Object $a -Name 'Status' -Default '')
                macAddress           = [string](Get-HvField -Object $a -Name 'MacAddress' -Default '')
                linkSpeed            = [string](Get-HvField -Object $a -Name 'LinkSpeed' -Default '')
                # "Native 802.11" is a Wi-Fi adapter, which cannot back an external switch
                mediaType            = [string](Get-HvField -Object $a -Name 'MediaType' -Default '')
                physicalMediaType    = [string](Get-HvField -Object $a -Name 'PhysicalMediaType' -Default '')
                virtual              = Test-HvTrue (Get-HvField -Object $a -Name 'Virtual' -Default $false)
                tcpOffload           = ConvertTo-HvPropertyFact -Property (Select-HvAdapterItem -Items $offloadProps -Name $n)
                jumboPacket          = ConvertTo-HvPropertyFact -Property (Select-HvAdapterItem -Items $jumboProps -Name $n)
                vmq                  = ConvertTo-HvPropertyFact -Property (Select-HvAdapterItem -Items $vmqProps -Name $n)
                vmqEnabled           = $(if ($null -ne $vmqState) { Test-HvTrue (Get-HvField -Object $vmqState -Name 'Enabled') } else { $null })
            })
    }
    return , $nics
}

# Every virtual switch, with the NICs it stands on (Get-HvSwitchPhysicalNics). Returns the list.
function Read-HvSwitchFacts {
    param([System.Collections.Generic.List[object]]$Errors, [bool]$HyperV, $Adapters)
    $switches = New-Object System.Collections.Generic.List[object]
    if (-not $HyperV) { return , $switches }
    foreach ($s in @(Get-HvFactOrError -Errors $Errors -Fact 'switches' -Cmdlet 'Get-VMSwitch' -Read { @(Select-HvObject -InputObject @(Get-VMSwitch) -Property 'Name') })) {
        if ($null -eq $s) { continue }
        $walk = @(Get-HvSwitchPhysicalNics -Switch $s -Adapters $Adapters)
        $hostAdapter = 'vEthernet ({0})' -f $s.Name
        $switches.Add([ordered]@{
                name              = [string]$s.Name
                type              = [string](Get-HvField -Object $s -Name 'SwitchType' -Default '')
                nicDescriptions   = @($walk | ForEach-Object { $_.Description })
                nics              = @($walk | Where-Object { $null -ne $_.Adapter } | ForEach-Object { [string]$_.Adapter.Name })
                allowManagementOS = Get-HvField -Object $s -Name 'AllowManagementOS'
                hostAdapter       = $(if ($null -ne (Find-HvNetAdapterByName -Name $hostAdapter -All $Adapters)) { $hostAdapter } else { $null })
                id                = $(if ($null -ne $s.Id) { ([string]$s.Id).ToLowerInvariant() } else { $null })
                notes             = $(if ([string]::IsNullOrEmpty([string]$s.Notes)) { $null } else { [string]$s.Notes })
            })
    }
    return , $switches
}

# The host's NetNats ({name, prefix}); $null with an error when the host has no NetNat module
# (Windows Server 2012 and 2012 R2: it came with 2016).
function Read-HvNetNatFacts {
    param([System.Collections.Generic.List[object]]$Errors)
    if (-not (Test-HvCommand -Command 'Get-NetNat')) {
        $Errors.Add([ordered]@{ fact = 'netNats'; cmdlet = 'Get-NetNat'; message = 'this host has no NetNat module (Windows Server 2016 and later have it)'; category = 'NotImplemented' })
        return $null
    }
    $nats = Get-HvFactOrError -List -Errors $Errors -Fact 'netNats' -Cmdlet 'Get-NetNat' -Read {
        foreach ($n in @(Get-HvNetNats)) { [ordered]@{ name = [string]$n.Name; prefix = [string](Get-HvField -Object $n -Name 'InternalIPInterfaceAddressPrefix' -Default '') } }
    }
    # The comma keeps the list whole (Get-HvFactOrError says why); $null stays $null.
    if ($null -eq $nats) { return $null }
    return , $nats
}

# Every VM network adapter ({vm, name, switch, macAddress}): the MACs a lab's static ones must not
# take, and the adapters that keep a switch in use.
function Read-HvVmAdapterFacts {
    param([System.Collections.Generic.List[object]]$Errors, [bool]$HyperV)
    if (-not $HyperV) { return , @() }
    $adapters = Get-HvFactOrError -List -Errors $Errors -Fact 'vmAdapters' -Cmdlet 'Get-VMNetworkAdapter' -Read {
        @(Select-HvObject -InputObject @(Get-VMNetworkAdapter -All) -Property 'Name') | Where-Object { -not [string]::IsNullOrEmpty([string](Get-HvField -Object $_ -Name 'VMName' -Default '')) } | ForEach-Object {
            $switchName = [string](Get-HvField -Object $_ -Name 'SwitchName' -Default '')
            [ordered]@{ vm = [string]$_.VMName; name = [string]$_.Name; switch = $(if ($switchName.Length -gt 0) { $switchName } else { $null }); macAddress = [string](Get-HvField -Object $_ -Name 'MacAddress' -Default '') }
        }
    }
    if ($null -eq $adapters) { return $null }
    return , $adapters
}

# The host's VMs: @{ Names (every VM's name); Vms (a list, each VM with its silent services) }.
function Read-HvVmFacts {
    param([System.Collections.Generic.List[object]]$Errors, [bool]$HyperV)
    $facts = @{ Names = @(); Vms = (New-Object System.Collections.Generic.List[object]) }
    if (-not $HyperV) { return $facts }
    $all = @(Get-HvFactOrError -Errors $Errors -Fact 'vms' -Cmdlet 'Get-VM' -Read { @(Get-HvAllVMs) })
    $facts.Names = @($all | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_.Name })
    foreach ($vm in $all) {
        if ($null -eq $vm) { continue }
        $facts.Vms.Add((New-HvVmFact -Errors $Errors -VM $vm))
    }
    return $facts
}

function New-HvVmFact {
    param([System.Collections.Generic.List[object]]$Errors, $VM)
    # Integration services that are on but do not answer (what a failover would meet).
    $silent = @(Get-HvFactOrError -Errors $Errors -Fact 'integrationServices' -Cmdlet 'Get-VMIntegrationService' -Read {
            @(Select-HvObject -InputObject @(Get-VMIntegrationService -VM $VM) -Property 'Id') | Where-Object {
                # PrimaryOperationalStatus is an enum (Ok, NoContact...): its name is the same in every locale
                (Test-HvTrue (Get-HvField -Object $_ -Name 'Enabled')) -and [string](Get-HvField -Object $_ -Name 'PrimaryOperationalStatus' -Default '') -ne 'Ok'
            } | ForEach-Object { [ordered]@{ id = (Get-HvIntegrationServiceGuid -Id ([string]$_.Id)); name = [string]$_.Name; status = [string](Get-HvField -Object $_ -Name 'PrimaryStatusDescription' -Default '') } }
        })
    return [ordered]@{
        name           = [string]$VM.Name
        state          = [string](Get-HvField -Object $VM -Name 'State' -Default '')
        version        = [string](Get-HvField -Object $VM -Name 'Version' -Default '')
        heartbeat      = [string](Get-HvField -Object $VM -Name 'Heartbeat' -Default '')
        clustered      = Test-HvTrue (Get-HvField -Object $VM -Name 'IsClustered' -Default $false)
        silentServices = @($silent | Where-Object { $null -ne $_ })
    }
}

# A file made and deleted at once: the only way to know hvguest may write in vmRoot.
function Test-HvVmRootWritable {
    param([System.Collections.Generic.List[object]]$Errors, [string]$VmRoot)
    $probe = Join-HvPath -Parent $VmRoot -Child ('.hvguest-doctor-' + [guid]::NewGuid().ToString('N') + '.tmp')
    $writable = Get-HvFactOrError -Errors $Errors -Fact 'vmRootWritable' -Cmdlet 'Set-Content' -Read {
        Write-HvTextFile -Path $probe -Text 'hvguest doctor'
        Remove-Item -LiteralPath $probe -Force
        $true
    }
    if ($null -eq $writable) { return $false }
    return $writable
}

function New-HvProblem {
    param([string]$Code, $Guest, [string]$Message, $Path = $null)
    $p = [ordered]@{ code = $Code; guest = $Guest; message = $Message }
    if ($null -ne $Path) { $p.path = $Path }
    return $p
}

function Invoke-HvPreflightAction {
    param([hashtable]$Context, $Request)
    $plan = Get-HvRequiredField -Object $Request -Name 'plan' -What 'the plan for this host'
    $replace = Test-HvTrue (Get-HvField -Object $Request -Name 'replace')
    $problems = New-Object System.Collections.Generic.List[object]
    $hosts = @(Get-HvField -Object $plan -Name 'hosts' -Default @())
    $guests = @(Get-HvField -Object $plan -Name 'guests' -Default @())
    $vmRoot = [string](Get-HvField -Object $Request -Name 'vmRoot' -Default '')
    if ($vmRoot.Length -eq 0 -and $hosts.Count -gt 0) { $vmRoot = [string](Get-HvField -Object $hosts[0] -Name 'vmRoot' -Default '') }

    Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-VM'
    $vms = @(Get-HvAllVMs)
    Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-VMSwitch'
    $switchNames = @(Select-HvObject -InputObject @(Get-VMSwitch) -Property 'Name' | ForEach-Object { [string]$_.Name })
    # Switches the run creates before its guests (a lab's networks): an adapter on one is not missing.
    $planned = @(@(Get-HvField -Object $Request -Name 'plannedSwitches' -Default @()) | Where-Object { -not [string]::IsNullOrEmpty([string]$_) } | ForEach-Object { [string]$_ })
    $existingSwitchNames = $switchNames
    $switchNames = @($switchNames) + @($planned | Where-Object { -not (Test-HvNameIn -Names $existingSwitchNames -Name $_) })

    Test-HvVmRootDrive -Problems $problems -VmRoot $vmRoot
    foreach ($h in $hosts) { Test-HvClusterStorage -Context $Context -Problems $problems -Cluster ([string](Get-HvField -Object $h -Name 'cluster' -Default '')) -VmRoot $vmRoot }
    foreach ($h in $hosts) { Test-HvJumboSettings -Context $Context -Problems $problems -HostEntry $h -SwitchNames $switchNames }
    # Disk paths planned so far, lower-cased, with the guest that plans each: a path planned twice is a problem.
    $seenTargets = @{}
    foreach ($g in $guests) {
        Test-HvGuestPlan -Context $Context -Problems $problems -Guest $g -Vms $vms -Replace $replace -VmRoot $vmRoot -SwitchNames $switchNames -SeenTargets $seenTargets
    }
    Test-HvDiskSpace -Context $Context -Problems $problems -Guests $guests -VmRoot $vmRoot
    # The host's own switches: a cluster's nodes are compared by the caller (switch-name-mismatch).
    $Context.Data = [ordered]@{ problems = $problems.ToArray(); guests = $guests.Count; vmRoot = $vmRoot; switches = @($existingSwitchNames) }
}

# ---- preflight, one check each: every problem goes to $Problems (New-HvProblem), in plan order.

function Test-HvNameIn {
    param($Names, [string]$Name)
    return (@($Names | Where-Object { Test-HvSameText -A $_ -B $Name }).Count -gt 0)
}

function Test-HvVmRootDrive {
    param([System.Collections.Generic.List[object]]$Problems, [string]$VmRoot)
    if ($VmRoot.Length -eq 0) { return }
    $letter = Get-HvDriveLetter -Path $VmRoot
    if ($null -ne $letter -and -not (Test-Path -LiteralPath ($letter + ':\'))) {
        $Problems.Add((New-HvProblem -Code 'vmroot-unavailable' -Message ("vmRoot {0}: the host has no drive {1}:" -f $VmRoot, $letter) -Path $VmRoot))
    }
}

# This node's own cluster, asked locally, and checked to be the one the inventory names: its nodes.
# No -Cluster NAME: that reaches the cluster's network name, which another node may own, and over
# ssh with a key the session has no credentials for that second hop (docs/clusters.md).
function Get-HvLocalClusterNodes {
    param([string]$Cluster)
    $nodes = @(Get-ClusterNode)
    foreach ($n in $nodes) {
        # ClusterNode.Cluster is the node's Cluster object, which reads as its name.
        $actual = [string](Get-HvField -Object $n -Name 'Cluster' -Default '')
        if ($actual.Length -gt 0 -and -not (Test-HvSameText -A $actual -B $Cluster)) {
            throw (New-HvError -Step 'cluster' -Cmdlet 'Get-ClusterNode' -Message ("this host is a node of cluster '{0}', not of '{1}' as the inventory says" -f $actual, $Cluster) -Category 'ObjectNotFound')
        }
    }
    return $nodes
}

# The Cluster Shared Volumes of this node's cluster (their paths), read from this node. The caller
# has checked that it is the inventory's cluster (Get-HvLocalClusterNodes).
function Get-HvClusterSharedVolumePaths {
    return @(foreach ($v in @(Get-ClusterSharedVolume)) {
            foreach ($info in @(Get-HvField -Object $v -Name 'SharedVolumeInfo' -Default @())) {
                $path = [string](Get-HvField -Object $info -Name 'FriendlyVolumeName' -Default '')
                if ($path.Length -gt 0) { $path }
            }
        })
}

# A cluster node's guests keep their files on a Cluster Shared Volume, or no other node could
# start them after a failover (and Add-ClusterVirtualMachineRole refuses them).
function Test-HvClusterStorage {
    param([hashtable]$Context, [System.Collections.Generic.List[object]]$Problems, [string]$Cluster, [string]$VmRoot)
    if ($Cluster.Length -eq 0 -or $VmRoot.Length -eq 0) { return }
    Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-ClusterSharedVolume'
    try {
        [void](Get-HvLocalClusterNodes -Cluster $Cluster)
        $paths = @(Get-HvClusterSharedVolumePaths)
    }
    catch {
        $Problems.Add((New-HvProblem -Code 'cluster-unavailable' -Message ("cluster {0}: this host could not read its Cluster Shared Volumes (Get-ClusterSharedVolume: {1})" -f $Cluster, (Get-HvErrorMessage -ErrorRecord $_))))
        return
    }
    if (-not (Test-HvPathUnder -Path $VmRoot -Roots $paths)) {
        $Problems.Add((New-HvProblem -Code 'vmroot-not-csv' -Path $VmRoot -Message ("vmRoot {0} is not on a Cluster Shared Volume of cluster {1} ({2}): another node could not start these guests after a failover" -f $VmRoot, $Cluster, $(if ($paths.Count -gt 0) { $paths -join ', ' } else { 'the cluster has none' }))))
    }
}

# Each jumbo entry's switch exists, and every adapter begin would set (Get-HvJumboTargets, the
# same derivation begin uses) accepts the value.
function Test-HvJumboSettings {
    param([hashtable]$Context, [System.Collections.Generic.List[object]]$Problems, $HostEntry, $SwitchNames)
    $network = Get-HvField -Object $HostEntry -Name 'network'
    foreach ($j in @(Get-HvField -Object $network -Name 'jumbo' -Default @())) {
        $sw = [string](Get-HvField -Object $j -Name 'switch')
        if (-not (Test-HvNameIn -Names $SwitchNames -Name $sw)) {
            $Problems.Add((New-HvProblem -Code 'switch-missing' -Message ("virtual switch '{0}' (jumbo frames {1}) does not exist on this host" -f $sw, (Get-HvField -Object $j -Name 'value'))))
            continue
        }
        $value = [string][long](Get-HvField -Object $j -Name 'value')
        Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-NetAdapterAdvancedProperty'
        $switch = Find-HvSwitch -Name $sw
        # A planned switch (not made yet) has no adapters to check.
        if ($null -eq $switch) { continue }
        $targets = @(Get-HvJumboTargets -Switch $switch -SwitchName $sw -Targets (Get-HvJumboEntryTargets -Entry $j) -Adapters (Get-HvAllNetAdapters))
        foreach ($t in @($targets | Where-Object { $null -eq $_.Reason })) {
            Test-HvJumboValue -Problems $Problems -AdapterName $t.AdapterName -SwitchName $sw -Value $value
        }
    }
}

function Test-HvJumboValue {
    param([System.Collections.Generic.List[object]]$Problems, [string]$AdapterName, [string]$SwitchName, [string]$Value)
    $prop = Find-HvAdvancedProperty -AdapterName $AdapterName -Keyword '*JumboPacket'
    if ($null -eq $prop) { return }
    $valid = @(Get-HvValidRegistryValues -Property $prop)
    if ($valid.Count -gt 0 -and -not ($valid -contains $Value)) {
        $Problems.Add((New-HvProblem -Code 'jumbo-value-invalid' -Message ("adapter '{0}' (switch '{1}') accepts *JumboPacket {2}, not {3}" -f $AdapterName, $SwitchName, ($valid -join ', '), $Value)))
    }
}

# One guest: its name is free (or replaceable), its drives, offline packages, floppy and switches.
function Test-HvGuestPlan {
    param([hashtable]$Context, [System.Collections.Generic.List[object]]$Problems, $Guest, $Vms, [bool]$Replace, [string]$VmRoot, $SwitchNames, [hashtable]$SeenTargets)
    $name = [string](Get-HvField -Object $Guest -Name 'name')
    $replaceable = Get-HvReplaceableFiles -Problems $Problems -Name $name -Vms $Vms -Replace $Replace -VmRoot $VmRoot
    foreach ($d in @(Get-HvField -Object $Guest -Name 'drives' -Default @())) {
        Test-HvDrivePlan -Context $Context -Problems $Problems -GuestName $name -Drive $d -Replaceable $replaceable -SeenTargets $SeenTargets
    }
    Test-HvOfflinePackages -Problems $Problems -GuestName $name -Integration (Get-HvField -Object $Guest -Name 'integration')
    $floppy = [string](Get-HvField -Object $Guest -Name 'floppy' -Default '')
    if ($floppy.Length -gt 0) {
        $Problems.Add((New-HvProblem -Code 'floppy-unsupported' -Guest $name -Message ("the runtime cannot attach floppy {0}: Set-VMFloppyDiskDrive is not among the documented cmdlets it may call" -f $floppy) -Path $floppy))
    }
    Test-HvAdapterSwitches -Problems $Problems -GuestName $name -Guest $Guest -SwitchNames $SwitchNames
}

# A VM of the guest's name is a problem, unless --replace: then the files its manifest lists may
# be planned again (they go with the VM). Returns those files.
function Get-HvReplaceableFiles {
    param([System.Collections.Generic.List[object]]$Problems, [string]$Name, $Vms, [bool]$Replace, [string]$VmRoot)
    $replaceable = New-Object System.Collections.Generic.List[string]
    $existing = @($Vms | Where-Object { Test-HvSameText -A ([string]$_.Name) -B $Name })
    if ($existing.Count -eq 0) { return , $replaceable.ToArray() }
    if (-not $Replace) {
        $Problems.Add((New-HvProblem -Code 'vm-exists' -Guest $Name -Message ("a VM named '{0}' already exists on this host; use --replace to replace it" -f $Name)))
        return , $replaceable.ToArray()
    }
    if ($VmRoot.Length -eq 0) { return , $replaceable.ToArray() }
    foreach ($vm in $existing) {
        $manifest = Read-HvManifest -Path (Get-HvManifestPath -VmRoot $VmRoot -VMId (Get-HvVMId -VM $vm))
        if ($null -eq $manifest) { continue }
        foreach ($f in @(Get-HvField -Object $manifest -Name 'files' -Default @())) { $replaceable.Add([string]$f) }
    }
    return , $replaceable.ToArray()
}

function Test-HvDrivePlan {
    param([hashtable]$Context, [System.Collections.Generic.List[object]]$Problems, [string]$GuestName, $Drive, $Replaceable, [hashtable]$SeenTargets)
    $kind = [string](Get-HvField -Object $Drive -Name 'kind')
    $role = [string](Get-HvField -Object $Drive -Name 'role')
    $path = [string](Get-HvField -Object $Drive -Name 'path' -Default '')
    $slot = Get-HvSlotText -Controller (Get-HvField -Object $Drive -Name 'controller')
    Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Test-Path'
    if ($kind -eq 'hdd') {
        Test-HvHardDiskPlan -Context $Context -Problems $Problems -GuestName $GuestName -Drive $Drive -Path $path -Slot $slot -Replaceable $Replaceable -SeenTargets $SeenTargets
    } elseif ($kind -eq 'dvd' -and $path.Length -gt 0 -and $role -ne 'firstboot-media') {
        if (-not (Test-HvFile -Path $path)) {
            $code = $(if ($role -eq 'integration-media') { 'ic-media-missing' } else { 'iso-missing' })
            $Problems.Add((New-HvProblem -Code $code -Guest $GuestName -Message ("the ISO {0} ({1}, {2}) does not exist" -f $path, $slot, $role) -Path $path))
        }
    }
}

# A hard disk: one to be made (created or copied) needs a free, unplanned path; one made from a
# parent or copy needs its source; a pass-through disk must exist and be offline; an existing
# disk must exist.
function Test-HvHardDiskPlan {
    param([hashtable]$Context, [System.Collections.Generic.List[object]]$Problems, [string]$GuestName, $Drive, [string]$Path, [string]$Slot, $Replaceable, [hashtable]$SeenTargets)
    $create = Get-HvField -Object $Drive -Name 'create'
    $copyFrom = [string](Get-HvField -Object $Drive -Name 'copyFrom' -Default '')
    $diskNumber = Get-HvField -Object $Drive -Name 'diskNumber'
    if ($null -ne $create -or $copyFrom.Length -gt 0) {
        Test-HvNewDiskPath -Problems $Problems -GuestName $GuestName -Drive $Drive -Path $Path -Slot $Slot -Replaceable $Replaceable -SeenTargets $SeenTargets
    }
    if ($null -ne $create) {
        $parent = [string](Get-HvField -Object $create -Name 'parentPath' -Default '')
        if ($parent.Length -gt 0 -and -not (Test-HvFile -Path $parent)) {
            $Problems.Add((New-HvProblem -Code 'parent-missing' -Guest $GuestName -Message ("the parent disk {0} of {1} does not exist" -f $parent, $Path) -Path $parent))
        }
    } elseif ($copyFrom.Length -gt 0) {
        if (-not (Test-HvFile -Path $copyFrom)) { $Problems.Add((New-HvProblem -Code 'copy-source-missing' -Guest $GuestName -Message ("{0} is to be copied from {1}, which does not exist" -f $Path, $copyFrom) -Path $copyFrom)) }
    } elseif ($null -ne $diskNumber) {
        Test-HvPassThroughDisk -Context $Context -Problems $Problems -GuestName $GuestName -DiskNumber $diskNumber -Slot $Slot
    } elseif ($Path.Length -gt 0 -and -not (Test-HvFile -Path $Path)) {
        $Problems.Add((New-HvProblem -Code 'disk-missing' -Guest $GuestName -Message ("the existing disk {0} ({1}) does not exist" -f $Path, $Slot) -Path $Path))
    }
}

# hvguest never overwrites a file (except one a replaced VM's manifest lists), and never plans a path twice.
function Test-HvNewDiskPath {
    param([System.Collections.Generic.List[object]]$Problems, [string]$GuestName, $Drive, [string]$Path, [string]$Slot, $Replaceable, [hashtable]$SeenTargets)
    if (Test-Path -LiteralPath $Path) {
        $ours = @($Replaceable | Where-Object { Test-HvSameText -A $_ -B $Path }).Count -gt 0
        if (-not $ours) { $Problems.Add((New-HvProblem -Code 'target-exists' -Guest $GuestName -Message ("{0} ({1}) would be created at {2}, which already exists; hvguest never overwrites a file" -f (Get-HvField -Object $Drive -Name 'name'), $Slot, $Path) -Path $Path)) }
    }
    $key = $Path.ToLowerInvariant()
    if ($SeenTargets.ContainsKey($key)) { $Problems.Add((New-HvProblem -Code 'target-duplicate' -Guest $GuestName -Message ("{0} is planned twice (also for {1})" -f $Path, $SeenTargets[$key]) -Path $Path)) }
    else { $SeenTargets[$key] = $GuestName }
}

function Test-HvPassThroughDisk {
    param([hashtable]$Context, [System.Collections.Generic.List[object]]$Problems, [string]$GuestName, $DiskNumber, [string]$Slot)
    Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-Disk'
    $disk = $null
    try { $disk = @(Get-Disk -Number ([uint32]$DiskNumber))[0] } catch { $disk = $null }
    if ($null -eq $disk) { $Problems.Add((New-HvProblem -Code 'passthrough-disk-missing' -Guest $GuestName -Message ("physical disk {0} ({1}) does not exist on this host" -f $DiskNumber, $Slot))) }
    elseif (-not (Test-HvTrue (Get-HvField -Object $disk -Name 'IsOffline'))) { $Problems.Add((New-HvProblem -Code 'passthrough-disk-online' -Guest $GuestName -Message ("physical disk {0} ({1}) is online; a pass-through disk must be offline on the host (Set-Disk -IsOffline `$true)" -f $DiskNumber, $Slot))) }
}

# The offline integration packages (.cab) a windows-offline guest is serviced with.
function Test-HvOfflinePackages {
    param([System.Collections.Generic.List[object]]$Problems, [string]$GuestName, $Integration)
    if ([string](Get-HvField -Object $Integration -Name 'strategy') -ne 'windows-offline') { return }
    foreach ($cab in @(Get-HvField -Object $Integration -Name 'offlinePackages' -Default @())) {
        if (-not (Test-HvFile -Path ([string]$cab))) { $Problems.Add((New-HvProblem -Code 'offline-package-missing' -Guest $GuestName -Message ("the integration package {0} does not exist" -f $cab) -Path ([string]$cab))) }
    }
}

function Test-HvAdapterSwitches {
    param([System.Collections.Generic.List[object]]$Problems, [string]$GuestName, $Guest, $SwitchNames)
    foreach ($a in @(Get-HvField -Object $Guest -Name 'networkAdapters' -Default @())) {
        $sw = [string](Get-HvField -Object $a -Name 'switch' -Default '')
        if ($sw.Length -gt 0 -and -not (Test-HvNameIn -Names $SwitchNames -Name $sw)) {
            $Problems.Add((New-HvProblem -Code 'switch-missing' -Guest $GuestName -Message ("adapter '{0}' connects to virtual switch '{1}', which does not exist on this host (switches: {2})" -f (Get-HvField -Object $a -Name 'name'), $sw, $(if (@($SwitchNames).Count -gt 0) { $SwitchNames -join ', ' } else { 'none' }))))
        }
    }
}

# Space for fixed disks and copies (dynamic and differencing disks start small).
function Test-HvDiskSpace {
    param([hashtable]$Context, [System.Collections.Generic.List[object]]$Problems, $Guests, [string]$VmRoot)
    if ($VmRoot.Length -eq 0) { return }
    $needed = Get-HvPlannedDiskBytes -Guests $Guests
    if ($needed -le 0) { return }
    Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-Volume'
    $free = $null
    try { $free = Get-HvFreeBytes -Path $VmRoot } catch { $free = $null }
    if ($null -ne $free -and $needed -gt $free) {
        $Problems.Add((New-HvProblem -Code 'disk-space-insufficient' -Message ("fixed disks and copies need {0} bytes on {1}, and the volume that holds it has {2} bytes free" -f $needed, $VmRoot, $free) -Path $VmRoot))
    }
}

# The bytes the plan's fixed disks and copies take at once.
function Get-HvPlannedDiskBytes {
    param($Guests)
    $needed = [int64]0
    foreach ($g in @($Guests)) {
        foreach ($d in @(Get-HvField -Object $g -Name 'drives' -Default @())) {
            $create = Get-HvField -Object $d -Name 'create'
            $copyFrom = [string](Get-HvField -Object $d -Name 'copyFrom' -Default '')
            if ($null -ne $create -and (Test-HvSameText -A ([string](Get-HvField -Object $create -Name 'type')) -B 'Fixed')) { $needed += [int64](Get-HvField -Object $create -Name 'sizeBytes' -Default 0) }
            elseif ($copyFrom.Length -gt 0 -and (Test-HvFile -Path $copyFrom)) { $needed += [int64](Get-Item -LiteralPath $copyFrom).Length }
        }
    }
    return $needed
}
