# Get-NetAdapter, Get/Set-NetAdapterAdvancedProperty, Get/Enable/Disable-NetAdapterVmq.
# VMQ on/off is the adapter's *VMQ advanced property (one source of truth).

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

function ConvertTo-NetAdapterObject {
    param($Nic)
    Add-CimTypeName -Namespace 'ROOT/StandardCimv2' -Class 'MSFT_NetAdapter' -Properties ([ordered]@{
            Name                 = [string]$Nic.name
            ifAlias              = [string]$Nic.name
            InterfaceAlias       = [string]$Nic.name
            InterfaceDescription = [string]$Nic.interfaceDescription
            DriverDescription    = [string]$Nic.interfaceDescription
            ifIndex              = [int]$Nic.ifIndex
            InterfaceIndex       = [int]$Nic.ifIndex
            Status               = [string]$Nic.status
            MacAddress           = [string]$Nic.macAddress
            LinkSpeed            = [string]$Nic.linkSpeed
            MediaType            = [string]$Nic.mediaType
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
    foreach ($pair in (Select-AdvancedProperties $Ctx)) {
        $prop = $pair.property
        $valid = [string[]]@($prop.validRegistryValues)
        if (Test-Bound $Ctx 'RegistryValue') {
            $value = [string]@($Ctx.Parameters['RegistryValue'])[0]
            if ($valid.Count -gt 0 -and $valid -notcontains $value) {
                Stop-HvEmulatorCommand -Message "No matching keyword value found. The following are valid keyword values: $($valid -join ', ')" -Category InvalidArgument -ErrorId 'Windows System Error 87,Set-NetAdapterAdvancedProperty' -TargetObject $value
            }
        }
        else {
            $display = [string]$Ctx.Parameters['DisplayValue']
            $i = [array]::IndexOf([string[]]@($prop.validDisplayValues), $display)
            if ($i -lt 0) {
                Stop-HvEmulatorCommand -Message "No matching display value found. The following are valid display values: $(@($prop.validDisplayValues) -join ', ')" -Category InvalidArgument -ErrorId 'Windows System Error 87,Set-NetAdapterAdvancedProperty' -TargetObject $display
            }
            $value = $valid[$i]
        }
        $prop.registryValue = $value
        if (Get-Bound $Ctx 'PassThru') { ConvertTo-AdvancedPropertyObject $pair.nic $prop }
    }
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
    foreach ($nic in (Select-VmqAdapters $Ctx)) {
        (Get-VmqProperty $nic).registryValue = $Value
        if (Get-Bound $Ctx 'PassThru') { ConvertTo-VmqObject $nic }
    }
}

$script:Handlers['Enable-NetAdapterVmq'] = { param($Ctx) Set-Vmq $Ctx '1' }
$script:Handlers['Disable-NetAdapterVmq'] = { param($Ctx) Set-Vmq $Ctx '0' }
