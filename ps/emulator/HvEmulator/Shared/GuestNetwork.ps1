# The network configuration an emulated guest applied at its boot, and the addresses its adapters
# have because of it. At boot (GuestBoot.ps1) the guest keeps what its first-boot media said
# (cloud-init network-config, kickstart network commands, the answer file's TCPIP interfaces,
# parsed by GuestParsers.ps1) as vm.guest.network; at every report (GuestReport.ps1) each adapter
# is matched against it as the guest would match its NICs: by MAC, by kernel name or interface
# alias, by driver. A static entry gives its addresses; DHCP gives one only where the adapter's
# switch has a DHCP server. The rules are in docs/emulator-guests.md, section 5.
#
# Shared: dot-sourced through HandlerHelpers.ps1 by the emulated modules (Start-VM, Get-*).

function New-GuestNetworkRecord {
    <#
    vm.guest.network: [ordered]@{ source; interfaces; unlisted; problems }. source says where the
    configuration came from ($null: none was given); unlisted is what an adapter no entry matches
    gets: 'dhcp' (Windows configures every adapter by DHCP unless told otherwise), 'none' (a Linux
    guest with a network configuration leaves other NICs down) or 'dhcp-first' (without one,
    cloud-init's fallback and anaconda both bring up the first NIC with a link by DHCP).
    #>
    param([string]$Source, $Parsed, [bool]$Windows)
    $interfaces = @(if ($Parsed) { @($Parsed['interfaces']) | Where-Object { $null -ne $_ } })
    $unlisted = if ($Windows) { 'dhcp' } elseif ($interfaces.Count) { 'none' } else { 'dhcp-first' }
    $problems = [string[]]@(if ($Parsed) { @($Parsed['problems']) | Where-Object { $_ } })
    [ordered]@{ source = $(if ($Source) { $Source } else { $null }); interfaces = $interfaces; unlisted = $unlisted; problems = $problems }
}

function Get-WindowsInterfaceAlias {
    # The name Windows gives its n-th network adapter: Ethernet, Ethernet 2, ... (Windows 8 and
    # Server 2012 on); Local Area Connection, Local Area Connection 2, ... before.
    param([int]$Index, $Os)
    $base = if ([string]$Os['version'] -in '2003', '2008', '2008r2', '7') { 'Local Area Connection' } else { 'Ethernet' }
    if ($Index -eq 0) { $base } else { "$base $($Index + 1)" }
}

function Get-GuestNics {
    # The VM's adapters as the guest sees them, in adapter order: its name for it (eth<n> for
    # Linux, the interface alias for Windows), its driver (hv_netvsc synthetic, tulip legacy), MAC
    # and switch. Connected: on a switch, with a MAC, and a driver the guest has.
    param($Vm, $Guest, $Capability)
    $windows = $Guest['os'] -and $Guest['os']['family'] -eq 'windows'
    $i = 0
    foreach ($a in @($Vm['networkAdapters'])) {
        if ($null -eq $a) { continue }
        $mac = [string]$a['macAddress']
        $hasMac = $mac -match '^[0-9A-Fa-f]{12}$' -and $mac -ne '000000000000'
        # A synthetic adapter needs the guest's netvsc driver; the legacy one is emulated hardware.
        $driverPresent = [bool]$a['isLegacy'] -or $Capability.Netvsc
        [pscustomobject]@{
            Index = $i; Id = [string]$a['id']; AdapterName = [string]$a['name']
            GuestName = $(if ($windows) { Get-WindowsInterfaceAlias -Index $i -Os $Guest['os'] } else { "eth$i" })
            Driver = $(if ($a['isLegacy']) { 'tulip' } else { 'hv_netvsc' })
            Mac = $mac.ToUpperInvariant(); Switch = [string]$a['switchName']
            Connected = [bool]$a['switchName'] -and $hasMac -and $driverPresent
        }
        $i++
    }
}

function Test-GuestNicMatch {
    # Whether an interface entry's match selects this NIC (every key given must hold).
    param($Match, $Nic, $FirstLinked)
    if ($null -eq $Match -or $Match.Count -eq 0) { return $false }
    if ($Match.Contains('macAddress') -and [string]$Match['macAddress'] -ne $Nic.Mac) { return $false }
    if ($Match.Contains('name') -and -not ($Nic.GuestName -like [string]$Match['name'])) { return $false }
    if ($Match.Contains('driver') -and -not ($Nic.Driver -like [string]$Match['driver'])) { return $false }
    if ($Match.Contains('link') -and $Match['link'] -and ($null -eq $FirstLinked -or $FirstLinked.Index -ne $Nic.Index)) { return $false }
    $true
}

function Resolve-GuestNicConfig {
    <#
    Each NIC with the entry that configures it: @{ Nic; Entry ($null: none); Dhcp; Static
    (CIDR strings) }, and the entries that matched no NIC (Unmatched). The first entry that
    matches a NIC configures it, as netplan applies one definition per device.
    #>
    param($Network, $Nics)
    $nics = @($Nics)
    $firstLinked = $nics | Where-Object { $_.Connected } | Select-Object -First 1
    $entries = @(if ($Network) { @($Network['interfaces']) | Where-Object { $null -ne $_ } })
    $unlisted = if ($Network -and $Network['unlisted']) { [string]$Network['unlisted'] } else { 'dhcp' }
    $used = @{}
    $configs = foreach ($nic in $nics) {
        $entry = $null
        for ($k = 0; $k -lt $entries.Count; $k++) {
            if (Test-GuestNicMatch -Match $entries[$k]['match'] -Nic $nic -FirstLinked $firstLinked) { $entry = $entries[$k]; $used[$k] = $true; break }
        }
        if ($entry) {
            @{ Nic = $nic; Entry = $entry; Dhcp = [bool]$entry['dhcp4']; Static = [string[]]@($entry['addresses'] | Where-Object { $_ }); Unconfigured = $false }
        }
        else {
            $dhcp = $unlisted -eq 'dhcp' -or ($unlisted -eq 'dhcp-first' -and $firstLinked -and $firstLinked.Index -eq $nic.Index)
            @{ Nic = $nic; Entry = $null; Dhcp = $dhcp; Static = [string[]]@(); Unconfigured = -not $dhcp }
        }
    }
    $unmatched = for ($k = 0; $k -lt $entries.Count; $k++) { if (-not $used[$k]) { $entries[$k] } }
    @{ Configs = @($configs); Unmatched = @($unmatched) }
}

function ConvertTo-IPv4UInt32 {
    param([string]$Address)
    $b = [System.Net.IPAddress]::Parse($Address).GetAddressBytes()
    ([uint32]$b[0] -shl 24) -bor ([uint32]$b[1] -shl 16) -bor ([uint32]$b[2] -shl 8) -bor [uint32]$b[3]
}

function ConvertFrom-IPv4UInt32 {
    param([uint32]$Value)
    "$(($Value -shr 24) -band 255).$(($Value -shr 16) -band 255).$(($Value -shr 8) -band 255).$($Value -band 255)"
}

function Get-SwitchDhcp {
    <#
    Whether a DHCP server answers on the switch an adapter is on, and from which subnet: @{ Dhcp;
    Subnet = @{ Network; PrefixLength; Host } or $null }. An External switch: yes, the physical
    network is taken to have one. An Internal or Private one: only when the host serves DHCP on
    it, which its record's 'dhcp' field says (true on Windows 10/11's Default Switch, whose
    Internet Connection Sharing hands out addresses); a record without the field (a state
    written before it) counts the Internal switch named 'Default Switch'. A switch that does not
    exist: no. The subnet of a DHCP server the host runs is that of the host's IPv4 address on
    'vEthernet (<switch>)' (netIPAddresses), when it has one; the scope of a physical network's
    server is not known ($null: the 10.x address of Get-DhcpLease), whatever the host's own
    address on that network.
    #>
    param($State, [string]$SwitchName)
    $none = @{ Dhcp = $false; Subnet = $null }
    if (-not $SwitchName) { return $none }
    $sw = @($State['switches']) | Where-Object { $null -ne $_ -and [string]$_['name'] -ieq $SwitchName } | Select-Object -First 1
    if (-not $sw) { return $none }
    if ([string]$sw['switchType'] -eq 'External') { return @{ Dhcp = $true; Subnet = $null } }
    $dhcp = if ($sw.Contains('dhcp') -and $null -ne $sw['dhcp']) { [bool]$sw['dhcp'] } else { [string]$sw['name'] -eq 'Default Switch' -and [string]$sw['switchType'] -eq 'Internal' }
    if (-not $dhcp) { return $none }
    $subnet = $null
    $alias = "vEthernet ($($sw['name']))"
    $hostAddress = @($State['netIPAddresses']) | Where-Object { $null -ne $_ -and [string]$_['interfaceAlias'] -ieq $alias -and (Test-IPv4Text ([string]$_['ipAddress'])) -and [int]$_['prefixLength'] -ge 8 -and [int]$_['prefixLength'] -le 30 } | Select-Object -First 1
    if ($hostAddress) {
        $prefix = [int]$hostAddress['prefixLength']
        $all = [uint64]4294967295
        $mask = [uint32](($all -shl (32 - $prefix)) -band $all)
        $hostValue = ConvertTo-IPv4UInt32 ([string]$hostAddress['ipAddress'])
        $subnet = @{ Network = $hostValue -band $mask; PrefixLength = $prefix; Host = $hostValue }
    }
    @{ Dhcp = $true; Subnet = $subnet }
}

function Get-DhcpLease {
    # The address a DHCP server gives a MAC: in the switch's subnet when it is known (a host number
    # from the MAC's last three bytes, never the network, broadcast or host address), else
    # 10.<4th>.<5th>.<6th octet> (ConvertTo-GuestIPv4).
    param([string]$Mac, $Subnet)
    if (-not $Subnet) { return ConvertTo-GuestIPv4 -Mac $Mac }
    $b = [System.Convert]::FromHexString($Mac)
    $hosts = [uint32]([Math]::Pow(2, 32 - $Subnet.PrefixLength) - 2)
    $n = (([uint32]$b[3] -shl 16) -bor ([uint32]$b[4] -shl 8) -bor [uint32]$b[5]) % $hosts
    $candidate = [uint32]($Subnet.Network + 1 + $n)
    if ($candidate -eq $Subnet.Host) { $candidate = [uint32]($Subnet.Network + 1 + (($n + 1) % $hosts)) }
    ConvertFrom-IPv4UInt32 $candidate
}

function ConvertTo-ApipaAddress {
    # What Windows gives itself when DHCP is on and no server answers: an IPv4 link-local address
    # in 169.254.1.0-169.254.254.255 (RFC 3927, section 2.1), here derived from the MAC.
    param([string]$Mac)
    $b = [System.Convert]::FromHexString($Mac)
    "169.254.$(([int]$b[4] % 254) + 1).$($b[5])"
}

function Get-GuestAdapterAddresses {
    <#
    The addresses each connected NIC of a running guest has now (adapter id -> string[], IPv4
    first, then the IPv6 link-local address): its static addresses; a DHCP lease where DHCP is on
    and the switch has DHCP; without a lease, APIPA on Windows and nothing on Linux (NetworkManager
    and systemd-networkd keep asking, and assign no IPv4 link-local address by default). A NIC
    the guest leaves unconfigured has none, not even IPv6 link-local.
    #>
    param($State, $Vm, $Guest, $Capability)
    $result = [ordered]@{}
    $network = if ($Guest.Contains('network')) { $Guest['network'] } else { $null }
    $resolved = Resolve-GuestNicConfig -Network $network -Nics @(Get-GuestNics -Vm $Vm -Guest $Guest -Capability $Capability)
    foreach ($c in $resolved.Configs) {
        $nic = $c.Nic
        if (-not $nic.Connected -or $c.Unconfigured) { continue }
        $v4 = [System.Collections.Generic.List[string]]::new()
        foreach ($a in $c.Static) { $v4.Add($a.Split('/')[0]) }
        if ($c.Dhcp) {
            $dhcp = Get-SwitchDhcp -State $State -SwitchName $nic.Switch
            if ($dhcp.Dhcp) { $v4.Add((Get-DhcpLease -Mac $nic.Mac -Subnet $dhcp.Subnet)) }
            elseif ($Capability.Windows -and $v4.Count -eq 0) { $v4.Add((ConvertTo-ApipaAddress -Mac $nic.Mac)) }
        }
        $result[$nic.Id] = [string[]]@($v4) + @(ConvertTo-GuestIPv6LinkLocal -Mac $nic.Mac)
    }
    $result
}

function Add-GuestNetworkNotes {
    # Why an adapter will not have the address its first-boot media meant, at boot: an entry
    # that names a MAC (or name) no adapter has, a Linux NIC no entry configures, and what the
    # parser ignored.
    param($Boot)
    $guest = $Boot.Guest
    if ($null -eq $guest.os -or $null -eq $guest['network']) { return }
    $network = $guest['network']
    $source = if ($network['source']) { [string]$network['source'] } else { 'the guest' }
    foreach ($p in @($network['problems'])) { if ($p) { $Boot.Notes.Add([string]$p) } }
    $capability = Get-GuestCapability -Guest $guest
    $nics = @(Get-GuestNics -Vm $Boot.Vm -Guest $guest -Capability $capability)
    $resolved = Resolve-GuestNicConfig -Network $network -Nics $nics
    foreach ($e in $resolved.Unmatched) {
        $what = if ($e['match'].Contains('macAddress')) { "MAC $($e['match']['macAddress'])" } elseif ($e['match'].Contains('name')) { "name '$($e['match']['name'])'" } elseif ($e['match'].Contains('driver')) { "driver $($e['match']['driver'])" } else { 'a link' }
        $gave = if (@($e['addresses']).Count) { "its addresses ($(@($e['addresses']) -join ', ')) are on no adapter" } else { 'it configures nothing' }
        $Boot.Notes.Add("$source $($e['id']): no adapter has $what ($(if ($nics.Count) { ($nics | ForEach-Object { "$($_.GuestName) $($_.Mac)" }) -join ', ' } else { 'the VM has no network adapter' })): $gave")
    }
    foreach ($c in $resolved.Configs) {
        $nic = $c.Nic
        if ($c.Entry) {
            $how = @()
            if ($c.Static.Count) { $how += "static $($c.Static -join ', ')" }
            if ($c.Dhcp) { $how += 'DHCP' }
            if ($c.Entry['gateway']) { $how += "gateway $($c.Entry['gateway'])" }
            if (@($c.Entry['dns']).Count) { $how += "DNS $(@($c.Entry['dns']) -join ', ')" }
            $Boot.Notes.Add("$source $($c.Entry['id']) configures '$($nic.AdapterName)' ($($nic.GuestName), $($nic.Mac)): $(if ($how.Count) { $how -join '; ' } else { 'no IPv4 address' })")
        }
        elseif ($c.Unconfigured) {
            $why = if ($network['source']) { "is in no entry of $source" } else { 'is not the first adapter with a link, and no network configuration names it' }
            $Boot.Notes.Add("'$($nic.AdapterName)' ($($nic.GuestName), $($nic.Mac)) $($why): the guest leaves it unconfigured")
        }
    }
}
