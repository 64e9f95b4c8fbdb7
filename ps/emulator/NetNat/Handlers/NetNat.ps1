# Get/New/Remove-NetNat: WinNAT objects (state netNats[]). WinNAT takes one NAT network per
# Windows Server host, and never two whose internal prefixes overlap (docs/hyperv-facts.md,
# 'WinNAT'); the host profile says which kind of host this is.

function ConvertTo-NetNatObject {
    # MSFT_NetNat as Get-NetNat shows it on a host; the timeouts and filtering are WinNAT's defaults.
    param($Nat)
    $props = [ordered]@{
        Name                             = [string]$Nat.name
        ExternalIPInterfaceAddressPrefix = $Nat.externalIPInterfaceAddressPrefix
        InternalIPInterfaceAddressPrefix = $Nat.internalIPInterfaceAddressPrefix
        IcmpQueryTimeout                 = [uint32]30
        TcpEstablishedConnectionTimeout  = [uint32]1800
        TcpTransientConnectionTimeout    = [uint32]120
        TcpFilteringBehavior             = 'AddressDependentFiltering'
        UdpFilteringBehavior             = 'AddressDependentFiltering'
        UdpIdleSessionTimeout            = [uint32]120
        UdpInboundRefresh                = $false
        Store                            = 'Local'
        Active                           = $true
    }
    Add-CimTypeName -Namespace 'ROOT/StandardCimv2' -Class 'MSFT_NetNat' -Properties $props
}

function Get-NetNatRecords {
    param($State)
    if (-not $State.Contains('netNats')) { return @() }
    @($State['netNats'] | Where-Object { $null -ne $_ })
}

function Select-NetNatRecords {
    # By -Name (wildcards, any case), with a non-terminating "not found" error per name that selects none.
    param($Ctx)
    $nats = @(Get-NetNatRecords $Ctx.State)
    if (-not (Test-Bound $Ctx 'Name')) { return $nats }
    $selected = [System.Collections.Generic.List[object]]::new()
    foreach ($name in @($Ctx.Parameters['Name'])) {
        $pattern = [System.Management.Automation.WildcardPattern]::new([string]$name, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        $hits = @($nats | Where-Object { $pattern.IsMatch([string]$_.name) })
        if ($hits.Count -eq 0) {
            Write-HvEmulatorError -Message "No MSFT_NetNat objects found with property 'Name' equal to '$name'.  Verify the value of the property and retry." -Category ObjectNotFound -ErrorId 'CmdletizationQuery_NotFound_Name' -TargetObject ([string]$name)
        }
        foreach ($h in $hits) { if (-not $selected.Contains($h)) { $selected.Add($h) } }
    }
    $selected.ToArray()
}

$script:Handlers['Get-NetNat'] = {
    param($Ctx)
    foreach ($n in (Select-NetNatRecords $Ctx)) { ConvertTo-NetNatObject $n }
}

$script:Handlers['New-NetNat'] = {
    param($Ctx)
    $state = $Ctx.State
    $name = [string]$Ctx.Parameters['Name']
    $internal = [string](Get-Bound $Ctx 'InternalIPInterfaceAddressPrefix' '')
    $external = [string](Get-Bound $Ctx 'ExternalIPInterfaceAddressPrefix' '')
    # WinNAT refuses what it cannot set up with "The parameter is incorrect." (Windows error 87),
    # the answer hosts give to a second or an overlapping NAT network.
    $incorrect = { param($Why, $Target) Stop-HvEmulatorCommand -Message "The parameter is incorrect. ($Why)" -Category InvalidArgument -ErrorId 'Windows System Error 87' -TargetObject $Target }
    $nats = @(Get-NetNatRecords $state)
    if (@($nats | Where-Object { [string]::Equals([string]$_.name, $name, [System.StringComparison]::OrdinalIgnoreCase) }).Count -gt 0) {
        Stop-HvEmulatorCommand -Message 'The object already exists.' -Category ResourceExists -ErrorId 'Windows System Error 5010' -TargetObject $name
    }
    if (-not $internal -and -not $external) { & $incorrect 'give -InternalIPInterfaceAddressPrefix or -ExternalIPInterfaceAddressPrefix' $name }
    foreach ($prefix in @($internal, $external) | Where-Object { $_ }) {
        if ($null -eq (ConvertFrom-IPv4Prefix $prefix)) { & $incorrect "'$prefix' is not an IPv4 address prefix such as 10.0.0.0/24" $prefix }
    }
    if ($internal) {
        $range = ConvertFrom-IPv4Prefix $internal
        foreach ($other in $nats) {
            $theirs = ConvertFrom-IPv4Prefix ([string]$other.internalIPInterfaceAddressPrefix)
            if ($theirs -and (Test-IPv4RangeOverlap $range $theirs)) {
                & $incorrect "the internal prefix $internal overlaps $($other.internalIPInterfaceAddressPrefix) of the NAT network '$($other.name)'" $internal
            }
        }
    }
    if ($nats.Count -gt 0 -and (Get-HostProfileOfState $state).SingleNetNat) {
        & $incorrect "this $($state.host.os) host has the NAT network '$($nats[0].name)' already; WinNAT takes one per host" $name
    }
    $nat = [ordered]@{
        name                             = $name
        externalIPInterfaceAddressPrefix = $(if ($external) { $external } else { $null })
        internalIPInterfaceAddressPrefix = $(if ($internal) { $internal } else { $null })
        internalRoutingDomainId          = $(if (Test-Bound $Ctx 'InternalRoutingDomainId') { [string]$Ctx.Parameters['InternalRoutingDomainId'] } else { $null })
    }
    Add-ToList $state 'netNats' $nat
    ConvertTo-NetNatObject $nat
}

$script:Handlers['Remove-NetNat'] = {
    param($Ctx)
    $state = $Ctx.State
    $targets = if (Test-Bound $Ctx 'InputObject') {
        foreach ($o in @($Ctx.Parameters['InputObject'])) {
            $name = [string](Get-PropertyValue $o 'Name')
            $n = Get-NetNatRecords $state | Where-Object { [string]$_.name -eq $name } | Select-Object -First 1
            if ($n) { $n } else { Write-HvEmulatorError -Message "No MSFT_NetNat objects found with property 'Name' equal to '$name'.  Verify the value of the property and retry." -Category ObjectNotFound -ErrorId 'CmdletizationQuery_NotFound_Name' -TargetObject $name }
        }
    }
    else { Select-NetNatRecords $Ctx }
    $targets = @($targets | Where-Object { $null -ne $_ })
    if ($targets.Count -eq 0) { return }
    Remove-FromList $state 'netNats' { param($n) @($targets | Where-Object { [object]::ReferenceEquals($_, $n) }).Count -gt 0 }
    if (Get-Bound $Ctx 'PassThru') { foreach ($n in $targets) { ConvertTo-NetNatObject $n } }
}
