# New-, Set-, Remove-VMSwitch: the switch records, the management OS's vEthernet adapter of each
# Internal switch (and of an External one that allows the management OS), and the physical NIC an
# External switch binds, whose IPv4 addresses follow it (Shared/HostNetwork.ps1).

function Resolve-SwitchNic {
    # The physical NIC -NetAdapterName / -NetAdapterInterfaceDescription names, checked as Hyper-V
    # checks it before binding: it exists, is not wireless, and no other switch binds it.
    param($Ctx, $Switch, [string]$Failure)
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
    if ($owner -and -not ($Switch -and [string]$owner.id -eq [string]$Switch.id)) {
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
    param($State, $Switch, [bool]$Allow)
    switch ([string]$Switch.switchType) {
        'Internal' { if (-not $Allow) { $Switch.switchType = 'Private' } }
        'Private' { if ($Allow) { $Switch.switchType = 'Internal' } }
    }
    $Switch.allowManagementOS = $Allow
    if ($Allow) { $null = Add-SwitchHostAdapter -State $State -Switch $Switch }
    else { Remove-SwitchHostAdapter -State $State -Switch $Switch }
}

$script:SwitchParametersHandled = @('SwitchType', 'NetAdapterName', 'NetAdapterInterfaceDescription', 'AllowManagementOS', 'Notes', 'VMSwitch', 'ResourcePoolName')

$script:Handlers['New-VMSwitch'] = {
    param($Ctx)
    $state = $Ctx.State
    $name = [string]$Ctx.Parameters['Name']
    $failure = 'Failed while creating virtual Ethernet switch.'
    $switch = [ordered]@{ name = $name; id = [guid]::NewGuid().ToString(); switchType = 'External'; netAdapterName = $null; netAdapterInterfaceDescription = $null; allowManagementOS = $true; notes = [string](Get-Bound $Ctx 'Notes' ''); dhcp = $false }
    if (Test-Bound $Ctx 'SwitchType') {
        $type = [string]$Ctx.Parameters['SwitchType']
        if ($type -eq 'External') {
            Stop-HvEmulatorCommand -Message "$failure An External virtual switch needs the physical network adapter it binds: give -NetAdapterName or -NetAdapterInterfaceDescription." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $name
        }
        $switch.switchType = $type
        $switch.allowManagementOS = $type -eq 'Internal'
    }
    else {
        $nic = Resolve-SwitchNic -Ctx $Ctx -Switch $null -Failure $failure
        $switch.netAdapterName = [string]$nic.name
        $switch.netAdapterInterfaceDescription = [string]$nic.interfaceDescription
        $switch.allowManagementOS = [bool](Get-Bound $Ctx 'AllowManagementOS' $true)
    }
    Save-OtherSettings -Ctx $Ctx -Target $switch -Handled $script:SwitchParametersHandled
    Add-ToList $state 'switches' $switch
    if ($switch.allowManagementOS) { $null = Add-SwitchHostAdapter -State $state -Switch $switch }
    ConvertTo-SwitchObject -State $state -Switch $switch
}

$script:Handlers['Set-VMSwitch'] = {
    param($Ctx)
    $state = $Ctx.State
    foreach ($switch in (Resolve-SwitchTargets $Ctx)) {
        $managementHandled = $false
        if ((Test-Bound $Ctx 'NetAdapterName') -or (Test-Bound $Ctx 'NetAdapterInterfaceDescription')) {
            # Binding a NIC makes the switch External on it; the management OS shares it unless
            # -AllowManagementOS $false (the doc of -NetAdapterName).
            $nic = Resolve-SwitchNic -Ctx $Ctx -Switch $switch -Failure 'Failed while adding virtual Ethernet switch connections.'
            if ([string]$switch.netAdapterName -ne [string]$nic.name) {
                Remove-SwitchHostAdapter -State $state -Switch $switch
                $switch.switchType = 'External'
                $switch.netAdapterName = [string]$nic.name
                $switch.netAdapterInterfaceDescription = [string]$nic.interfaceDescription
            }
            Set-SwitchManagementOS -State $state -Switch $switch -Allow ([bool](Get-Bound $Ctx 'AllowManagementOS' $true))
            $managementHandled = $true
        }
        elseif (Test-Bound $Ctx 'SwitchType') {
            $type = [string]$Ctx.Parameters['SwitchType']
            if ($type -eq 'External' -and [string]$switch.switchType -ne 'External') {
                Stop-HvEmulatorCommand -Message "Failed while adding virtual Ethernet switch connections. Making '$($switch.name)' External needs the physical network adapter it binds: give -NetAdapterName or -NetAdapterInterfaceDescription." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject ([string]$switch.name)
            }
            if ($type -ne [string]$switch.switchType) {
                # The NIC's addresses go back to it; an Internal switch gets a fresh vEthernet adapter.
                Remove-SwitchHostAdapter -State $state -Switch $switch
                $switch.switchType = $type
                $switch.netAdapterName = $null
                $switch.netAdapterInterfaceDescription = $null
                $switch.allowManagementOS = $type -eq 'Internal'
                if ($switch.allowManagementOS) { $null = Add-SwitchHostAdapter -State $state -Switch $switch }
            }
        }
        if (-not $managementHandled -and (Test-Bound $Ctx 'AllowManagementOS')) {
            Set-SwitchManagementOS -State $state -Switch $switch -Allow ([bool]$Ctx.Parameters['AllowManagementOS'])
        }
        if (Test-Bound $Ctx 'Notes') { $switch.notes = [string]$Ctx.Parameters['Notes'] }
        Save-OtherSettings -Ctx $Ctx -Target $switch -Handled $script:SwitchParametersHandled
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-SwitchObject -State $state -Switch $switch }
    }
}

$script:Handlers['Remove-VMSwitch'] = {
    param($Ctx)
    $state = $Ctx.State
    $targets = @(Resolve-SwitchTargets $Ctx)
    foreach ($switch in $targets) {
        # -Force: "Forces the command to run without asking for user confirmation" (its doc):
        # without it the cmdlet asks, which a session that cannot prompt refuses.
        if (-not (Get-Bound $Ctx 'Force')) {
            $confirmed = $false
            try { $confirmed = $Ctx.Cmdlet.ShouldContinue("Are you sure you want to remove the virtual switch `"$($switch.name)`"?", 'Remove-VMSwitch') }
            catch {
                $reason = if ($_.Exception.InnerException) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
                Stop-HvEmulatorCommand -Message $reason -Category InvalidOperation -ErrorId 'PromptNotAvailable' -TargetObject ([string]$switch.name)
            }
            if (-not $confirmed) { continue }
        }
        Remove-SwitchHostAdapter -State $state -Switch $switch
        # Host vNICs added with Add-VMNetworkAdapter -ManagementOS go with the switch, and so do their addresses.
        $gone = @(@($state.netAdapters) | Where-Object { $null -ne $_ -and $_.virtual -and $_.Contains('switchName') -and [string]$_.switchName -eq [string]$switch.name } | ForEach-Object { [string]$_.name })
        if ($gone.Count -gt 0) {
            Remove-FromList $state 'netAdapters' { param($n) $n.virtual -and $n.Contains('switchName') -and [string]$n.switchName -eq [string]$switch.name }
            if ($state.Contains('netIPAddresses')) { Remove-FromList $state 'netIPAddresses' { param($r) $gone -contains [string]$r.interfaceAlias } }
        }
        # The VMs' adapters on it are left not connected, as when its switch is deleted in Hyper-V Manager.
        foreach ($vm in @($state.vms)) {
            foreach ($a in @($vm.networkAdapters)) { if ($null -ne $a -and [string]$a.switchName -eq [string]$switch.name) { $a.switchName = $null } }
        }
        Remove-FromList $state 'switches' { param($s) [string]$s.id -eq [string]$switch.id }
    }
}
