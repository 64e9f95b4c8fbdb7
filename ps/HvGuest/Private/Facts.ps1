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
    $errors = New-Object System.Collections.Generic.List[object]
    Set-HvActivity -Context $Context -Step 'facts' -Cmdlet 'Get-CimInstance'

    $os = Get-HvFactOrError -Errors $errors -Fact 'os' -Cmdlet 'Get-CimInstance' -Read {
        $o = @(Get-CimInstance -ClassName 'Win32_OperatingSystem')[0]
        [ordered]@{
            caption      = [string](Get-HvField -Object $o -Name 'Caption' -Default '')
            version      = [string](Get-HvField -Object $o -Name 'Version' -Default '')
            buildNumber  = [string](Get-HvField -Object $o -Name 'BuildNumber' -Default '')
            computerName = [string](Get-HvField -Object $o -Name 'CSName' -Default '')
        }
    }
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

    $nics = New-Object System.Collections.Generic.List[object]
    $adapters = @(Get-HvFactOrError -Errors $errors -Fact 'nics' -Cmdlet 'Get-NetAdapter' -Read { Get-HvAllNetAdapters })
    $jumboProps = @(Get-HvFactOrError -Errors $errors -Fact 'jumboPacket' -Cmdlet 'Get-NetAdapterAdvancedProperty' -Read { @(Select-HvObject -InputObject @(Get-NetAdapterAdvancedProperty -RegistryKeyword '*JumboPacket') -Property 'RegistryKeyword') })
    # Most NICs have no TCP Connection Offload property, and the cmdlet then fails ("No
    # MSFT_NetAdapterAdvancedPropertySettingData objects found"): that is an answer, not an error.
    $offloadProps = @(try { @(Select-HvObject -InputObject @(Get-NetAdapterAdvancedProperty -RegistryKeyword '*TCPConnectionOffloadIPv4') -Property 'RegistryKeyword') } catch { @() })
    $vmqProps = @(Get-HvFactOrError -Errors $errors -Fact 'vmq' -Cmdlet 'Get-NetAdapterAdvancedProperty' -Read { @(Select-HvObject -InputObject @(Get-NetAdapterAdvancedProperty -RegistryKeyword '*VMQ') -Property 'RegistryKeyword') })
    $vmqStates = @(Get-HvFactOrError -Errors $errors -Fact 'vmq' -Cmdlet 'Get-NetAdapterVmq' -Read { @(Select-HvObject -InputObject @(Get-NetAdapterVmq) -Property 'Name') })
    foreach ($a in $adapters) {
        if ($null -eq $a) { continue }
        $n = [string]$a.Name
        $jp = @($jumboProps | Where-Object { $null -ne $_ -and (Test-HvSameText -A ([string]$_.Name) -B $n) })
        $vp = @($vmqProps | Where-Object { $null -ne $_ -and (Test-HvSameText -A ([string]$_.Name) -B $n) })
        $vs = @($vmqStates | Where-Object { $null -ne $_ -and (Test-HvSameText -A ([string]$_.Name) -B $n) })
        $op = @($offloadProps | Where-Object { $null -ne $_ -and (Test-HvSameText -A ([string]$_.Name) -B $n) })
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
                tcpOffload           = $(if ($op.Count -gt 0) { [ordered]@{ value = (Get-HvRegistryValue -Property $op[0]); valid = @(Get-HvValidRegistryValues -Property $op[0]) } } else { $null })
                jumboPacket          = $(if ($jp.Count -gt 0) { [ordered]@{ value = (Get-HvRegistryValue -Property $jp[0]); valid = @(Get-HvValidRegistryValues -Property $jp[0]) } } else { $null })
                vmq                  = $(if ($vp.Count -gt 0) { [ordered]@{ value = (Get-HvRegistryValue -Property $vp[0]); valid = @(Get-HvValidRegistryValues -Property $vp[0]) } } else { $null })
                vmqEnabled           = $(if ($vs.Count -gt 0) { Test-HvTrue (Get-HvField -Object $vs[0] -Name 'Enabled') } else { $null })
            })
    }

    $switches = New-Object System.Collections.Generic.List[object]
    if ($hyperV) {
        foreach ($s in @(Get-HvFactOrError -Errors $errors -Fact 'switches' -Cmdlet 'Get-VMSwitch' -Read { @(Select-HvObject -InputObject @(Get-VMSwitch) -Property 'Name') })) {
            if ($null -eq $s) { continue }
            $descriptions = @(Get-HvSwitchNicDescriptions -Switch $s)
            $bound = @($descriptions | ForEach-Object { $nic = Find-HvNetAdapterByDescription -Description $_ -All $adapters; if ($null -ne $nic) { [string]$nic.Name } })
            $switches.Add([ordered]@{
                    name                  = [string]$s.Name
                    type                  = [string](Get-HvField -Object $s -Name 'SwitchType' -Default '')
                    nicDescriptions       = $descriptions
                    nics                  = $bound
                    allowManagementOS     = Get-HvField -Object $s -Name 'AllowManagementOS'
                    hostAdapter           = $(if ($null -ne (Find-HvNetAdapterByName -Name ('vEthernet ({0})' -f $s.Name) -All $adapters)) { 'vEthernet ({0})' -f $s.Name } else { $null })
                })
        }
    }
    $chimney = Get-HvFactOrError -Errors $errors -Fact 'chimney' -Cmdlet 'Get-NetOffloadGlobalSetting' -Read { [string](@(Get-NetOffloadGlobalSetting)[0]).Chimney }
    $isoPath = Get-HvVmGuestIsoPath
    $vmRoot = Resolve-HvVmRoot -Request $Request -Step 'facts'
    $free = $null
    if (-not [string]::IsNullOrEmpty($vmRoot)) { $free = Get-HvFactOrError -Errors $errors -Fact 'freeBytes' -Cmdlet 'Get-Volume' -Read { Get-HvFreeBytes -Path $vmRoot } }
    $vmNames = @()
    $vms = New-Object System.Collections.Generic.List[object]
    if ($hyperV) {
        $all = @(Get-HvFactOrError -Errors $errors -Fact 'vms' -Cmdlet 'Get-VM' -Read { @(Get-HvAllVMs) })
        $vmNames = @($all | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_.Name })
        foreach ($vm in $all) {
            if ($null -eq $vm) { continue }
            # Integration services that are on but do not answer (what a failover would meet).
            $silent = @(Get-HvFactOrError -Errors $errors -Fact 'integrationServices' -Cmdlet 'Get-VMIntegrationService' -Read {
                    @(Select-HvObject -InputObject @(Get-VMIntegrationService -VM $vm) -Property 'Id') | Where-Object {
                        # PrimaryOperationalStatus is an enum (Ok, NoContact...): its name is the same in every locale
                        (Test-HvTrue (Get-HvField -Object $_ -Name 'Enabled')) -and [string](Get-HvField -Object $_ -Name 'PrimaryOperationalStatus' -Default '') -ne 'Ok'
                    } | ForEach-Object { [ordered]@{ id = (Get-HvIntegrationServiceGuid -Id ([string]$_.Id)); name = [string]$_.Name; status = [string](Get-HvField -Object $_ -Name 'PrimaryStatusDescription' -Default '') } }
                })
            $vms.Add([ordered]@{
                    name      = [string]$vm.Name
                    state     = [string](Get-HvField -Object $vm -Name 'State' -Default '')
                    version   = [string](Get-HvField -Object $vm -Name 'Version' -Default '')
                    heartbeat = [string](Get-HvField -Object $vm -Name 'Heartbeat' -Default '')
                    clustered = Test-HvTrue (Get-HvField -Object $vm -Name 'IsClustered' -Default $false)
                    silentServices = @($silent | Where-Object { $null -ne $_ })
                })
        }
    }
    $feature = Get-HvFactOrError -Errors $errors -Fact 'hyperVFeature' -Cmdlet 'Get-WindowsOptionalFeature' -Read {
        [string](@(Get-WindowsOptionalFeature -Online -FeatureName 'Microsoft-Hyper-V')[0]).State
    }
    $writable = $null
    if ((Test-HvTrue (Get-HvField -Object $Request -Name 'probeWrite')) -and -not [string]::IsNullOrEmpty($vmRoot) -and (Test-HvDirectory -Path $vmRoot)) {
        # A file made and deleted at once: the only way to know hvguest may write there.
        $probe = Join-HvPath -Parent $vmRoot -Child ('.hvguest-doctor-' + [guid]::NewGuid().ToString('N') + '.tmp')
        $writable = Get-HvFactOrError -Errors $errors -Fact 'vmRootWritable' -Cmdlet 'Set-Content' -Read {
            Write-HvTextFile -Path $probe -Text 'hvguest doctor'
            Remove-Item -LiteralPath $probe -Force
            $true
        }
        if ($null -eq $writable) { $writable = $false }
    }
    $cluster = [string](Get-HvField -Object $Request -Name 'cluster' -Default '')
    $nodes = $null
    if ($cluster.Length -gt 0) {
        $nodes = Get-HvFactOrError -List -Errors $errors -Fact 'clusterNodes' -Cmdlet 'Get-ClusterNode' -Read { @(Get-ClusterNode -Cluster $cluster | ForEach-Object { [ordered]@{ name = [string]$_.Name; state = [string](Get-HvField -Object $_ -Name 'State' -Default '') } }) }
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
        vmNames               = $vmNames
        vms                   = $vms.ToArray()
        hyperVFeature         = $feature
        user                  = ('{0}\{1}' -f [Environment]::UserDomainName, [Environment]::UserName)
        vmRootExists          = $(if ([string]::IsNullOrEmpty($vmRoot)) { $null } else { Test-HvDirectory -Path $vmRoot })
        vmRootWritable        = $writable
        clusterNodes          = $nodes
        errors                = $errors.ToArray()
    }
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
    $hasSwitch = { param($n) @($switchNames | Where-Object { Test-HvSameText -A $_ -B $n }).Count -gt 0 }

    if ($vmRoot.Length -gt 0) {
        $letter = Get-HvDriveLetter -Path $vmRoot
        if ($null -ne $letter -and -not (Test-Path -LiteralPath ($letter + ':\'))) {
            $problems.Add((New-HvProblem -Code 'vmroot-unavailable' -Message ("vmRoot {0}: the host has no drive {1}:" -f $vmRoot, $letter) -Path $vmRoot))
        }
    }

    # Host settings.
    foreach ($h in $hosts) {
        $network = Get-HvField -Object $h -Name 'network'
        foreach ($j in @(Get-HvField -Object $network -Name 'jumbo' -Default @())) {
            $sw = [string](Get-HvField -Object $j -Name 'switch')
            if (-not (& $hasSwitch $sw)) {
                $problems.Add((New-HvProblem -Code 'switch-missing' -Message ("virtual switch '{0}' (jumbo frames {1}) does not exist on this host" -f $sw, (Get-HvField -Object $j -Name 'value'))))
                continue
            }
            $value = [string][long](Get-HvField -Object $j -Name 'value')
            Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-NetAdapterAdvancedProperty'
            $switch = Find-HvSwitch -Name $sw
            $names = New-Object System.Collections.Generic.List[string]
            foreach ($d in @(Get-HvSwitchNicDescriptions -Switch $switch)) { $nic = Find-HvNetAdapterByDescription -Description $d; if ($null -ne $nic) { $names.Add([string]$nic.Name) } }
            $names.Add(('vEthernet ({0})' -f $sw))
            foreach ($n in $names) {
                $prop = Find-HvAdvancedProperty -AdapterName $n -Keyword '*JumboPacket'
                if ($null -eq $prop) { continue }
                $valid = @(Get-HvValidRegistryValues -Property $prop)
                if ($valid.Count -gt 0 -and -not ($valid -contains $value)) {
                    $problems.Add((New-HvProblem -Code 'jumbo-value-invalid' -Message ("adapter '{0}' (switch '{1}') accepts *JumboPacket {2}, not {3}" -f $n, $sw, ($valid -join ', '), $value)))
                }
            }
        }
    }

    # Guests.
    $seenTargets = @{}
    foreach ($g in $guests) {
        $name = [string](Get-HvField -Object $g -Name 'name')
        $existing = @($vms | Where-Object { Test-HvSameText -A ([string]$_.Name) -B $name })
        $replaceable = New-Object System.Collections.Generic.List[string]
        if ($existing.Count -gt 0) {
            if (-not $replace) {
                $problems.Add((New-HvProblem -Code 'vm-exists' -Guest $name -Message ("a VM named '{0}' already exists on this host; use --replace to replace it" -f $name)))
            } elseif ($vmRoot.Length -gt 0) {
                foreach ($vm in $existing) {
                    $mp = Get-HvManifestPath -VmRoot $vmRoot -VMId (Get-HvVMId -VM $vm)
                    if (Test-HvFile -Path $mp) { foreach ($f in @(Get-HvField -Object (Read-HvJsonFile -Path $mp) -Name 'files' -Default @())) { $replaceable.Add([string]$f) } }
                }
            }
        }
        $integration = Get-HvField -Object $g -Name 'integration'
        foreach ($d in @(Get-HvField -Object $g -Name 'drives' -Default @())) {
            $kind = [string](Get-HvField -Object $d -Name 'kind')
            $role = [string](Get-HvField -Object $d -Name 'role')
            $path = [string](Get-HvField -Object $d -Name 'path' -Default '')
            $create = Get-HvField -Object $d -Name 'create'
            $copyFrom = [string](Get-HvField -Object $d -Name 'copyFrom' -Default '')
            $diskNumber = Get-HvField -Object $d -Name 'diskNumber'
            $slot = Get-HvSlotText -Controller (Get-HvField -Object $d -Name 'controller')
            Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Test-Path'
            if ($kind -eq 'hdd') {
                if ($null -ne $create -or $copyFrom.Length -gt 0) {
                    if (Test-Path -LiteralPath $path) {
                        $ours = @($replaceable | Where-Object { Test-HvSameText -A $_ -B $path }).Count -gt 0
                        if (-not $ours) { $problems.Add((New-HvProblem -Code 'target-exists' -Guest $name -Message ("{0} ({1}) would be created at {2}, which already exists; hvguest never overwrites a file" -f (Get-HvField -Object $d -Name 'name'), $slot, $path) -Path $path)) }
                    }
                    $key = $path.ToLowerInvariant()
                    if ($seenTargets.ContainsKey($key)) { $problems.Add((New-HvProblem -Code 'target-duplicate' -Guest $name -Message ("{0} is planned twice (also for {1})" -f $path, $seenTargets[$key]) -Path $path)) }
                    else { $seenTargets[$key] = $name }
                }
                if ($null -ne $create) {
                    $parent = [string](Get-HvField -Object $create -Name 'parentPath' -Default '')
                    if ($parent.Length -gt 0 -and -not (Test-HvFile -Path $parent)) {
                        $problems.Add((New-HvProblem -Code 'parent-missing' -Guest $name -Message ("the parent disk {0} of {1} does not exist" -f $parent, $path) -Path $parent))
                    }
                } elseif ($copyFrom.Length -gt 0) {
                    if (-not (Test-HvFile -Path $copyFrom)) { $problems.Add((New-HvProblem -Code 'copy-source-missing' -Guest $name -Message ("{0} is to be copied from {1}, which does not exist" -f $path, $copyFrom) -Path $copyFrom)) }
                } elseif ($null -ne $diskNumber) {
                    Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-Disk'
                    $disk = $null
                    try { $disk = @(Get-Disk -Number ([uint32]$diskNumber))[0] } catch { $disk = $null }
                    if ($null -eq $disk) { $problems.Add((New-HvProblem -Code 'passthrough-disk-missing' -Guest $name -Message ("physical disk {0} ({1}) does not exist on this host" -f $diskNumber, $slot))) }
                    elseif (-not (Test-HvTrue (Get-HvField -Object $disk -Name 'IsOffline'))) { $problems.Add((New-HvProblem -Code 'passthrough-disk-online' -Guest $name -Message ("physical disk {0} ({1}) is online; a pass-through disk must be offline on the host (Set-Disk -IsOffline `$true)" -f $diskNumber, $slot))) }
                } elseif ($path.Length -gt 0 -and -not (Test-HvFile -Path $path)) {
                    $problems.Add((New-HvProblem -Code 'disk-missing' -Guest $name -Message ("the existing disk {0} ({1}) does not exist" -f $path, $slot) -Path $path))
                }
            } elseif ($kind -eq 'dvd' -and $path.Length -gt 0 -and $role -ne 'firstboot-media') {
                if (-not (Test-HvFile -Path $path)) {
                    $code = $(if ($role -eq 'integration-media') { 'ic-media-missing' } else { 'iso-missing' })
                    $problems.Add((New-HvProblem -Code $code -Guest $name -Message ("the ISO {0} ({1}, {2}) does not exist" -f $path, $slot, $role) -Path $path))
                }
            }
        }
        if ([string](Get-HvField -Object $integration -Name 'strategy') -eq 'windows-offline') {
            foreach ($cab in @(Get-HvField -Object $integration -Name 'offlinePackages' -Default @())) {
                if (-not (Test-HvFile -Path ([string]$cab))) { $problems.Add((New-HvProblem -Code 'offline-package-missing' -Guest $name -Message ("the integration package {0} does not exist" -f $cab) -Path ([string]$cab))) }
            }
        }
        $floppy = [string](Get-HvField -Object $g -Name 'floppy' -Default '')
        if ($floppy.Length -gt 0) {
            $problems.Add((New-HvProblem -Code 'floppy-unsupported' -Guest $name -Message ("the runtime cannot attach floppy {0}: Set-VMFloppyDiskDrive is not among the documented cmdlets it may call" -f $floppy) -Path $floppy))
        }
        foreach ($a in @(Get-HvField -Object $g -Name 'networkAdapters' -Default @())) {
            $sw = [string](Get-HvField -Object $a -Name 'switch' -Default '')
            if ($sw.Length -gt 0 -and -not (& $hasSwitch $sw)) {
                $problems.Add((New-HvProblem -Code 'switch-missing' -Guest $name -Message ("adapter '{0}' connects to virtual switch '{1}', which does not exist on this host (switches: {2})" -f (Get-HvField -Object $a -Name 'name'), $sw, $(if ($switchNames.Count -gt 0) { $switchNames -join ', ' } else { 'none' }))))
            }
        }
    }

    # Space for fixed disks and copies (dynamic and differencing disks start small).
    if ($vmRoot.Length -gt 0) {
        $needed = [int64]0
        foreach ($g in $guests) {
            foreach ($d in @(Get-HvField -Object $g -Name 'drives' -Default @())) {
                $create = Get-HvField -Object $d -Name 'create'
                $copyFrom = [string](Get-HvField -Object $d -Name 'copyFrom' -Default '')
                if ($null -ne $create -and (Test-HvSameText -A ([string](Get-HvField -Object $create -Name 'type')) -B 'Fixed')) { $needed += [int64](Get-HvField -Object $create -Name 'sizeBytes' -Default 0) }
                elseif ($copyFrom.Length -gt 0 -and (Test-HvFile -Path $copyFrom)) { $needed += [int64](Get-Item -LiteralPath $copyFrom).Length }
            }
        }
        if ($needed -gt 0) {
            Set-HvActivity -Context $Context -Step 'preflight' -Cmdlet 'Get-Volume'
            $free = $null
            try { $free = Get-HvFreeBytes -Path $vmRoot } catch { $free = $null }
            if ($null -ne $free -and $needed -gt $free) {
                $problems.Add((New-HvProblem -Code 'disk-space-insufficient' -Message ("fixed disks and copies need {0} bytes on {1}, and the volume that holds it has {2} bytes free" -f $needed, $vmRoot, $free) -Path $vmRoot))
            }
        }
    }
    $Context.Data = [ordered]@{ problems = $problems.ToArray(); guests = $guests.Count; vmRoot = $vmRoot }
}
