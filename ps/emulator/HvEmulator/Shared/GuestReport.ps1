# What a running emulated guest reports to the host, at a given moment: heartbeat, the status of
# each integration service, the Key-Value Pair Exchange items and the addresses of its network
# adapters. It is computed from the VM's "guest" record (GuestBoot.ps1), the VM's integration
# service settings as they are now, and the time since the boot (host.guestTiming), never stored.
# The table it implements is in docs/emulator-guests.md.
#
# Shared: dot-sourced through HandlerHelpers.ps1 by the emulated modules (Hyper-V objects,
# Get-CimInstance Msvm_KvpExchangeComponent).

# Which guest capability (Get-GuestCapability) each integration service needs, by GUID.
$script:ServiceNeeds = @{
    '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47' = 'HvUtils'   # Heartbeat
    '9F8233AC-BE49-4C79-8EE3-E7E1985B2077' = 'HvUtils'   # Shutdown
    '2497F4DE-E9FA-4204-80E4-4B75C46419C0' = 'HvUtils'   # Time Synchronization
    '2A34B1C2-FD73-4043-8A5B-DD2159BC743F' = 'Kvp'       # Key-Value Pair Exchange
    '5CED1297-4598-4915-A5FC-AD21BB4D02A4' = 'Vss'       # VSS
    '6C09BB55-D683-4DA0-8931-C9BF705F6480' = 'Fcopy'     # Guest Service Interface
}
$script:HeartbeatGuid = '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47'
$script:KvpGuid = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'

function Get-GuestTiming {
    # Seconds from boot to the first heartbeat and to the first reported addresses (host.guestTiming;
    # defaults 2 and 3 for a state written before the field existed).
    param($State)
    $timing = if ($State['host'] -and $State['host'].Contains('guestTiming')) { $State['host']['guestTiming'] } else { $null }
    @{
        Heartbeat = $(if ($timing -and $null -ne $timing['heartbeatSeconds']) { [double]$timing['heartbeatSeconds'] } else { 2.0 })
        Address   = $(if ($timing -and $null -ne $timing['addressSeconds']) { [double]$timing['addressSeconds'] } else { 3.0 })
    }
}

function ConvertTo-GuestIPv4 {
    # The address a guest gets by DHCP, derived from its MAC: 10.<4th>.<5th>.<6th octet>, with .0
    # read as .1 and .255 as .254 (never a network or broadcast address).
    param([string]$Mac)
    $b = [System.Convert]::FromHexString($Mac)
    $last = [int]$b[5]
    if ($last -eq 0) { $last = 1 } elseif ($last -eq 255) { $last = 254 }
    "10.$($b[3]).$($b[4]).$last"
}

function ConvertTo-GuestIPv6LinkLocal {
    # The IPv6 link-local address of a MAC (modified EUI-64, RFC 4291 appendix A).
    param([string]$Mac)
    $b = [System.Convert]::FromHexString($Mac)
    $bytes = [byte[]]::new(16)
    $bytes[0] = 0xfe; $bytes[1] = 0x80
    $bytes[8] = $b[0] -bxor 0x02; $bytes[9] = $b[1]; $bytes[10] = $b[2]; $bytes[11] = 0xff
    $bytes[12] = 0xfe; $bytes[13] = $b[3]; $bytes[14] = $b[4]; $bytes[15] = $b[5]
    [System.Net.IPAddress]::new($bytes).ToString()
}

function Get-GuestReport {
    <#
    What the guest of a VM reports now: Running; Heartbeat (a VMHeartbeatStatus name, $null when
    not running); Services (GUID -> @{ Status; Description; SecondaryStatus; SecondaryDescription },
    only when running); Kvp (ordered name -> value, $null when KVP does not work); Addresses
    (adapter id -> string[]); IcVersion (what the guest's ICs say, when it is in contact); Uptime.
    #>
    param($State, $Vm, [datetime]$Now = [datetime]::UtcNow)
    $report = @{ Running = $false; Heartbeat = $null; Services = @{}; Kvp = $null; Addresses = @{}; IcVersion = $null; Contact = $false; Uptime = [timespan]::Zero; Windows = $false }
    if ([string]$Vm['state'] -ne 'Running') { return $report }
    $report.Running = $true
    $guest = if ($Vm.Contains('guest')) { $Vm['guest'] } else { $null }
    $elapsed = 0.0
    if ($guest -and $guest['bootedAt']) {
        $booted = [datetime]::Parse([string]$guest['bootedAt'], [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal)
        $span = $Now.ToUniversalTime() - $booted
        if ($span -lt [timespan]::Zero) { $span = [timespan]::Zero }
        $report.Uptime = $span
        $elapsed = $span.TotalSeconds
    }
    $timing = Get-GuestTiming -State $State
    $capability = Get-GuestCapability -Guest $guest
    $report.Windows = $capability.Windows
    $awake = $elapsed -ge $timing.Heartbeat
    $enabled = @{}
    foreach ($s in @($Vm['integrationServices'])) { if ($null -ne $s) { $enabled[([string]$s['guid']).ToUpperInvariant()] = [bool]$s['enabled'] } }
    foreach ($guid in @($enabled.Keys)) {
        $need = $script:ServiceNeeds[$guid]
        $entry = @{ Status = 'Ok'; Description = 'OK'; SecondaryStatus = $null; SecondaryDescription = $null }
        if ($enabled[$guid]) {
            $answers = $awake -and $need -and $capability[$need]
            if (-not $answers) { $entry.Status = 'NoContact'; $entry.Description = 'No Contact' }
            elseif ($guid -eq $script:HeartbeatGuid -and $capability.AppHealth) { $entry.SecondaryStatus = 'Ok'; $entry.SecondaryDescription = 'OK' }
        }
        # A disabled service reads OK, as in Microsoft's Get-VMIntegrationService example [IS]:
        # its status is the host side's; the guest is not asked. Callers read Enabled first.
        $report.Services[$guid] = $entry
    }
    $heartbeatOn = $enabled.ContainsKey($script:HeartbeatGuid) -and $enabled[$script:HeartbeatGuid]
    $report.Contact = $awake -and $capability.HvUtils
    $report.Heartbeat = if (-not $heartbeatOn) { 'Disabled' } elseif (-not $report.Contact) { 'NoContact' } elseif ($capability.AppHealth) { 'OkApplicationsHealthy' } else { 'OkApplicationsUnknown' }
    if ($report.Contact -and $guest['integrationServicesVersion']) { $report.IcVersion = [string]$guest['integrationServicesVersion'] }

    $kvpWorks = $awake -and $capability.Kvp -and $enabled.ContainsKey($script:KvpGuid) -and $enabled[$script:KvpGuid]
    if (-not $kvpWorks) { return $report }
    $ipv4 = [System.Collections.Generic.List[string]]::new()
    $ipv6 = [System.Collections.Generic.List[string]]::new()
    if ($elapsed -ge $timing.Address) {
        # What the guest configured from its first-boot media, and DHCP where its switch has it (GuestNetwork.ps1).
        $addresses = Get-GuestAdapterAddresses -State $State -Vm $Vm -Guest $guest -Capability $capability
        foreach ($id in $addresses.Keys) {
            $report.Addresses[$id] = [string[]]$addresses[$id]
            foreach ($address in $addresses[$id]) { if ($address.Contains(':')) { $ipv6.Add($address) } else { $ipv4.Add($address) } }
        }
    }
    $os = $guest['os']
    $kvp = [ordered]@{}
    $kvp['FullyQualifiedDomainName'] = if ($guest['fqdn']) { [string]$guest['fqdn'] } else { [string]$guest['hostname'] }
    if ($capability.Windows) {
        $facts = $script:WindowsGuests[[string]$os['version']]
        $parts = ([string]$facts.kernel).Split('.')
        $kvp['OSName'] = [string]$facts.name
        $kvp['OSVersion'] = [string]$facts.kernel
        $kvp['OSMajorVersion'] = $parts[0]
        $kvp['OSMinorVersion'] = $parts[1]
        $kvp['OSBuildNumber'] = $parts[2]
    }
    else {
        # hv_kvp_daemon splits os-release VERSION_ID at its first dot ('22.04' -> 22 and 04).
        $parts = ([string]$os['version']) -split '[.]|sp', 2
        $kvp['OSName'] = [string]$script:LinuxGuests[[string]$os['distro']].name
        $kvp['OSVersion'] = [string]$os['version']
        $kvp['OSMajorVersion'] = $parts[0]
        $kvp['OSMinorVersion'] = $(if ($parts.Count -gt 1) { $parts[1] } else { '0' })
        $kvp['OSBuildNumber'] = [string]$os['version']
    }
    $kvp['ProcessorArchitecture'] = '9'
    $kvp['IntegrationServicesVersion'] = [string]$guest['integrationServicesVersion']
    if ($ipv4.Count) { $kvp['NetworkAddressIPv4'] = $ipv4 -join ';' }
    if ($ipv6.Count) { $kvp['NetworkAddressIPv6'] = $ipv6 -join ';' }
    $report.Kvp = $kvp
    $report
}

function ConvertTo-KvpDataItemXml {
    # One Msvm_KvpExchangeDataItem as Hyper-V embeds it (CIM-XML) in
    # Msvm_KvpExchangeComponent.GuestIntrinsicExchangeItems; Source 2 = the guest's intrinsic pool.
    param([string]$Name, [string]$Data)
    $e = { param($s) [System.Security.SecurityElement]::Escape($s) }
    '<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">' +
    '<PROPERTY NAME="Caption" PROPAGATED="true" TYPE="string"></PROPERTY>' +
    '<PROPERTY NAME="Data" TYPE="string"><VALUE>' + (& $e $Data) + '</VALUE></PROPERTY>' +
    '<PROPERTY NAME="Description" PROPAGATED="true" TYPE="string"></PROPERTY>' +
    '<PROPERTY NAME="ElementName" PROPAGATED="true" TYPE="string"></PROPERTY>' +
    '<PROPERTY NAME="Name" TYPE="string"><VALUE>' + (& $e $Name) + '</VALUE></PROPERTY>' +
    '<PROPERTY NAME="Source" TYPE="uint16"><VALUE>2</VALUE></PROPERTY>' +
    '</INSTANCE>'
}
