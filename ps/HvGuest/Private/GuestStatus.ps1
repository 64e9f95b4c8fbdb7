# guest-status: what running guests report back to the host, for `ic status` and `create --wait`.
# Read only. Per guest: VM state, heartbeat, the guest-reported IC version, every integration
# service by its locale-neutral GUID with its primary status, the addresses each adapter reports
# through KVP, the KVP intrinsic items (FQDN, OS), and what hvguest planned for it (manifest).

# KVP intrinsic items the guest publishes (Msvm_KvpExchangeComponent.GuestIntrinsicExchangeItems).
$script:HvKvpItems = @('FullyQualifiedDomainName', 'OSName', 'OSVersion', 'IntegrationServicesVersion', 'NetworkAddressIPv4')

# One Msvm_KvpExchangeDataItem embedded instance (WMI DTD 2.0 XML) -> name and data.
function ConvertFrom-HvKvpItem {
    param([string]$Xml)
    try { $doc = [xml]$Xml } catch { return $null }
    $name = $null; $data = $null
    foreach ($p in @($doc.SelectNodes('/INSTANCE/PROPERTY'))) {
        $value = $p.SelectSingleNode('VALUE')
        $text = if ($null -ne $value) { [string]$value.InnerText } else { $null }
        switch ([string]$p.GetAttribute('NAME')) {
            'Name' { $name = $text }
            'Data' { $data = $text }
        }
    }
    if ([string]::IsNullOrEmpty($name)) { return $null }
    return @{ Name = $name; Data = $data }
}

function Get-HvGuestKvp {
    # $null when the host cannot be asked (no CIM); an empty map when the guest published nothing.
    param([string]$VMId)
    if ($VMId -notmatch '^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$') { return $null }
    $filter = "SystemName='" + $VMId + "'"   # a GUID checked just above: no quoting can break out
    try {
        $components = @(Get-CimInstance -Namespace 'root\virtualization\v2' -ClassName 'Msvm_KvpExchangeComponent' -Filter $filter)
    } catch { return $null }
    $items = [ordered]@{}
    foreach ($c in $components) {
        foreach ($xml in @(Get-HvField -Object $c -Name 'GuestIntrinsicExchangeItems' -Default @())) {
            $item = ConvertFrom-HvKvpItem -Xml ([string]$xml)
            if ($null -ne $item -and $script:HvKvpItems -contains $item.Name) { $items[$item.Name] = $item.Data }
        }
    }
    return $items
}

function Get-HvGuestStatus {
    param($VM, [string]$VmRoot)
    $vmId = Get-HvVMId -VM $VM
    $services = New-Object System.Collections.Generic.List[object]
    foreach ($s in @(Select-HvObject -InputObject @(Get-VMIntegrationService -VM $VM) -Property 'Id')) {
        $services.Add([ordered]@{
                id              = (Get-HvIntegrationServiceGuid -Id ([string]$s.Id))
                name            = [string]$s.Name
                enabled         = (Test-HvTrue (Get-HvField -Object $s -Name 'Enabled'))
                status          = [string](Get-HvField -Object $s -Name 'PrimaryStatusDescription' -Default '')
                # the enum name (Ok, NoContact, LostCommunication...): the same in every locale
                operationalStatus = [string](Get-HvField -Object $s -Name 'PrimaryOperationalStatus' -Default '')
                secondaryStatus = [string](Get-HvField -Object $s -Name 'SecondaryStatusDescription' -Default '')
            })
    }
    $adapters = New-Object System.Collections.Generic.List[object]
    foreach ($a in @(Select-HvObject -InputObject @(Get-VMNetworkAdapter -VM $VM) -Property 'Name')) {
        $adapters.Add([ordered]@{
                name       = [string]$a.Name
                switch     = $(if ([string]::IsNullOrEmpty([string]$a.SwitchName)) { $null } else { [string]$a.SwitchName })
                macAddress = [string](Get-HvField -Object $a -Name 'MacAddress' -Default '')
                addresses  = @(@(Get-HvField -Object $a -Name 'IPAddresses' -Default @()) | Where-Object { -not [string]::IsNullOrEmpty([string]$_) } | ForEach-Object { [string]$_ })
            })
    }
    $state = [string](Get-HvField -Object $VM -Name 'State' -Default '')
    $kvp = $null
    if ($state -eq 'Running') { $kvp = Get-HvGuestKvp -VMId $vmId }
    $manifest = $null
    if (-not [string]::IsNullOrEmpty($VmRoot)) { $manifest = Read-HvManifest -Path (Get-HvManifestPath -VmRoot $VmRoot -VMId $vmId) -Lenient }
    $uptime = Get-HvField -Object $VM -Name 'Uptime'
    return [ordered]@{
        name                       = [string]$VM.Name
        vmId                       = $vmId
        state                      = $state
        uptimeSeconds              = $(if ($uptime -is [TimeSpan]) { [int][Math]::Floor($uptime.TotalSeconds) } else { $null })
        heartbeat                  = [string](Get-HvField -Object $VM -Name 'Heartbeat' -Default '')
        integrationServicesVersion = $(if ($null -ne (Get-HvField -Object $VM -Name 'IntegrationServicesVersion')) { [string](Get-HvField -Object $VM -Name 'IntegrationServicesVersion') } else { $null })
        integrationServicesState   = [string](Get-HvField -Object $VM -Name 'IntegrationServicesState' -Default '')
        services                   = $services.ToArray()
        networkAdapters            = $adapters.ToArray()
        kvp                        = $kvp
        managed                    = ($null -ne $manifest)
        planned                    = $(if ($null -ne $manifest) { Get-HvField -Object $manifest -Name 'guest' } else { $null })
        # the first-boot media hvguest wrote, and whether a DVD drive holds it (SeedMedia.ps1)
        seedMedia                  = (Get-HvSeedMediaState -VM $VM -Manifest $manifest)
    }
}

function Invoke-HvGuestStatusAction {
    param([hashtable]$Context, $Request)
    $names = @(@(Get-HvField -Object $Request -Name 'names' -Default @()) | ForEach-Object { [string]$_ })
    $vmRoot = Resolve-HvVmRoot -Request $Request -Step 'guest-status'
    Set-HvActivity -Context $Context -Step 'guest-status' -Cmdlet 'Get-VM'
    $vms = @(Get-HvAllVMs)
    $guests = New-Object System.Collections.Generic.List[object]
    $missing = New-Object System.Collections.Generic.List[string]
    foreach ($n in $names) {
        $vm = @($vms | Where-Object { Test-HvSameText -A ([string]$_.Name) -B $n })
        if ($vm.Count -eq 0) { $missing.Add($n); continue }
        Set-HvActivity -Context $Context -Step 'guest-status' -Cmdlet 'Get-VMIntegrationService'
        $guests.Add((Get-HvGuestStatus -VM $vm[0] -VmRoot $vmRoot))
    }
    $Context.Data = [ordered]@{ vmRoot = $vmRoot; guests = $guests.ToArray(); missing = $missing.ToArray() }
}
