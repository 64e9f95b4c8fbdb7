# New-, Set-, Remove-VMSwitch: the switch records, the management OS's vEthernet adapter of each
# Internal switch (and of an External one that allows the management OS), and the physical NIC an
# External switch binds, whose IPv4 addresses follow it (Shared/HostNetwork.ps1).

function Resolve-SwitchNic {
    # The physical NIC -NetAdapterName / -NetAdapterInterfaceDescription names, checked as Hyper-V
    # checks it before binding: it exists, is not wireless, and no other switch binds it.
    param($Ctx, $VMSwitchRecord, [string]$Failure)
    $state = $Ctx.State
    if (Test-Bound $Ctx 'NetAdapterName') {
        $n = [string]@($Ctx.Parameters['NetAdapterName'])[0]
        $nic = @($state.netAdapters) | Where-Object { $null -ne $_ -and [string]::Equals([string]$_.name, $n, [System.StringComparison]::OrdinalIgnoreCase) } | Select-Object -First 1
    }
    else {
        $n = [string]@($Ctx.Parameters['NetAdapterInterfaceDescription'])[0]
        $nic = @($state.netAdapters) | Where-Object { $null -ne $_ -and [string]::Equals([string]$_.interfaceDescription, $n, [System.StringComparison]::OrdinalIgnoreCase) } | Select-Object -First 1
    }
    if (-not $nic -or -not $nic.physical) {
        Stop-HvEmulatorCommand -Message "$Failure No physical network adapter '$n' exists on the host." -Category ObjectNotFound -ErrorId 'ObjectNotFound' -TargetObject $n
    }
    if ([string]$nic.mediaType -eq 'Native 802.11') {
        Stop-HvEmulatorCommand -Message "$Failure The network adapter '$($nic.name)' ($($nic.interfaceDescription)) is a wireless adapter (Native 802.11); an External virtual switch binds wired Ethernet adapters only." -Category InvalidOperation -ErrorId 'InvalidOperation' -TargetObject $nic.name
    }
    $owner = Find-BindingSwitch -State $state -NicName ([string]$nic.name)
    if ($owner -and -not ($VMSwitchRecord -and [string]$owner.id -eq [string]$VMSwitchRecord.id)) {
        Stop-HvEmulatorCommand -Message "$Failure The network adapter '$($nic.name)' is already bound to a virtual switch." -Category ResourceBusy -ErrorId 'InUse' -TargetObject $nic.name
    }
    $nic
}

function Resolve-SwitchTargets {
    # The switches -Name (each name exactly, any case) or -VMSwitch (by Id) names.
    param($Ctx)
    $state = $Ctx.State
    $all = @($state.switches | Where-Object { $null -ne $_ })
    $found = [System.Collections.Generic.List[object]]::new()
    if (Test-Bound $Ctx 'VMSwitch') {
        foreach ($o in @($Ctx.Parameters['VMSwitch'])) {
            $id = [string](Get-PropertyValue $o 'Id')
            $s = $all | Where-Object { [string]$_.id -eq $id } | Select-Object -First 1
            if (-not $s) { Stop-HvEmulatorCommand -Message "Hyper-V was unable to find a virtual switch with id `"$id`"." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $id }
            $found.Add($s)
        }
        return $found.ToArray()
    }
    foreach ($name in @($Ctx.Parameters['Name'])) {
        $matched = @($all | Where-Object { [string]::Equals([string]$_.name, [string]$name, [System.StringComparison]::OrdinalIgnoreCase) })
        if ($matched.Count -eq 0) {
            Stop-HvEmulatorCommand -Message "Hyper-V was unable to find a virtual switch with name `"$name`"." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject ([string]$name)
        }
        foreach ($s in $matched) { $found.Add($s) }
    }
    $found.ToArray()
}

function Set-SwitchManagementOS {
    # AllowManagementOS on a switch: an External switch gains or loses its vEthernet adapter (and
    # with it the NIC's addresses); an Internal switch without it is a Private one, and back.
    param($State, $VMSwitchRecord, [bool]$Allow)
    switch ([string]$VMSwitchRecord.switchType) {
        'Internal' { if (-not $Allow) { $VMSwitchRecord.switchType = 'Private' } }
        'Private' { if ($Allow) { $VMSwitchRecord.switchType = 'Internal' } }
    }
    $VMSwitchRecord.allowManagementOS = $Allow
    if ($Allow) { $null = Add-SwitchHostAdapter -State $State -Switch $VMSwitchRecord }
    else { Remove-SwitchHostAdapter -State $State -Switch $VMSwitchRecord }
}

$script:SwitchParametersHandled = @('SwitchType', 'NetAdapterName', 'NetAdapterInterfaceDescription', 'AllowManagementOS', 'Notes', 'VMSwitch', 'ResourcePoolName')

$script:Handlers['New-VMSwitch'] = {
    param($Ctx)
    $state = $Ctx.State
    $name = [string]$Ctx.Parameters['Name']
    $vmSwitch = [ordered]@{ name = $name; id = [guid]::NewGuid().ToString(); switchType = 'External'; netAdapterName = $null; netAdapterInterfaceDescription = $null; allowManagementOS = $true; notes = [string](Get-Bound $Ctx 'Notes' ''); dhcp = $false }
    if (Test-Bound $Ctx 'SwitchType') {
        # Internal or Private: the documented values (an External switch is made by naming its NIC).
        $type = [string]$Ctx.Parameters['SwitchType']
        $vmSwitch.switchType = $type
        $vmSwitch.allowManagementOS = $type -eq 'Internal'
    }
    else {
        $nic = Resolve-SwitchNic -Ctx $Ctx -VMSwitchRecord $null -Failure 'Failed while creating virtual Ethernet switch.'
        $vmSwitch.netAdapterName = [string]$nic.name
        $vmSwitch.netAdapterInterfaceDescription = [string]$nic.interfaceDescription
        $vmSwitch.allowManagementOS = [bool](Get-Bound $Ctx 'AllowManagementOS' $true)
    }
    Save-OtherSettings -Ctx $Ctx -Target $vmSwitch -Handled $script:SwitchParametersHandled
    Add-ToList $state 'switches' $vmSwitch
    if ($vmSwitch.allowManagementOS) { $null = Add-SwitchHostAdapter -State $state -Switch $vmSwitch }
    ConvertTo-SwitchObject -State $state -Switch $vmSwitch
}

$script:Handlers['Set-VMSwitch'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($vmSwitch in (Resolve-SwitchTargets $Ctx)) {
        $managementHandled = $false
        if ((Test-Bound $Ctx 'NetAdapterName') -or (Test-Bound $Ctx 'NetAdapterInterfaceDescription')) {
            # Binding a NIC makes the switch External on it; the management OS shares it unless
            # -AllowManagementOS $false (the doc of -NetAdapterName).
            $nic = Resolve-SwitchNic -Ctx $Ctx -VMSwitchRecord $vmSwitch -Failure 'Failed while adding virtual Ethernet switch connections.'
            if ([string]$vmSwitch.netAdapterName -ne [string]$nic.name) {
                Remove-SwitchHostAdapter -State $state -Switch $vmSwitch
                $vmSwitch.switchType = 'External'
                $vmSwitch.netAdapterName = [string]$nic.name
                $vmSwitch.netAdapterInterfaceDescription = [string]$nic.interfaceDescription
            }
            Set-SwitchManagementOS -State $state -VMSwitchRecord $vmSwitch -Allow ([bool](Get-Bound $Ctx 'AllowManagementOS' $true))
            $managementHandled = $true
        }
        elseif (Test-Bound $Ctx 'SwitchType') {
            $type = [string]$Ctx.Parameters['SwitchType']
            if ($type -eq 'External' -and [string]$vmSwitch.switchType -ne 'External') {
                Stop-HvEmulatorCommand -Message "Failed while adding virtual Ethernet switch connections. Making '$($vmSwitch.name)' External needs the physical network adapter it binds: give -NetAdapterName or -NetAdapterInterfaceDescription." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject ([string]$vmSwitch.name)
            }
            if ($type -ne [string]$vmSwitch.switchType) {
                # The NIC's addresses go back to it; an Internal switch gets a fresh vEthernet adapter.
                Remove-SwitchHostAdapter -State $state -Switch $vmSwitch
                $vmSwitch.switchType = $type
                $vmSwitch.netAdapterName = $null
                $vmSwitch.netAdapterInterfaceDescription = $null
                $vmSwitch.allowManagementOS = $type -eq 'Internal'
                if ($vmSwitch.allowManagementOS) { $null = Add-SwitchHostAdapter -State $state -Switch $vmSwitch }
            }
        }
        if (-not $managementHandled -and (Test-Bound $Ctx 'AllowManagementOS')) {
            Set-SwitchManagementOS -State $state -VMSwitchRecord $vmSwitch -Allow ([bool]$Ctx.Parameters['AllowManagementOS'])
        }
        if (Test-Bound $Ctx 'Notes') { $vmSwitch.notes = [string]$Ctx.Parameters['Notes'] }
        Save-OtherSettings -Ctx $Ctx -Target $vmSwitch -Handled $script:SwitchParametersHandled
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-SwitchObject -State $state -Switch $vmSwitch }
    }
}

$script:Handlers['Remove-VMSwitch'] = {
    param($Ctx)
    $state = $Ctx.State
    $targets = @(Resolve-SwitchTargets $Ctx)
    foreach ($vmSwitch in $targets) {
        # Client Hyper-V's Default Switch "cannot be deleted or renamed" (docs/hyperv-facts.md, 'Default Switch').
        if ([string]$vmSwitch.id -eq 'c08cb7b8-9b3c-408e-8e30-5e16a3aeb444') {
            Stop-HvEmulatorCommand -Message "The virtual switch 'Default Switch' cannot be deleted: Hyper-V creates and keeps it." -Category InvalidOperation -ErrorId 'InvalidOperation' -TargetObject ([string]$vmSwitch.name)
        }
        # -Force: "Forces the command to run without asking for user confirmation" (its doc):
        # without it the cmdlet asks, which a session that cannot prompt refuses.
        if (-not (Get-Bound $Ctx 'Force')) {
            $confirmed = $false
            try { $confirmed = $Ctx.Cmdlet.ShouldContinue("Are you sure you want to remove the virtual switch `"$($vmSwitch.name)`"?", 'Remove-VMSwitch') }
            catch {
                $reason = if ($_.Exception.InnerException) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
                Stop-HvEmulatorCommand -Message $reason -Category InvalidOperation -ErrorId 'PromptNotAvailable' -TargetObject ([string]$vmSwitch.name)
            }
            if (-not $confirmed) { continue }
        }
        Remove-SwitchHostAdapter -State $state -Switch $vmSwitch
        # Host vNICs added with Add-VMNetworkAdapter -ManagementOS go with the switch, and so do their addresses.
        $gone = @(@($state.netAdapters) | Where-Object { $null -ne $_ -and $_.virtual -and $_.Contains('switchName') -and [string]$_.switchName -eq [string]$vmSwitch.name } | ForEach-Object { [string]$_.name })
        if ($gone.Count -gt 0) {
            Remove-FromList $state 'netAdapters' { param($n) $n.virtual -and $n.Contains('switchName') -and [string]$n.switchName -eq [string]$vmSwitch.name }
            if ($state.Contains('netIPAddresses')) { Remove-FromList $state 'netIPAddresses' { param($r) $gone -contains [string]$r.interfaceAlias } }
        }
        # The VMs' adapters on it are left not connected, as when its switch is deleted in Hyper-V Manager.
        foreach ($vm in @($state.vms)) {
            foreach ($a in @($vm.networkAdapters)) { if ($null -ne $a -and [string]$a.switchName -eq [string]$vmSwitch.name) { $a.switchName = $null } }
        }
        Remove-FromList $state 'switches' { param($s) [string]$s.id -eq [string]$vmSwitch.id }
    }
}
