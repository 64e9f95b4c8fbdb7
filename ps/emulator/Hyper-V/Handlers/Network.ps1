# Add/Get/Set/Remove-VMNetworkAdapter, Connect-VMNetworkAdapter, Set-VMNetworkAdapterVlan,
# Get-VMSwitch (New-, Set-, Remove-VMSwitch: Switch.ps1).

function ConvertTo-MacAddress {
    param([string]$Value)
    $mac = ($Value -replace '[-:.]', '').ToUpperInvariant()
    if ($mac -notmatch '^[0-9A-F]{12}$' -or ([Convert]::ToInt32($mac.Substring(0, 2), 16) -band 1) -eq 1) {
        Stop-HvEmulatorCommand -Message "The MAC address '$Value' is not valid: give 12 hexadecimal digits of a unicast address." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    $mac
}

function Resolve-AdapterTargets {
    # (vm, adapter) pairs from -VMNetworkAdapter objects, or -VMName/-VM plus an optional name.
    param($Ctx, [string]$NameParameter = 'Name', [switch]$AllWhenNoName)
    $result = [System.Collections.Generic.List[object]]::new()
    if (Test-Bound $Ctx 'VMNetworkAdapter') {
        foreach ($o in @($Ctx.Parameters['VMNetworkAdapter'])) {
            $vm = Find-VMById $Ctx.State (Get-ObjectVMId $o)
            $id = [string](Get-PropertyValue $o 'Id')
            $adapter = if ($vm) { @($vm.networkAdapters) | Where-Object { $null -ne $_ -and $id.EndsWith("\$($_.id)", [System.StringComparison]::OrdinalIgnoreCase) } | Select-Object -First 1 } else { $null }
            if (-not $adapter) { Stop-HvEmulatorCommand -Message "Hyper-V was unable to find the network adapter passed to -VMNetworkAdapter ('$id')." -Category InvalidArgument -ErrorId 'InvalidParameter' }
            $result.Add(@{ vm = $vm; adapter = $adapter })
        }
        return $result.ToArray()
    }
    $name = Get-Bound $Ctx $NameParameter
    foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        $found = @(@($vm.networkAdapters) | Where-Object { $null -ne $_ -and ($null -eq $name -or @($name) -contains [string]$_.name) })
        if ($found.Count -eq 0 -and $null -ne $name) {
            Stop-HvEmulatorCommand -Message "No network adapter is found with the given input: virtual machine '$($vm.name)' has no adapter named '$(@($name) -join ', ')'." -Category ObjectNotFound -ErrorId 'ObjectNotFound'
        }
        foreach ($a in $found) { $result.Add(@{ vm = $vm; adapter = $a }) }
    }
    $result.ToArray()
}

$script:Handlers['Add-VMNetworkAdapter'] = {
    param($Ctx)
    $state = $Ctx.State
    $hostProfile = Get-HostProfileOfState $state
    if ($Ctx.ParameterSet -eq 'ManagementOS') {
        $name = [string](Get-Bound $Ctx 'Name' 'Network Adapter')
        $switch = Find-Switch $Ctx ([string](Get-Bound $Ctx 'SwitchName' ''))
        $ifIndex = (@($state.netAdapters) | ForEach-Object { [int]$_.ifIndex } | Measure-Object -Maximum).Maximum + 1
        Add-ToList $state 'netAdapters' (New-HvEmulatorVirtualAdapterRecord -SwitchName ([string]$switch.name) -Name $name -IfIndex $ifIndex)
        return
    }
    foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        $legacy = [bool](Get-Bound $Ctx 'IsLegacy' $false)
        if ($legacy -and [int]$vm.generation -ne 1) {
            Stop-HvEmulatorCommand -Message "Failed to add device 'Legacy Network Adapter'. Generation 2 virtual machines do not support legacy network adapters ('$($vm.name)')." -Category InvalidOperation -ErrorId 'InvalidOperation'
        }
        if ($legacy -and $vm.state -ne 'Off') {
            Stop-HvEmulatorCommand -Message "Failed to add device 'Legacy Network Adapter'. A legacy network adapter cannot be added while '$($vm.name)' is $($vm.state)." -Category InvalidOperation -ErrorId 'InvalidState'
        }
        $count = @(@($vm.networkAdapters) | Where-Object { $null -ne $_ -and [bool]$_.isLegacy -eq $legacy }).Count
        $max = if ($legacy) { $hostProfile.MaxLegacyAdapters } else { $hostProfile.MaxSyntheticAdapters }
        if ($count -ge $max) {
            $kind = if ($legacy) { 'legacy' } else { 'synthetic' }
            Stop-HvEmulatorCommand -Message "Failed to add device '$(if ($legacy) { 'Legacy Network Adapter' } else { 'Synthetic Ethernet Port' })'. Virtual machine '$($vm.name)' already has $count $kind network adapters, the maximum on this host ($($state.host.os))." -Category ResourceUnavailable -ErrorId 'AdapterLimit'
        }
        $switchName = $null
        if (Test-Bound $Ctx 'SwitchName') { $switchName = [string](Find-Switch $Ctx ([string]$Ctx.Parameters['SwitchName'])).name }
        $mac = if (Test-Bound $Ctx 'StaticMacAddress') { ConvertTo-MacAddress ([string]$Ctx.Parameters['StaticMacAddress']) } else { $null }
        $name = [string](Get-Bound $Ctx 'Name' $(if ($legacy) { 'Legacy Network Adapter' } else { 'Network Adapter' }))
        $adapter = New-AdapterRecord -Name $name -IsLegacy $legacy -SwitchName $switchName -StaticMac $mac
        if (Test-Bound $Ctx 'DeviceNaming') { $adapter.deviceNaming = [string]$Ctx.Parameters['DeviceNaming'] }
        Save-OtherSettings -Ctx $Ctx -Target $adapter -Handled @('IsLegacy', 'SwitchName', 'StaticMacAddress', 'DynamicMacAddress', 'DeviceNaming')
        Add-ToList $vm 'networkAdapters' $adapter
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-AdapterObject -State $state -Vm $vm -Adapter $adapter }
    }
}

$script:Handlers['Get-VMNetworkAdapter'] = {
    param($Ctx)
    $state = $Ctx.State
    $name = Get-Bound $Ctx 'Name'
    switch ($Ctx.ParameterSet) {
        'VMSnapshot' { return }
        'ManagementOS' {
            foreach ($n in @($state.netAdapters)) {
                if ($null -eq $n -or -not $n.virtual -or -not $n.Contains('switchName')) { continue }
                $short = ([string]$n.name) -replace '^vEthernet \((.*)\)$', '$1'
                if ($null -ne $name -and $short -ne $name) { continue }
                if ((Test-Bound $Ctx 'SwitchName') -and $n.switchName -ne $Ctx.Parameters['SwitchName']) { continue }
                ConvertTo-AdapterObject -State $state -Vm $null -Adapter ([ordered]@{ id = [guid]::Empty.ToString(); name = $short; isLegacy = $false; switchName = $n.switchName; macAddress = ([string]$n.macAddress -replace '-', ''); dynamicMacAddressEnabled = $true; vmqWeight = 100; macAddressSpoofing = 'Off'; deviceNaming = 'Off' })
            }
        }
        'All' {
            foreach ($vm in @($state.vms)) {
                foreach ($a in @($vm.networkAdapters)) { if ($null -ne $a -and ($null -eq $name -or $a.name -eq $name)) { ConvertTo-AdapterObject -State $state -Vm $vm -Adapter $a } }
            }
        }
        default {
            foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
                foreach ($a in @($vm.networkAdapters)) {
                    if ($null -eq $a) { continue }
                    if ($null -ne $name -and $a.name -ne $name) { continue }
                    if ((Test-Bound $Ctx 'IsLegacy') -and [bool]$a.isLegacy -ne [bool]$Ctx.Parameters['IsLegacy']) { continue }
                    ConvertTo-AdapterObject -State $state -Vm $vm -Adapter $a
                }
            }
        }
    }
}

$script:Handlers['Set-VMNetworkAdapter'] = {
    param($Ctx)
    $state = $Ctx.State
    if ($Ctx.ParameterSet -eq 'ManagementOS') {
        Save-OtherSettings -Ctx $Ctx -Target $state.host -Handled @()
        return
    }
    foreach ($t in (Resolve-AdapterTargets $Ctx)) {
        $a = $t.adapter
        if (Test-Bound $Ctx 'StaticMacAddress') {
            $a.macAddress = ConvertTo-MacAddress ([string]$Ctx.Parameters['StaticMacAddress'])
            $a.dynamicMacAddressEnabled = $false
        }
        if (Get-Bound $Ctx 'DynamicMacAddress') {
            $a.dynamicMacAddressEnabled = $true
            $a.macAddress = '000000000000'
        }
        if (Test-Bound $Ctx 'VmqWeight') {
            $w = [uint32]$Ctx.Parameters['VmqWeight']
            if ($w -gt 100) { Stop-HvEmulatorCommand -Message "The VMQ weight $w is not valid: use 0 (VMQ off) to 100." -Category InvalidArgument -ErrorId 'InvalidParameter' }
            $a.vmqWeight = [int]$w
        }
        if (Test-Bound $Ctx 'MacAddressSpoofing') { $a.macAddressSpoofing = [string]$Ctx.Parameters['MacAddressSpoofing'] }
        if (Test-Bound $Ctx 'DeviceNaming') { $a.deviceNaming = [string]$Ctx.Parameters['DeviceNaming'] }
        Save-OtherSettings -Ctx $Ctx -Target $a -Handled @('StaticMacAddress', 'DynamicMacAddress', 'VmqWeight', 'MacAddressSpoofing', 'DeviceNaming')
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-AdapterObject -State $state -Vm $t.vm -Adapter $a }
    }
}

$script:Handlers['Remove-VMNetworkAdapter'] = {
    param($Ctx)
    $state = $Ctx.State
    if ($Ctx.ParameterSet -eq 'ManagementOS') {
        $name = [string](Get-Bound $Ctx 'Name' '')
        Remove-FromList $state 'netAdapters' { param($n) $n.virtual -and $n.Contains('switchName') -and $n.name -eq "vEthernet ($name)" }
        # The adapter's addresses go with it.
        if ($state.Contains('netIPAddresses')) { Remove-FromList $state 'netIPAddresses' { param($r) [string]$r.interfaceAlias -eq "vEthernet ($name)" } }
        return
    }
    foreach ($t in (Resolve-AdapterTargets $Ctx)) {
        if ($t.adapter.isLegacy -and $t.vm.state -ne 'Off') {
            Stop-HvEmulatorCommand -Message "Failed to remove device 'Legacy Network Adapter' while '$($t.vm.name)' is $($t.vm.state)." -Category InvalidOperation -ErrorId 'InvalidState'
        }
        $object = ConvertTo-AdapterObject -State $state -Vm $t.vm -Adapter $t.adapter
        Remove-FromList $t.vm 'networkAdapters' { param($x) $x.id -eq $t.adapter.id }
        if (Get-Bound $Ctx 'Passthru') { $object }
    }
}

$script:Handlers['Connect-VMNetworkAdapter'] = {
    param($Ctx)
    $state = $Ctx.State
    $switchName = $null
    if (Test-Bound $Ctx 'SwitchName') { $switchName = [string](Find-Switch $Ctx ([string]$Ctx.Parameters['SwitchName'])).name }
    elseif (Test-Bound $Ctx 'VMSwitch') { $switchName = [string](Find-Switch $Ctx ([string](Get-PropertyValue $Ctx.Parameters['VMSwitch'] 'Name'))).name }
    elseif (Get-Bound $Ctx 'UseAutomaticConnection') {
        Stop-HvEmulatorCommand -Message 'Automatic connection needs a resource pool; the emulated host has none.' -Category InvalidOperation -ErrorId 'NotSupported'
    }
    foreach ($t in (Resolve-AdapterTargets $Ctx)) {
        $t.adapter.switchName = $switchName
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-AdapterObject -State $state -Vm $t.vm -Adapter $t.adapter }
    }
}

$script:Handlers['Set-VMNetworkAdapterVlan'] = {
    param($Ctx)
    $state = $Ctx.State
    $modes = @('Untagged', 'Access', 'Trunk', 'Isolated', 'Community', 'Promiscuous') | Where-Object { Get-Bound $Ctx $_ }
    if (@($modes).Count -gt 1) {
        Stop-HvEmulatorCommand -Message "Specify only one VLAN mode; got $(@($modes) -join ', ')." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    $mode = @($modes)[0]
    $vlanId = Get-Bound $Ctx 'VlanId'
    if ($mode -eq 'Access' -and ($null -eq $vlanId -or [int]$vlanId -lt 1 -or [int]$vlanId -gt 4094)) {
        Stop-HvEmulatorCommand -Message "Access mode needs -VlanId between 1 and 4094 ($(if ($null -eq $vlanId) { 'none given' } else { $vlanId }))." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    if ($mode -eq 'Trunk' -and -not (Test-Bound $Ctx 'AllowedVlanIdList')) {
        Stop-HvEmulatorCommand -Message 'Trunk mode needs -AllowedVlanIdList and -NativeVlanId.' -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    if ($Ctx.ParameterSet -eq 'ManagementOS') { return }
    foreach ($t in (Resolve-AdapterTargets $Ctx 'VMNetworkAdapterName')) {
        $v = $t.adapter.vlan
        switch ($mode) {
            'Untagged' { $v.mode = 'Untagged'; $v.accessVlanId = 0 }
            'Access' { $v.mode = 'Access'; $v.accessVlanId = [int]$vlanId }
            'Trunk' { $v.mode = 'Trunk'; $v.allowedVlanIdList = [string]$Ctx.Parameters['AllowedVlanIdList']; $v.nativeVlanId = [int](Get-Bound $Ctx 'NativeVlanId' 0) }
            { $_ -in 'Isolated', 'Community', 'Promiscuous' } {
                $v.mode = 'Private'; $v.privateVlanMode = $mode
                $v.primaryVlanId = [int](Get-Bound $Ctx 'PrimaryVlanId' 0); $v.secondaryVlanId = [int](Get-Bound $Ctx 'SecondaryVlanId' 0)
                $v.secondaryVlanIdList = [string](Get-Bound $Ctx 'SecondaryVlanIdList' '')
            }
        }
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-VlanObject -Adapter $t.adapter }
    }
}

$script:Handlers['Get-VMSwitch'] = {
    param($Ctx)
    $state = $Ctx.State
    $switches = @($state.switches | Where-Object { $null -ne $_ })
    if (Test-Bound $Ctx 'Name') {
        $pattern = [string]$Ctx.Parameters['Name']
        $wildcard = [System.Management.Automation.WildcardPattern]::new($pattern, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        $switches = @($switches | Where-Object { $wildcard.IsMatch([string]$_.name) })
        if ($switches.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($pattern)) {
            Stop-HvEmulatorCommand -Message "Hyper-V was unable to find a virtual switch with name `"$pattern`"." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $pattern
        }
    }
    if (Test-Bound $Ctx 'Id') {
        $ids = @($Ctx.Parameters['Id'] | ForEach-Object { "$_" })
        $switches = @($switches | Where-Object { $ids -contains [string]$_.id })
    }
    if (Test-Bound $Ctx 'SwitchType') {
        $types = @($Ctx.Parameters['SwitchType'])
        $switches = @($switches | Where-Object { $types -contains [string]$_.switchType })
    }
    foreach ($s in $switches) { ConvertTo-SwitchObject -State $state -Switch $s }
}
