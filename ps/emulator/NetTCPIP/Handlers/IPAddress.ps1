# Get/New/Remove-NetIPAddress: the host's IPv4 addresses (state netIPAddresses[]; which ones an
# External switch moves or hides: Shared/HostNetwork.ps1). The objects are MSFT_NetIPAddress
# instances with the class's documented properties (reference/hyperv-types/cim-classes.json).

# The query parameters of Get-/Remove-NetIPAddress -> the record field each filters on.
$script:AddressFilters = [ordered]@{
    IPAddress = 'ipAddress'; InterfaceIndex = 'interfaceIndex'; InterfaceAlias = 'interfaceAlias'; AddressFamily = 'addressFamily'
    Type = 'type'; PrefixLength = 'prefixLength'; PrefixOrigin = 'prefixOrigin'; SuffixOrigin = 'suffixOrigin'
    AddressState = 'addressState'; SkipAsSource = 'skipAsSource'
}

function ConvertTo-NetIPAddressObject {
    # One MSFT_NetIPAddress as the cmdlets return it: enum values by name, lifetimes as TimeSpan
    # (a manual address's are infinite), PolicyStore the store it was read from.
    param($Record, [string]$Store = 'ActiveStore', [string]$AddressState = [string]$Record.addressState)
    $infinite = [TimeSpan]::MaxValue
    $props = [ordered]@{
        InstanceID = "$($Record.interfaceIndex);$($Record.ipAddress);$Store"
        Caption = $null; ElementName = $null; InstallDate = $null; StatusDescriptions = $null; Status = $null
        HealthState = $null; CommunicationStatus = $null; DetailedStatus = $null; OperatingStatus = $null; PrimaryStatus = $null
        OtherEnabledState = $null; RequestedState = [uint16]12; EnabledDefault = [uint16]2; TransitioningToState = [uint16]12
        AvailableRequestedStates = $null; SystemCreationClassName = $null; SystemName = $null; CreationClassName = $null
        Description = $null; Name = $null; OperationalStatus = $null; EnabledState = $null; TimeOfLastStateChange = $null
        NameFormat = $null; ProtocolType = $null; OtherTypeDescription = $null; ProtocolIFType = [uint16]4096
        IPv4Address = [string]$Record.ipAddress; IPv6Address = ''; Address = $null; SubnetMask = $null
        PrefixLength = [byte]$Record.prefixLength; AddressType = $null; IPVersionSupport = $null; AddressOrigin = [uint16]0
        InterfaceIndex = [uint32]$Record.interfaceIndex; InterfaceAlias = [string]$Record.interfaceAlias
        IPAddress = [string]$Record.ipAddress; AddressFamily = [string]$Record.addressFamily; Type = [string]$Record.type
        Store = $Store; PrefixOrigin = [string]$Record.prefixOrigin; SuffixOrigin = [string]$Record.suffixOrigin
        AddressState = $AddressState; ValidLifetime = $infinite; PreferredLifetime = $infinite; SkipAsSource = [bool]$Record.skipAsSource
        PolicyStore = $Store
    }
    Add-CimTypeName -Namespace 'ROOT/StandardCimv2' -Class 'MSFT_NetIPAddress' -Properties $props
}

function Test-AddressFilterValue {
    # A record field against one value of a query parameter (strings compare as wildcards, any case).
    param($FieldValue, $Value)
    if ($Value -is [string]) { return [System.Management.Automation.WildcardPattern]::new($Value, [System.Management.Automation.WildcardOptions]::IgnoreCase).IsMatch([string]$FieldValue) }
    if ($Value -is [bool]) { return [bool]$FieldValue -eq $Value }
    [string]$FieldValue -eq [string]$Value
}

function Select-NetIPAddressRecords {
    # The visible records the bound query parameters select, and, as CIM cmdlets do, one
    # non-terminating "not found" error per parameter value that selects none of them.
    param($Ctx, [string]$Class = 'MSFT_NetIPAddress')
    $state = $Ctx.State
    $records = @(Get-HostIPAddressRecords $state | Where-Object { Test-HostIPAddressVisible -State $state -Record $_ })
    # PersistentStore holds what was configured (manual addresses), ActiveStore what is in effect.
    if ((Get-Bound $Ctx 'PolicyStore' 'ActiveStore') -eq 'PersistentStore') { $records = @($records | Where-Object { $_.prefixOrigin -eq 'Manual' }) }
    $bound = @($script:AddressFilters.Keys | Where-Object { Test-Bound $Ctx $_ })
    foreach ($p in $bound) {
        $field = $script:AddressFilters[$p]
        $values = @($Ctx.Parameters[$p])
        $records = @($records | Where-Object { $r = $_; @($values | Where-Object { Test-AddressFilterValue $r[$field] $_ }).Count -gt 0 })
    }
    foreach ($p in $bound) {
        $field = $script:AddressFilters[$p]
        foreach ($v in @($Ctx.Parameters[$p])) {
            if (@($records | Where-Object { Test-AddressFilterValue $_[$field] $v }).Count -eq 0) {
                Write-HvEmulatorError -Message "No $Class objects found with property '$p' equal to '$v'.  Verify the value of the property and retry." -Category ObjectNotFound -ErrorId "CmdletizationQuery_NotFound_$p" -TargetObject $v
            }
        }
    }
    $records
}

$script:Handlers['Get-NetIPAddress'] = {
    param($Ctx)
    $store = [string](Get-Bound $Ctx 'PolicyStore' 'ActiveStore')
    foreach ($r in (Select-NetIPAddressRecords $Ctx)) { ConvertTo-NetIPAddressObject -Record $r -Store $store }
}

$script:Handlers['New-NetIPAddress'] = {
    param($Ctx)
    $state = $Ctx.State
    $ip = [string]$Ctx.Parameters['IPAddress']
    $byIndex = Test-Bound $Ctx 'InterfaceIndex'
    $interface = if ($byIndex) { Get-HostIPInterface -State $state -Index ([uint32]$Ctx.Parameters['InterfaceIndex']) } else { Get-HostIPInterface -State $state -Alias ([string]$Ctx.Parameters['InterfaceAlias']) }
    if (-not $interface) {
        $p = if ($byIndex) { 'InterfaceIndex' } else { 'InterfaceAlias' }
        Write-HvEmulatorError -Message "No MSFT_NetIPInterface objects found with property '$p' equal to '$($Ctx.Parameters[$p])'.  Verify the value of the property and retry." -Category ObjectNotFound -ErrorId "CmdletizationQuery_NotFound_$p" -TargetObject $Ctx.Parameters[$p]
        return
    }
    $address = ConvertTo-IPv4Number $ip
    if ($null -eq $address -or (Get-Bound $Ctx 'AddressFamily' 'IPv4') -ne 'IPv4') {
        Stop-HvEmulatorCommand -Message "Invalid parameter IPAddress $ip (the emulated host takes IPv4 addresses only)." -Category InvalidArgument -ErrorId 'Windows System Error 87' -TargetObject $ip
    }
    # Without -PrefixLength the emulator takes a host address (/32); the doc recommends giving it.
    $length = [int](Get-Bound $Ctx 'PrefixLength' 32)
    if ($length -gt 32) {
        Stop-HvEmulatorCommand -Message 'The parameter is incorrect.' -Category InvalidArgument -ErrorId 'Windows System Error 87' -TargetObject $length
    }
    $gateway = [string](Get-Bound $Ctx 'DefaultGateway' '')
    if ($gateway) {
        # "the address specified for the Default Gateway must be in the same subnet as the IPv4 address" (its doc).
        $g = ConvertTo-IPv4Number $gateway
        $subnet = Get-IPv4Range -Address $address -PrefixLength $length
        if ($null -eq $g -or $g -lt $subnet.First -or $g -gt $subnet.Last) {
            Stop-HvEmulatorCommand -Message "Inconsistent parameters: the default gateway $gateway is not in the subnet of $ip/$length." -Category InvalidArgument -ErrorId 'Windows System Error 87' -TargetObject $gateway
        }
    }
    $taken = Get-HostIPAddressRecords $state | Where-Object { [string]$_.ipAddress -eq $ip -and (Test-HostIPAddressVisible -State $state -Record $_) } | Select-Object -First 1
    if ($taken) {
        Stop-HvEmulatorCommand -Message 'The object already exists.' -Category ResourceExists -ErrorId 'Windows System Error 5010' -TargetObject $ip
    }
    $record = New-HostIPAddressRecord -InterfaceAlias $interface.Alias -InterfaceIndex $interface.Index -IPAddress (ConvertFrom-IPv4Number $address) -PrefixLength $length -DefaultGateway $gateway
    $record.skipAsSource = [bool](Get-Bound $Ctx 'SkipAsSource' $false)
    Add-ToList $state 'netIPAddresses' $record
    # The cmdlet returns the address twice: as in effect (Tentative while duplicate address
    # detection runs) and as stored for the next boot.
    ConvertTo-NetIPAddressObject -Record $record -Store 'ActiveStore' -AddressState 'Tentative'
    ConvertTo-NetIPAddressObject -Record $record -Store 'PersistentStore' -AddressState 'Invalid'
}

$script:Handlers['Remove-NetIPAddress'] = {
    param($Ctx)
    $state = $Ctx.State
    $targets = if (Test-Bound $Ctx 'InputObject') {
        foreach ($o in @($Ctx.Parameters['InputObject'])) {
            $ip = [string](Get-PropertyValue $o 'IPAddress')
            $index = [string](Get-PropertyValue $o 'InterfaceIndex')
            $r = Get-HostIPAddressRecords $state | Where-Object { [string]$_.ipAddress -eq $ip -and [string]$_.interfaceIndex -eq $index } | Select-Object -First 1
            if ($r) { $r } else { Write-HvEmulatorError -Message 'Element not found.' -Category ObjectNotFound -ErrorId 'Windows System Error 1168' -TargetObject $ip }
        }
    }
    else { Select-NetIPAddressRecords $Ctx }
    $targets = @($targets | Where-Object { $null -ne $_ })
    if ($targets.Count -eq 0) { return }
    Remove-FromList $state 'netIPAddresses' { param($r) @($targets | Where-Object { [object]::ReferenceEquals($_, $r) }).Count -gt 0 }
    if (Get-Bound $Ctx 'PassThru') { foreach ($r in $targets) { ConvertTo-NetIPAddressObject -Record $r } }
}
