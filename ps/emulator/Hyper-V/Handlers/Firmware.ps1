# Set-VMBios (Generation 1 only) and Set-VMFirmware (Generation 2 only).

function Resolve-FirmwareVMs {
    param($Ctx, [string]$ObjectParameter)
    @(Resolve-TargetVM $Ctx 'VMName' 'VM') + @(Resolve-VMFromResourceObject $Ctx $ObjectParameter)
}

$script:Handlers['Set-VMBios'] = {
    param($Ctx)
    foreach ($vm in (Resolve-FirmwareVMs $Ctx 'VMBios')) {
        if ([int]$vm.generation -ne 1) {
            Stop-HvEmulatorCommand -Message "Set-VMBios applies to Generation 1 virtual machines only; '$($vm.name)' is Generation $($vm.generation): use Set-VMFirmware." -Category InvalidOperation -ErrorId 'InvalidOperation' -TargetObject $vm.name
        }
        Assert-VMOff -Vm $vm -What 'Set-VMBios'
        if ((Get-Bound $Ctx 'EnableNumLock') -and (Get-Bound $Ctx 'DisableNumLock')) {
            Stop-HvEmulatorCommand -Message 'Specify either -EnableNumLock or -DisableNumLock, not both.' -Category InvalidArgument -ErrorId 'InvalidParameter'
        }
        if (Test-Bound $Ctx 'StartupOrder') {
            $order = [System.Collections.Generic.List[string]]::new()
            foreach ($device in @($Ctx.Parameters['StartupOrder'])) {
                # The Gen1 BIOS boots only IDE, CD, a legacy NIC or a floppy: no SCSI, no synthetic NIC.
                $canonical = $script:Gen1BootDevices | Where-Object { $_ -eq [string]$device } | Select-Object -First 1
                if (-not $canonical) {
                    Stop-HvEmulatorCommand -Message "The startup order of Generation 1 virtual machine '$($vm.name)' can contain only CD, IDE, LegacyNetworkAdapter and Floppy; '$device' is not a BIOS boot device (a Generation 1 virtual machine cannot boot from SCSI or a synthetic network adapter)." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $device
                }
                if ($order.Contains($canonical)) {
                    Stop-HvEmulatorCommand -Message "The startup order lists '$canonical' more than once." -Category InvalidArgument -ErrorId 'InvalidParameter'
                }
                $order.Add($canonical)
            }
            if ($order.Count -ne 4) {
                Stop-HvEmulatorCommand -Message "The startup order must list each of CD, IDE, LegacyNetworkAdapter and Floppy exactly once (got $($order -join ', '))." -Category InvalidArgument -ErrorId 'InvalidParameter'
            }
            $vm.bios.startupOrder = $order.ToArray()
        }
        if (Get-Bound $Ctx 'EnableNumLock') { $vm.bios.numLockEnabled = $true }
        if (Get-Bound $Ctx 'DisableNumLock') { $vm.bios.numLockEnabled = $false }
        if (Get-Bound $Ctx 'Passthru') {
            ConvertTo-RealShape ([ordered]@{ PSTypeName = 'Microsoft.HyperV.PowerShell.VMBios'; VMName = $vm.name; VMId = [guid]$vm.id; StartupOrder = [string[]]$vm.bios.startupOrder; NumLockEnabled = [bool]$vm.bios.numLockEnabled })
        }
    }
}

function ConvertTo-BootEntry {
    param($Vm, $Object)
    $type = [string](Get-PropertyValue $Object 'ControllerType')
    $kind = [string]((Get-PropertyValue $Object 'PSTypeNames') | Select-Object -First 1)
    if ($kind -like '*NetworkAdapter*') { return "NetworkAdapter:$(Get-PropertyValue $Object 'Name')" }
    if ($type) {
        $device = if ($kind -like '*Dvd*') { 'Dvd' } else { 'Drive' }
        return "$($device):$($type) $(Get-PropertyValue $Object 'ControllerNumber'):$(Get-PropertyValue $Object 'ControllerLocation')"
    }
    "BootSource:$(Get-PropertyValue $Object 'Description')"
}

$script:Handlers['Set-VMFirmware'] = {
    param($Ctx)
    foreach ($vm in (Resolve-FirmwareVMs $Ctx 'VMFirmware')) {
        if ([int]$vm.generation -ne 2) {
            Stop-HvEmulatorCommand -Message "Set-VMFirmware applies to Generation 2 virtual machines only; '$($vm.name)' is Generation $($vm.generation): use Set-VMBios." -Category InvalidOperation -ErrorId 'InvalidOperation' -TargetObject $vm.name
        }
        $fw = $vm.firmware
        if (Test-Bound $Ctx 'EnableSecureBoot') { $fw.secureBoot = [string]$Ctx.Parameters['EnableSecureBoot'] }
        if (Test-Bound $Ctx 'SecureBootTemplate') { $fw.secureBootTemplate = [string]$Ctx.Parameters['SecureBootTemplate'] }
        if (Test-Bound $Ctx 'PreferredNetworkBootProtocol') { $fw.preferredNetworkBootProtocol = [string]$Ctx.Parameters['PreferredNetworkBootProtocol'] }
        if (Test-Bound $Ctx 'ConsoleMode') { $fw.consoleMode = [string]$Ctx.Parameters['ConsoleMode'] }
        if (Test-Bound $Ctx 'PauseAfterBootFailure') { $fw.pauseAfterBootFailure = [string]$Ctx.Parameters['PauseAfterBootFailure'] }
        if (Test-Bound $Ctx 'BootOrder') { $fw.bootOrder = [string[]]@($Ctx.Parameters['BootOrder'] | ForEach-Object { ConvertTo-BootEntry $vm $_ }) }
        if (Test-Bound $Ctx 'FirstBootDevice') {
            $first = ConvertTo-BootEntry $vm $Ctx.Parameters['FirstBootDevice']
            $fw.bootOrder = [string[]](@($first) + @(@($fw.bootOrder) | Where-Object { $_ -and $_ -ne $first }))
        }
        Save-OtherSettings -Ctx $Ctx -Target $fw -Handled @('EnableSecureBoot', 'SecureBootTemplate', 'PreferredNetworkBootProtocol', 'ConsoleMode', 'PauseAfterBootFailure', 'BootOrder', 'FirstBootDevice')
        if (Get-Bound $Ctx 'Passthru') {
            ConvertTo-RealShape ([ordered]@{ PSTypeName = 'Microsoft.HyperV.PowerShell.VMFirmware'; VMName = $vm.name; VMId = [guid]$vm.id; SecureBoot = $fw.secureBoot; BootOrder = [string[]]$fw.bootOrder })
        }
    }
}
