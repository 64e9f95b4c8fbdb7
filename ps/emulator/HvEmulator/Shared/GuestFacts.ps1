# What the emulated guests are: the operating systems an image or installer can hold and what
# each one brings for Hyper-V (in-box integration components, built-in Linux drivers), and which
# packages give a Linux guest the user-space daemons. docs/emulator-guests.md cites the sources.
#
# Shared: dot-sourced by HvEmulator (New-HvEmulatorImage/Media validate -Os) and, through
# HandlerHelpers.ps1, by the emulated modules (Start-VM boots, Get-* report).

# Windows guests: version key (as in 'windows/2012r2'), KVP OSName, kernel version (KVP
# OSVersion), and the integration components that ship in the box. Windows Server 2008 R2 / 7 and
# later carry ICs in the box; 2008 and 2003 need the IC setup from vmguest.iso [IS]. The in-box
# build numbers are the RTM/SP1 ones (not sourced: the emulator only compares them).
$script:WindowsGuests = [ordered]@{
    '2003'   = @{ name = 'Windows Server 2003 Enterprise Edition'; kernel = '5.2.3790'; inbox = $null }
    '2008'   = @{ name = 'Windows Server 2008 Enterprise'; kernel = '6.0.6002'; inbox = $null }
    '2008r2' = @{ name = 'Windows Server 2008 R2 Enterprise'; kernel = '6.1.7601'; inbox = '6.1.7601.17514' }
    '2012'   = @{ name = 'Windows Server 2012 Datacenter'; kernel = '6.2.9200'; inbox = '6.2.9200.16384' }
    '2012r2' = @{ name = 'Windows Server 2012 R2 Datacenter'; kernel = '6.3.9600'; inbox = '6.3.9600.16384' }
    '2016'   = @{ name = 'Windows Server 2016 Datacenter'; kernel = '10.0.14393'; inbox = '10.0.14393.0' }
    '2019'   = @{ name = 'Windows Server 2019 Datacenter'; kernel = '10.0.17763'; inbox = '10.0.17763.1' }
    '2022'   = @{ name = 'Windows Server 2022 Datacenter'; kernel = '10.0.20348'; inbox = '10.0.20348.1' }
    '2025'   = @{ name = 'Windows Server 2025 Datacenter'; kernel = '10.0.26100'; inbox = '10.0.26100.1' }
    '7'      = @{ name = 'Windows 7 Enterprise'; kernel = '6.1.7601'; inbox = '6.1.7601.17514' }
    '8'      = @{ name = 'Windows 8 Enterprise'; kernel = '6.2.9200'; inbox = '6.2.9200.16384' }
    '8.1'    = @{ name = 'Windows 8.1 Enterprise'; kernel = '6.3.9600'; inbox = '6.3.9600.16384' }
    '10'     = @{ name = 'Windows 10 Enterprise'; kernel = '10.0.19045'; inbox = '10.0.19045.1' }
    '11'     = @{ name = 'Windows 11 Enterprise'; kernel = '10.0.22631'; inbox = '10.0.22631.1' }
}

# Linux distributions: KVP OSName (/etc/os-release NAME), the default host name of a fresh
# system, and from which version the distribution kernel carries the Hyper-V drivers (hv_vmbus,
# hv_utils, hv_netvsc, hv_storvsc: "Built in" in Microsoft's support tables [RH][UBU][DEB][SLES]).
# minimum: the first version with built-in drivers; also: further built-in ranges (RHEL 5.9-5.11).
# kvp/vss/fcopy: the package the distribution documents for the daemon, for notes.
$script:LinuxGuests = [ordered]@{
    ubuntu      = @{ name = 'Ubuntu'; hostname = 'ubuntu'; minimum = '12.04'; daemons = 'linux-cloud-tools-virtual' }
    debian      = @{ name = 'Debian GNU/Linux'; hostname = 'debian'; minimum = '7'; daemons = 'hyperv-daemons' }
    centos      = @{ name = 'CentOS Linux'; hostname = 'localhost.localdomain'; minimum = '6.4'; also = , @('5.9', '5.11'); daemons = 'hyperv-daemons' }
    rhel        = @{ name = 'Red Hat Enterprise Linux'; hostname = 'localhost.localdomain'; minimum = '6.4'; also = , @('5.9', '5.11'); daemons = 'hyperv-daemons' }
    oraclelinux = @{ name = 'Oracle Linux Server'; hostname = 'localhost.localdomain'; minimum = '6.4'; also = , @('5.9', '5.11'); daemons = 'hyperv-daemons' }
    rocky       = @{ name = 'Rocky Linux'; hostname = 'localhost.localdomain'; minimum = '8'; daemons = 'hyperv-daemons' }
    almalinux   = @{ name = 'AlmaLinux'; hostname = 'localhost.localdomain'; minimum = '8'; daemons = 'hyperv-daemons' }
    fedora      = @{ name = 'Fedora Linux'; hostname = 'localhost.localdomain'; minimum = '17'; daemons = 'hyperv-daemons' }
    sles        = @{ name = 'SLES'; hostname = 'linux'; minimum = '11.3'; daemons = 'hyper-v' }
    opensuse    = @{ name = 'openSUSE Leap'; hostname = 'localhost'; minimum = '42.1'; daemons = 'hyper-v' }
}

# Packages that install the Hyper-V user-space daemons: hv_kvp_daemon (Key-Value Pair Exchange),
# hv_vss_daemon (VSS), hv_fcopy_daemon (Guest Service Interface). Names are matched exactly, or by
# prefix where a pattern ends in '*'. microsoft-hyper-v is Microsoft's LIS download, which also
# brings the drivers themselves.
$script:DaemonPackages = @(
    @{ pattern = 'hyperv-daemons'; daemons = @('kvp', 'vss', 'fcopy') }        # Debian, RHEL 7+, Fedora [DEB][RH]
    @{ pattern = 'hypervkvpd'; daemons = @('kvp') }                            # RHEL/CentOS 6 [RH note 12]
    @{ pattern = 'hypervvssd'; daemons = @('vss') }
    @{ pattern = 'hypervfcopyd'; daemons = @('fcopy') }
    @{ pattern = 'linux-cloud-tools-*'; daemons = @('kvp', 'vss', 'fcopy') }   # Ubuntu: linux-cloud-tools-virtual, -generic, -azure [UBU]
    @{ pattern = 'hv-kvp-daemon-init'; daemons = @('kvp') }                    # Ubuntu 12.04 [UBU note 5]
    @{ pattern = 'linux-azure'; daemons = @('kvp', 'vss', 'fcopy') }           # Ubuntu's Azure kernel pulls linux-cloud-tools-azure [UBU]
    @{ pattern = 'microsoft-hyper-v'; daemons = @('kvp', 'vss', 'fcopy') }     # LIS download
    @{ pattern = 'hyper-v'; daemons = @('kvp', 'vss', 'fcopy') }               # SUSE
)

# Linux drivers' own IntegrationServicesVersion (the hv_kvp driver's HV_DRV_VERSION, which
# hv_kvp_daemon reports as its "LIC version").
$script:LinuxBuiltInIcVersion = '3.1'

function ConvertTo-GuestOs {
    # 'linux/ubuntu/22.04' or 'windows/2012r2' -> ordered {family, distro, version}; throws on an
    # unknown family, distribution or Windows version.
    param([string]$Text)
    $parts = @(([string]$Text).Trim().ToLowerInvariant().Split('/'))
    $family = $parts[0]
    if ($family -eq 'windows') {
        if ($parts.Count -ne 2 -or -not $script:WindowsGuests.Contains($parts[1])) {
            throw "Unknown Windows guest '$Text': give windows/<version>, version one of $($script:WindowsGuests.Keys -join ', ')."
        }
        return [ordered]@{ family = 'windows'; distro = $null; version = $parts[1] }
    }
    if ($family -eq 'linux') {
        if ($parts.Count -ne 3 -or -not $script:LinuxGuests.Contains($parts[1]) -or $parts[2] -notmatch '^\d+([.]\d+)*(sp\d+)?$') {
            throw "Unknown Linux guest '$Text': give linux/<distro>/<version> (such as linux/ubuntu/22.04, linux/sles/11sp3), distro one of $($script:LinuxGuests.Keys -join ', ')."
        }
        return [ordered]@{ family = 'linux'; distro = $parts[1]; version = $parts[2] }
    }
    throw "Unknown guest operating system '$Text': give linux/<distro>/<version> or windows/<version>."
}

function ConvertTo-ComparableVersion {
    # '22.04' -> 22.4, '11sp3' -> 11.3, '6.10' -> 6.10 (numeric parts, so 6.10 > 6.4).
    param([string]$Text)
    $clean = ([string]$Text).ToLowerInvariant() -replace '[-_]?sp', '.'
    $numbers = @($clean.Split('.') | Where-Object { $_ -match '^\d+$' } | Select-Object -First 4)
    if ($numbers.Count -eq 0) { return [version]'0.0' }
    if ($numbers.Count -eq 1) { $numbers += '0' }
    [version]($numbers -join '.')
}

function Format-GuestOs {
    # A short human name: 'Ubuntu 22.04', 'Windows Server 2012 R2 Datacenter'.
    param($Os)
    if ($null -eq $Os) { return 'no operating system' }
    if ($Os.family -eq 'windows') { return [string]$script:WindowsGuests[[string]$Os.version].name }
    "$($script:LinuxGuests[[string]$Os.distro].name) $($Os.version)"
}

function Test-LinuxBuiltInDrivers {
    # Whether the distribution kernel carries the Hyper-V drivers (hv_utils, hv_netvsc, ...).
    param($Os)
    $facts = $script:LinuxGuests[[string]$Os.distro]
    if (-not $facts) { return $false }
    $v = ConvertTo-ComparableVersion $Os.version
    if ($v -ge (ConvertTo-ComparableVersion $facts.minimum)) { return $true }
    foreach ($range in @($facts['also'])) {
        if ($null -eq $range) { continue }
        if ($v -ge (ConvertTo-ComparableVersion $range[0]) -and $v -le (ConvertTo-ComparableVersion $range[1])) { return $true }
    }
    $false
}

function Get-LinuxDaemonSet {
    # The daemons (kvp, vss, fcopy) the installed packages provide.
    param([string[]]$Software)
    $set = [System.Collections.Generic.HashSet[string]]::new()
    foreach ($package in @($Software)) {
        if ([string]::IsNullOrEmpty($package)) { continue }
        foreach ($entry in $script:DaemonPackages) {
            $pattern = [string]$entry.pattern
            $hit = if ($pattern.EndsWith('*')) { $package.StartsWith($pattern.TrimEnd('*'), [System.StringComparison]::OrdinalIgnoreCase) } else { [string]::Equals($package, $pattern, [System.StringComparison]::OrdinalIgnoreCase) }
            if ($hit) { foreach ($d in $entry.daemons) { [void]$set.Add($d) } }
        }
    }
    , $set
}

function Get-LinuxDaemonPackageHint {
    # Which package a distribution documents for a daemon, for notes ("no hv_kvp_daemon: ...").
    param($Os, [string]$Daemon)
    $distro = [string]$Os.distro
    $v = ConvertTo-ComparableVersion $Os.version
    if ($distro -in 'centos', 'rhel', 'oraclelinux' -and $v -lt [version]'7.0') {
        $name = @{ kvp = 'hypervkvpd'; vss = 'hypervvssd'; fcopy = 'hypervfcopyd' }[$Daemon]
        return "package $name (or hyperv-daemons) not installed"
    }
    if ($distro -eq 'ubuntu' -and $v -lt [version]'14.4' -and $Daemon -eq 'kvp') { return 'package hv-kvp-daemon-init / linux-cloud-tools-virtual not installed' }
    $facts = $script:LinuxGuests[$distro]
    "package $($facts.daemons) not installed"
}

function Get-GuestCapability {
    # What the running guest can answer, from what it has (vm.guest): the Hyper-V drivers and
    # heartbeat/shutdown/time sync (HvUtils), the KVP, VSS and file-copy services, the synthetic
    # NIC driver (Netvsc), and application health reporting (Windows 8 / 2012 ICs and later).
    param($Guest)
    $none = @{ HvUtils = $false; Kvp = $false; Vss = $false; Fcopy = $false; Netvsc = $false; AppHealth = $false; Windows = $false; Linux = $false }
    if ($null -eq $Guest -or $null -eq $Guest['os']) { return $none }
    $os = $Guest['os']
    $software = [string[]]@(@($Guest['software']) | Where-Object { $_ })
    if ($os['family'] -eq 'windows') {
        $ic = [string]$Guest['integrationServicesVersion']
        if (-not $ic) { $none.Windows = $true; return $none }
        $v = ConvertTo-ComparableVersion $ic
        return @{ HvUtils = $true; Kvp = $true; Vss = $true; Fcopy = $v -ge [version]'6.3'; Netvsc = $true; AppHealth = $v -ge [version]'6.2'; Windows = $true; Linux = $false }
    }
    $lis = @($software | Where-Object { $_ -ieq 'microsoft-hyper-v' }).Count -gt 0
    $hv = (Test-LinuxBuiltInDrivers $os) -or $lis
    $daemons = Get-LinuxDaemonSet -Software $software
    @{ HvUtils = $hv; Kvp = $hv -and $daemons.Contains('kvp'); Vss = $hv -and $daemons.Contains('vss'); Fcopy = $hv -and $daemons.Contains('fcopy'); Netvsc = $hv; AppHealth = $false; Windows = $false; Linux = $true }
}
