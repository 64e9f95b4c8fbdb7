# Get-NetAdapter, Get/Set-NetAdapterAdvancedProperty, Get/Enable/Disable-NetAdapterVmq,
# Restart-NetAdapter. VMQ on/off is the adapter's *VMQ advanced property (one source of truth).
# Set-NetAdapterAdvancedProperty and Enable-/Disable-NetAdapterVmq restart each adapter they
# change unless -NoRestart is given (their docs: "-NoRestart: Indicates that the cmdlet does not
# restart the network adapter after completing the operation"); Restart-NetAdapter restarts it.
# A restart leaves no state on a real host, so it is not in the state file (whose set-and-restore
# round trip stays byte for byte): each one is a line of the host's event log beside the state
# file, <state file>.events.jsonl (docs/emulator-state.md "Adapter restarts").

function Register-AdapterRestart {
    param($Ctx, $Nics)
    if (Get-Bound $Ctx 'NoRestart') { return }
    $seen = @{}
    $lines = [System.Text.StringBuilder]::new()
    foreach ($nic in @($Nics)) {
        if ($null -eq $nic -or $seen.ContainsKey([string]$nic.name)) { continue }
        $seen[[string]$nic.name] = $true
        $record = [ordered]@{ event = 'adapter-restart'; adapter = [string]$nic.name; interfaceDescription = [string]$nic.interfaceDescription; cmdlet = [string]$Ctx.Name }
        [void]$lines.Append((ConvertTo-Json -InputObject $record -Compress)).Append("`n")
    }
    if ($lines.Length -gt 0) { [System.IO.File]::AppendAllText(([string]$Ctx.StatePath + '.events.jsonl'), $lines.ToString()) }
}

function Stop-CimNotFound {
    param([string]$Class, [string]$Property, [string]$Value)
    Stop-HvEmulatorCommand -Message "No $Class objects found with property '$Property' equal to '$Value'.  Verify the value of the property and retry." -Category ObjectNotFound -ErrorId "CmdletizationQuery_NotFound_$Property" -TargetObject $Value
}

function Select-NetAdapters {
    # Adapters addressed by -Name (wildcards) / -InterfaceDescription / -InterfaceIndex / -InputObject.
    param($Ctx, [string]$Class = 'MSFT_NetAdapter')
    $all = @($Ctx.State.netAdapters | Where-Object { $null -ne $_ -and ((Get-Bound $Ctx 'IncludeHidden') -or -not $_.hidden) })
    if (Test-Bound $Ctx 'InputObject') {
        $names = @($Ctx.Parameters['InputObject'] | ForEach-Object { [string](Get-PropertyValue $_ 'Name') })
        return @($all | Where-Object { $names -contains $_.name })
    }
    $filters = @()
    $property = 'Name'
    if (Test-Bound $Ctx 'Name') { $filters = @($Ctx.Parameters['Name']) }
    elseif (Test-Bound $Ctx 'InterfaceDescription') { $filters = @($Ctx.Parameters['InterfaceDescription']); $property = 'InterfaceDescription' }
    elseif (Test-Bound $Ctx 'InterfaceIndex') {
        $indexes = @($Ctx.Parameters['InterfaceIndex'] | ForEach-Object { [int]$_ })
        $found = @($all | Where-Object { $indexes -contains [int]$_.ifIndex })
        foreach ($i in $indexes) { if (-not ($found | Where-Object { [int]$_.ifIndex -eq $i })) { Stop-CimNotFound $Class 'InterfaceIndex' $i } }
        return $found
    }
    if ($filters.Count -eq 0) { return $all }
    $result = [System.Collections.Generic.List[object]]::new()
    foreach ($f in $filters) {
        $w = [System.Management.Automation.WildcardPattern]::new([string]$f, 'IgnoreCase')
        $key = if ($property -eq 'Name') { 'name' } else { 'interfaceDescription' }
        $hits = @($all | Where-Object { $w.IsMatch([string]$_[$key]) })
        if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters([string]$f)) { Stop-CimNotFound $Class $property $f }
        foreach ($h in $hits) { if (-not $result.Contains($h)) { $result.Add($h) } }
    }
    $result.ToArray()
}

# NDIS media of a state NIC. A record may name its physical medium (physicalMediaType,
# ndisPhysicalMedium: a Wi-Fi adapter is "Native 802.11", 9); without them an Ethernet NIC is
# 802.3 (NdisPhysicalMedium802_3 = 14) and a host vNIC, which emulates 802.3 over no medium of its
# own, is "Unspecified" (0). NdisMedium follows mediaType (NdisMedium802_3 = 0, NdisMediumNative802_11 = 16).
$script:PhysicalMediaTypes = @{ 0 = 'Unspecified'; 1 = 'Wireless LAN'; 8 = 'Wireless WAN'; 9 = 'Native 802.11'; 10 = 'BlueTooth'; 11 = 'Infiniband'; 14 = '802.3'; 19 = 'Other' }

function Get-NicMedium {
    param($Nic)
    $ndisMedium = if ([string]$Nic.mediaType -eq 'Native 802.11') { 16 } else { 0 }
    if ($Nic.Contains('ndisPhysicalMedium') -and $null -ne $Nic.ndisPhysicalMedium) { $physical = [int]$Nic.ndisPhysicalMedium }
    elseif ($Nic.virtual) { $physical = 0 }
    elseif ($ndisMedium -eq 16) { $physical = 9 }
    else { $physical = 14 }
    $type = if ($Nic.Contains('physicalMediaType') -and $Nic.physicalMediaType) { [string]$Nic.physicalMediaType }
    elseif ($script:PhysicalMediaTypes.ContainsKey($physical)) { $script:PhysicalMediaTypes[$physical] } else { 'Unspecified' }
    [pscustomobject]@{ NdisMedium = [uint32]$ndisMedium; NdisPhysicalMedium = [uint32]$physical; PhysicalMediaType = $type }
}

function ConvertTo-LinkSpeedValue {
    # "10 Gbps" / "866.7 Mbps" -> bits per second (MSFT_NetAdapter.Speed).
    param([string]$LinkSpeed)
    if ($LinkSpeed -match '^\s*([\d.]+)\s*([KMG]?)bps\s*$') {
        $factor = @{ '' = 1; 'K' = 1e3; 'M' = 1e6; 'G' = 1e9 }[$Matches[2].ToUpperInvariant()]
        return [uint64]([double]::Parse($Matches[1], [System.Globalization.CultureInfo]::InvariantCulture) * $factor)
    }
    [uint64]0
}

function ConvertTo-NetAdapterObject {
    param($Nic)
    $medium = Get-NicMedium $Nic
    Add-CimTypeName -Namespace 'ROOT/StandardCimv2' -Class 'MSFT_NetAdapter' -Properties ([ordered]@{
            Name                 = [string]$Nic.name
            ifAlias              = [string]$Nic.name
            InterfaceAlias       = [string]$Nic.name
            InterfaceDescription = [string]$Nic.interfaceDescription
            DriverDescription    = [string]$Nic.interfaceDescription
            ifIndex              = [int]$Nic.ifIndex
            InterfaceIndex       = [int]$Nic.ifIndex
            Status               = [string]$Nic.status
            MediaConnectionState = $(if ([string]$Nic.status -eq 'Up') { 'Connected' } else { 'Disconnected' })
            MacAddress           = [string]$Nic.macAddress
            LinkSpeed            = [string]$Nic.linkSpeed
            Speed                = ConvertTo-LinkSpeedValue ([string]$Nic.linkSpeed)
            MediaType            = [string]$Nic.mediaType
            PhysicalMediaType    = $medium.PhysicalMediaType
            NdisMedium           = $medium.NdisMedium
            NdisPhysicalMedium   = $medium.NdisPhysicalMedium
            Virtual              = [bool]$Nic.virtual
            HardwareInterface    = [bool]$Nic.physical
            ConnectorPresent     = [bool]$Nic.physical
        })
}

$script:Handlers['Get-NetAdapter'] = {
    param($Ctx)
    foreach ($nic in (Select-NetAdapters $Ctx)) {
        if ((Get-Bound $Ctx 'Physical') -and -not $nic.physical) { continue }
        ConvertTo-NetAdapterObject $nic
    }
}

function Get-DisplayValue {
    param($Property, [string]$RegistryValue)
    $i = [array]::IndexOf([string[]]@($Property.validRegistryValues), $RegistryValue)
    if ($i -ge 0 -and $i -lt @($Property.validDisplayValues).Count) { return [string]@($Property.validDisplayValues)[$i] }
    $RegistryValue
}

function ConvertTo-AdvancedPropertyObject {
    param($Nic, $Property)
    Add-CimTypeName -Namespace 'ROOT/StandardCimv2' -Class 'MSFT_NetAdapterAdvancedPropertySettingData' -Properties ([ordered]@{
            Name                 = [string]$Nic.name
            InterfaceDescription = [string]$Nic.interfaceDescription
            DisplayName          = [string]$Property.displayName
            DisplayValue         = Get-DisplayValue $Property ([string]$Property.registryValue)
            RegistryKeyword      = [string]$Property.registryKeyword
            RegistryValue        = [string[]]@([string]$Property.registryValue)
            ValidRegistryValues  = [string[]]@($Property.validRegistryValues)
            ValidDisplayValues   = [string[]]@($Property.validDisplayValues)
            DefaultRegistryValue = [string]$Property.defaultRegistryValue
            DefaultDisplayValue  = Get-DisplayValue $Property ([string]$Property.defaultRegistryValue)
        })
}

function Select-AdvancedProperties {
    # (nic, property) pairs by adapter and -RegistryKeyword / -DisplayName (wildcards).
    param($Ctx)
    $class = 'MSFT_NetAdapterAdvancedPropertySettingData'
    $pairs = [System.Collections.Generic.List[object]]::new()
    if (Test-Bound $Ctx 'InputObject') {
        foreach ($o in @($Ctx.Parameters['InputObject'])) {
            $nic = @($Ctx.State.netAdapters) | Where-Object { $null -ne $_ -and $_.name -eq [string](Get-PropertyValue $o 'Name') } | Select-Object -First 1
            $prop = if ($nic) { @($nic.advancedProperties) | Where-Object { $null -ne $_ -and $_.registryKeyword -eq [string](Get-PropertyValue $o 'RegistryKeyword') } | Select-Object -First 1 } else { $null }
            if (-not $prop) { Stop-CimNotFound $class 'RegistryKeyword' ([string](Get-PropertyValue $o 'RegistryKeyword')) }
            $pairs.Add(@{ nic = $nic; property = $prop })
        }
        return $pairs.ToArray()
    }
    $nics = @(Select-NetAdapters $Ctx $class)
    $filterKey = $null
    $filters = @()
    if (Test-Bound $Ctx 'RegistryKeyword') { $filterKey = 'registryKeyword'; $filters = @($Ctx.Parameters['RegistryKeyword']) }
    elseif (Test-Bound $Ctx 'DisplayName') { $filterKey = 'displayName'; $filters = @($Ctx.Parameters['DisplayName']) }
    foreach ($f in $(if ($filterKey) { $filters } else { @('*') })) {
        $w = [System.Management.Automation.WildcardPattern]::new([string]$f, 'IgnoreCase')
        $hits = 0
        foreach ($nic in $nics) {
            foreach ($prop in @($nic.advancedProperties)) {
                if ($null -eq $prop) { continue }
                if ($filterKey -and -not $w.IsMatch([string]$prop[$filterKey])) { continue }
                $pairs.Add(@{ nic = $nic; property = $prop })
                $hits++
            }
        }
        if ($filterKey -and $hits -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters([string]$f)) {
            Stop-CimNotFound $class $(if ($filterKey -eq 'registryKeyword') { 'RegistryKeyword' } else { 'DisplayName' }) $f
        }
    }
    $pairs.ToArray()
}

$script:Handlers['Get-NetAdapterAdvancedProperty'] = {
    param($Ctx)
    foreach ($pair in (Select-AdvancedProperties $Ctx)) { ConvertTo-AdvancedPropertyObject $pair.nic $pair.property }
}

$script:Handlers['Set-NetAdapterAdvancedProperty'] = {
    param($Ctx)
    if (-not (Test-Bound $Ctx 'RegistryValue') -and -not (Test-Bound $Ctx 'DisplayValue')) {
        Stop-HvEmulatorCommand -Message 'Specify -RegistryValue or -DisplayValue.' -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    $changed = [System.Collections.Generic.List[object]]::new()
    foreach ($pair in (Select-AdvancedProperties $Ctx)) {
        $prop = $pair.property
        $changed.Add($pair.nic)
        $valid = [string[]]@($prop.validRegistryValues)
        # The error id is the CIM one; PowerShell appends ",Set-NetAdapterAdvancedProperty" as for the real cmdlet.
        if (Test-Bound $Ctx 'RegistryValue') {
            $value = [string]@($Ctx.Parameters['RegistryValue'])[0]
            if ($valid.Count -gt 0 -and $valid -notcontains $value) {
                Stop-HvEmulatorCommand -Message "No matching keyword value found. The following are valid keyword values: $($valid -join ', ')" -Category InvalidArgument -ErrorId 'Windows System Error 87' -TargetObject $value
            }
        }
        else {
            $display = [string]$Ctx.Parameters['DisplayValue']
            $i = [array]::IndexOf([string[]]@($prop.validDisplayValues), $display)
            if ($i -lt 0) {
                Stop-HvEmulatorCommand -Message "No matching display value found. The following are valid display values: $(@($prop.validDisplayValues) -join ', ')" -Category InvalidArgument -ErrorId 'Windows System Error 87' -TargetObject $display
            }
            $value = $valid[$i]
        }
        $prop.registryValue = $value
        if (Get-Bound $Ctx 'PassThru') { ConvertTo-AdvancedPropertyObject $pair.nic $prop }
    }
    Register-AdapterRestart -Ctx $Ctx -Nics $changed
}

function Get-VmqProperty { param($Nic) @($Nic.advancedProperties) | Where-Object { $null -ne $_ -and $_.registryKeyword -eq '*VMQ' } | Select-Object -First 1 }

function ConvertTo-VmqObject {
    param($Nic)
    Add-CimTypeName -Namespace 'ROOT/StandardCimv2' -Class 'MSFT_NetAdapterVmqSettingData' -Properties ([ordered]@{
            Name                  = [string]$Nic.name
            InterfaceDescription  = [string]$Nic.interfaceDescription
            Enabled               = [string](Get-VmqProperty $Nic).registryValue -eq '1'
            BaseProcessorNumber   = 0
            MaxProcessors         = 16
            NumberOfReceiveQueues = 31
        })
}

function Select-VmqAdapters {
    param($Ctx)
    $class = 'MSFT_NetAdapterVmqSettingData'
    $nics = @(Select-NetAdapters $Ctx $class | Where-Object { Get-VmqProperty $_ })
    if ($nics.Count -eq 0 -and (Test-Bound $Ctx 'Name')) {
        $first = [string]@($Ctx.Parameters['Name'])[0]
        if (-not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($first)) { Stop-CimNotFound $class 'Name' $first }
    }
    $nics
}

$script:Handlers['Get-NetAdapterVmq'] = { param($Ctx) foreach ($nic in (Select-VmqAdapters $Ctx)) { ConvertTo-VmqObject $nic } }

function Set-Vmq {
    param($Ctx, [string]$Value)
    $nics = @(Select-VmqAdapters $Ctx)
    foreach ($nic in $nics) {
        (Get-VmqProperty $nic).registryValue = $Value
        if (Get-Bound $Ctx 'PassThru') { ConvertTo-VmqObject $nic }
    }
    Register-AdapterRestart -Ctx $Ctx -Nics $nics
}

$script:Handlers['Enable-NetAdapterVmq'] = { param($Ctx) Set-Vmq $Ctx '1' }
$script:Handlers['Disable-NetAdapterVmq'] = { param($Ctx) Set-Vmq $Ctx '0' }

$script:Handlers['Restart-NetAdapter'] = {
    param($Ctx)
    $nics = @(Select-NetAdapters $Ctx)
    Register-AdapterRestart -Ctx $Ctx -Nics $nics
    if (Get-Bound $Ctx 'PassThru') { foreach ($nic in $nics) { ConvertTo-NetAdapterObject $nic } }
}
