# Get/Enable/Disable-VMIntegrationService. Names are the host locale's (localized, as on Hyper-V);
# the Id ends with the locale-neutral GUID: Microsoft:<VMId>\<GUID>.

function Resolve-ServiceTargets {
    param($Ctx)
    $state = $Ctx.State
    $result = [System.Collections.Generic.List[object]]::new()
    $catalog = @(Get-HvEmulatorIntegrationServiceCatalog -Locale ([string]$state.host.locale))
    if (Test-Bound $Ctx 'VMIntegrationService') {
        foreach ($o in @($Ctx.Parameters['VMIntegrationService'])) {
            $id = [string](Get-PropertyValue $o 'Id')
            $vm = Find-VMById $state (Get-ObjectVMId $o)
            $service = if ($vm) { @($vm.integrationServices) | Where-Object { $null -ne $_ -and $id.EndsWith("\$($_.guid)", [System.StringComparison]::OrdinalIgnoreCase) } | Select-Object -First 1 } else { $null }
            if (-not $service) { Stop-HvEmulatorCommand -Message "Hyper-V was unable to find the integration service '$id'." -Category InvalidArgument -ErrorId 'InvalidParameter' }
            $result.Add(@{ vm = $vm; service = $service })
        }
        return $result.ToArray()
    }
    $names = Get-Bound $Ctx 'Name'
    foreach ($vm in (Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        foreach ($service in @($vm.integrationServices)) {
            if ($null -eq $service) { continue }
            $local = ($catalog | Where-Object { $_.Guid -eq $service.guid } | Select-Object -First 1).Name
            if ($null -ne $names) {
                $hit = $false
                foreach ($n in @($names)) { if ([System.Management.Automation.WildcardPattern]::new([string]$n, 'IgnoreCase').IsMatch($local)) { $hit = $true } }
                if (-not $hit) { continue }
            }
            $result.Add(@{ vm = $vm; service = $service })
        }
        if ($null -ne $names) {
            foreach ($n in @($names)) {
                if (-not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters([string]$n) -and -not ($catalog | Where-Object { $_.Name -eq $n })) {
                    Stop-HvEmulatorCommand -Message "No integration service named '$n' was found for virtual machine '$($vm.name)' (names are localized; this host's locale is $($state.host.locale))." -Category ObjectNotFound -ErrorId 'ObjectNotFound' -TargetObject $n
                }
            }
        }
    }
    $result.ToArray()
}

$script:Handlers['Get-VMIntegrationService'] = {
    param($Ctx)
    if (Test-Bound $Ctx 'VMSnapshot') { return }
    $reports = @{}
    foreach ($t in (Resolve-ServiceTargets $Ctx)) {
        # One report per VM: every service of a VM is read at the same moment.
        $id = [string]$t.vm.id
        if (-not $reports.ContainsKey($id)) { $reports[$id] = Get-GuestReport -State $Ctx.State -Vm $t.vm }
        ConvertTo-IntegrationServiceObject -State $Ctx.State -Vm $t.vm -Service $t.service -Report $reports[$id]
    }
}

function Set-IntegrationServiceEnabled {
    param($Ctx, [bool]$Enabled)
    foreach ($t in (Resolve-ServiceTargets $Ctx)) {
        $t.service.enabled = $Enabled
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-IntegrationServiceObject -State $Ctx.State -Vm $t.vm -Service $t.service }
    }
}

$script:Handlers['Enable-VMIntegrationService'] = { param($Ctx) Set-IntegrationServiceEnabled $Ctx $true }
$script:Handlers['Disable-VMIntegrationService'] = { param($Ctx) Set-IntegrationServiceEnabled $Ctx $false }
