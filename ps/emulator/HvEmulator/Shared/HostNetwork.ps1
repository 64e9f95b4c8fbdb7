# The host's own network: its IPv4 addresses (state netIPAddresses[]), the vEthernet adapters the
# switches give the management OS, and how a physical NIC's addresses follow it when an External
# switch binds it (docs/emulator-state.md, "Host addresses, switches and WinNAT"). Dot-sourced by
# HvEmulator (New-HvEmulatorState writes the starter host's addresses) and by every emulated
# module's handlers (HandlerHelpers.ps1), so each has its own copy in its own scope.

# The interface of the loopback address every Windows host has (Get-NetIPAddress lists it; it is
# no network adapter, so Get-NetAdapter does not).
$script:LoopbackAlias = 'Loopback Pseudo-Interface 1'

function ConvertTo-IPv4Number {
    # A dotted IPv4 address as a number (0 to 2^32-1), or $null when the text is not one.
    param([string]$Address)
    if ($Address -notmatch '^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$') { return $null }
    [long]$value = 0
    foreach ($i in 1..4) {
        $octet = [int]$Matches[$i]
        if ($octet -gt 255 -or ($Matches[$i].Length -gt 1 -and $Matches[$i].StartsWith('0'))) { return $null }
        $value = $value * 256 + $octet
    }
    $value
}

function ConvertFrom-IPv4Number {
    param([long]$Value)
    '{0}.{1}.{2}.{3}' -f (($Value -shr 24) -band 255), (($Value -shr 16) -band 255), (($Value -shr 8) -band 255), ($Value -band 255)
}

function Get-IPv4Range {
    # The first and last address of the prefix that holds Address/PrefixLength.
    param([long]$Address, [int]$PrefixLength)
    $size = [long][Math]::Pow(2, 32 - $PrefixLength)
    $first = [long]([Math]::Floor($Address / $size) * $size)
    [pscustomobject]@{ First = $first; Last = $first + $size - 1; PrefixLength = $PrefixLength }
}

function ConvertFrom-IPv4Prefix {
    # "10.0.0.0/24" -> its range, or $null when the text is no IPv4 prefix.
    param([string]$Prefix)
    if ($Prefix -notmatch '^([^/]+)/(\d{1,2})$') { return $null }
    $length = [int]$Matches[2]
    $address = ConvertTo-IPv4Number $Matches[1]
    if ($null -eq $address -or $length -gt 32) { return $null }
    Get-IPv4Range -Address $address -PrefixLength $length
}

function Test-IPv4RangeOverlap {
    param($A, $B)
    $A.First -le $B.Last -and $B.First -le $A.Last
}

function Get-HostIPAddressRecords {
    # The state's address records (a state written before they existed has none).
    param($State)
    if (-not $State.Contains('netIPAddresses')) { return @() }
    @($State['netIPAddresses'] | Where-Object { $null -ne $_ })
}

function New-HostIPAddressRecord {
    # One address of the host (state netIPAddresses[]); movedFrom names the physical NIC an External
    # switch took it from (it lives on the switch's vEthernet adapter until the NIC is free again).
    param([string]$InterfaceAlias, [int]$InterfaceIndex, [string]$IPAddress, [int]$PrefixLength,
        [string]$PrefixOrigin = 'Manual', [string]$SuffixOrigin = 'Manual', [string]$DefaultGateway = $null, [string]$MovedFrom = $null)
    [ordered]@{
        interfaceAlias = $InterfaceAlias
        interfaceIndex = $InterfaceIndex
        ipAddress      = $IPAddress
        prefixLength   = $PrefixLength
        addressFamily  = 'IPv4'
        type           = 'Unicast'
        prefixOrigin   = $PrefixOrigin
        suffixOrigin   = $SuffixOrigin
        addressState   = 'Preferred'
        skipAsSource   = $false
        defaultGateway = $(if ([string]::IsNullOrEmpty($DefaultGateway)) { $null } else { $DefaultGateway })
        movedFrom      = $(if ([string]::IsNullOrEmpty($MovedFrom)) { $null } else { $MovedFrom })
    }
}

function Get-NextInterfaceIndex {
    param($State)
    [int](@(@($State.netAdapters) | Where-Object { $null -ne $_ } | ForEach-Object { [int]$_.ifIndex }) + 10 | Measure-Object -Maximum).Maximum + 1
}

function Find-BindingSwitch {
    # The External switch that binds a physical NIC (by name), or $null.
    param($State, [string]$NicName)
    @($State.switches) | Where-Object { $null -ne $_ -and [string]$_.switchType -eq 'External' -and [string]$_.netAdapterName -eq $NicName } | Select-Object -First 1
}

function Get-SwitchHostAdapter {
    # The management OS's vEthernet adapter of a switch (the one New-VMSwitch made), or $null.
    param($State, [string]$SwitchName)
    @($State.netAdapters) | Where-Object { $null -ne $_ -and $_.virtual -and $_.Contains('switchName') -and [string]$_.switchName -eq $SwitchName -and [string]$_.name -eq "vEthernet ($SwitchName)" } | Select-Object -First 1
}

function Add-SwitchHostAdapter {
    # Gives the management OS its vEthernet adapter on the switch; on an External switch the NIC's
    # IPv4 addresses move to it, as Hyper-V moves the NIC's IP configuration to the host vNIC.
    param($State, $Switch)
    $existing = Get-SwitchHostAdapter -State $State -SwitchName ([string]$Switch.name)
    if ($existing) { return $existing }
    $adapter = New-HvEmulatorVirtualAdapterRecord -SwitchName ([string]$Switch.name) -IfIndex (Get-NextInterfaceIndex $State)
    $list = [System.Collections.Generic.List[object]]::new()
    foreach ($x in @($State.netAdapters)) { if ($null -ne $x) { $list.Add($x) } }
    $list.Add($adapter)
    $State['netAdapters'] = $list.ToArray()
    if ([string]$Switch.switchType -eq 'External' -and $Switch.netAdapterName) {
        foreach ($r in (Get-HostIPAddressRecords $State)) {
            if ([string]$r.interfaceAlias -ne [string]$Switch.netAdapterName) { continue }
            $r.movedFrom = [string]$r.interfaceAlias
            $r.interfaceAlias = [string]$adapter.name
            $r.interfaceIndex = [int]$adapter.ifIndex
        }
    }
    $adapter
}

function Remove-SwitchHostAdapter {
    # Takes the switch's vEthernet adapter away: the addresses that came from the bound NIC go back
    # to it; the adapter's own (New-NetIPAddress on it) go with it.
    param($State, $Switch)
    $adapter = Get-SwitchHostAdapter -State $State -SwitchName ([string]$Switch.name)
    if (-not $adapter) { return }
    $nic = $null
    if ($Switch.netAdapterName) {
        $nic = @($State.netAdapters) | Where-Object { $null -ne $_ -and $_.physical -and [string]$_.name -eq [string]$Switch.netAdapterName } | Select-Object -First 1
    }
    $kept = [System.Collections.Generic.List[object]]::new()
    foreach ($r in (Get-HostIPAddressRecords $State)) {
        if ([string]$r.interfaceAlias -eq [string]$adapter.name) {
            if ($nic -and [string]$r.movedFrom -eq [string]$nic.name) {
                $r.interfaceAlias = [string]$nic.name
                $r.interfaceIndex = [int]$nic.ifIndex
                $r.movedFrom = $null
                $kept.Add($r)
            }
            continue
        }
        $kept.Add($r)
    }
    $State['netIPAddresses'] = $kept.ToArray()
    $others = [System.Collections.Generic.List[object]]::new()
    foreach ($x in @($State.netAdapters)) { if ($null -ne $x -and -not [object]::ReferenceEquals($x, $adapter)) { $others.Add($x) } }
    $State['netAdapters'] = $others.ToArray()
}

function Get-HostIPInterface {
    # The IP interface an address can live on, by alias or index: a network adapter whose TCP/IP is
    # bound (not a physical NIC an External switch took), or the loopback interface. $null if none.
    param($State, [string]$Alias, $Index)
    if (($null -ne $Index -and [int]$Index -eq 1) -or $Alias -eq $script:LoopbackAlias) {
        return [pscustomobject]@{ Alias = $script:LoopbackAlias; Index = 1 }
    }
    foreach ($n in @($State.netAdapters)) {
        if ($null -eq $n) { continue }
        $match = if ($null -ne $Index) { [int]$n.ifIndex -eq [int]$Index } else { [string]::Equals([string]$n.name, $Alias, [System.StringComparison]::OrdinalIgnoreCase) }
        if (-not $match) { continue }
        if ($n.physical -and (Find-BindingSwitch -State $State -NicName ([string]$n.name))) { return $null }
        return [pscustomobject]@{ Alias = [string]$n.name; Index = [int]$n.ifIndex }
    }
    $null
}

function Test-HostIPAddressVisible {
    # An address shows in Get-NetIPAddress unless its NIC is bound to an External switch (the NIC
    # then carries only the switch's protocol; its addresses wait for the switch to let it go).
    param($State, $Record)
    $nic = @($State.netAdapters) | Where-Object { $null -ne $_ -and $_.physical -and [string]$_.name -eq [string]$Record.interfaceAlias } | Select-Object -First 1
    -not ($nic -and (Find-BindingSwitch -State $State -NicName ([string]$nic.name)))
}
