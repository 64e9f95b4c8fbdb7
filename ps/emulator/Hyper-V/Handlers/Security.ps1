# The virtual TPM and its key protector (Windows Server 2016 / Windows 10 and later: these cmdlets
# are bound only for the 2016+ docsets). State: $vm.security {keyProtector, tpmEnabled}, written on
# first use (docs/emulator-state.md). Faithful to Hyper-V where it refuses:
# - a TPM exists only on Generation 2 VMs (Msvm_TPMSettingData is a Gen2 device);
# - Enable-VMTPM needs a key protector first: the TPM's state is encrypted with the key the
#   protector wraps, so without one Hyper-V cannot unwrap it;
# - both change the VM's configuration: the VM must be off.
# Sources: docs/windows-11.md.

function Get-VMSecurityRecord {
    param($Vm)
    if (-not $Vm.Contains('security') -or $null -eq $Vm['security']) {
        $Vm['security'] = [ordered]@{ keyProtector = $null; tpmEnabled = $false }
    }
    $Vm['security']
}

function Assert-TpmCapableVM {
    param($Vm, [string]$What)
    if ([int]$Vm.generation -ne 2) {
        Stop-HvEmulatorCommand -Message "$What failed for virtual machine '$($Vm.name)': a virtual TPM is supported on Generation 2 virtual machines only; '$($Vm.name)' is Generation $($Vm.generation)." -Category InvalidOperation -ErrorId 'InvalidOperation' -TargetObject $Vm.name
    }
}

function ConvertTo-VMSecurityObject {
    param($Vm)
    $sec = $Vm['security']
    $tpm = $false
    if ($null -ne $sec) { $tpm = [bool]$sec.tpmEnabled }
    # Not ConvertTo-RealShape: VMSecurity is not among the classes of hyperv-types.json (the
    # HyperVDsc stub it is generated from predates it). The properties are those Get-VMSecurity
    # shows (TpmEnabled from Msvm_TPMSettingData.EnabledState; the rest from
    # Msvm_SecuritySettingData), with the VMName / VMId every VM component object carries.
    [pscustomobject][ordered]@{
        PSTypeName                        = 'Microsoft.HyperV.PowerShell.VMSecurity'
        TpmEnabled                        = $tpm
        KsdEnabled                        = $false
        Shielded                          = $false
        EncryptStateAndVmMigrationTraffic = $false
        VirtualizationBasedSecurityOptOut = $false
        VMName                            = [string]$Vm.name
        VMId                              = [guid]$Vm.id
    }
}

$script:Handlers['Set-VMKeyProtector'] = {
    param($Ctx)
    $new = [bool](Get-Bound $Ctx 'NewLocalKeyProtector' $false)
    $given = Test-Bound $Ctx 'KeyProtector'
    $restore = [bool](Get-Bound $Ctx 'RestoreLastKnownGoodKeyProtector' $false)
    if (@(@($new, $given, $restore) | Where-Object { $_ }).Count -ne 1) {
        Stop-HvEmulatorCommand -Message 'Specify exactly one of -NewLocalKeyProtector, -KeyProtector or -RestoreLastKnownGoodKeyProtector.' -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    foreach ($vm in @(Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        Assert-TpmCapableVM -Vm $vm -What 'Set-VMKeyProtector'
        Assert-VMOff -Vm $vm -What 'Set-VMKeyProtector'
        $sec = Get-VMSecurityRecord $vm
        if ($new) {
            # A local key protector is wrapped by the host's local guardian (UntrustedGuardian).
            $sec.keyProtector = [ordered]@{ kind = 'Local'; guardian = 'UntrustedGuardian'; id = [guid]::NewGuid().ToString() }
        }
        elseif ($given) {
            $bytes = [byte[]]@($Ctx.Parameters['KeyProtector'])
            if ($bytes.Length -eq 0) {
                Stop-HvEmulatorCommand -Message "Set-VMKeyProtector failed for virtual machine '$($vm.name)': the key protector is empty." -Category InvalidArgument -ErrorId 'InvalidParameter' -TargetObject $vm.name
            }
            $sec.keyProtector = [ordered]@{ kind = 'Given'; guardian = $null; id = [System.Convert]::ToBase64String($bytes) }
        }
        elseif ($null -eq $sec.keyProtector) {
            Stop-HvEmulatorCommand -Message "Set-VMKeyProtector failed for virtual machine '$($vm.name)': there is no last known good key protector." -Category InvalidOperation -ErrorId 'InvalidOperation' -TargetObject $vm.name
        }
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-VMObject -State $Ctx.State -Vm $vm }
    }
}

$script:Handlers['Get-VMKeyProtector'] = {
    param($Ctx)
    foreach ($vm in @(Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        Assert-TpmCapableVM -Vm $vm -What 'Get-VMKeyProtector'
        $kp = $null
        if ($vm.Contains('security') -and $null -ne $vm['security']) { $kp = $vm['security'].keyProtector }
        if ($null -eq $kp) { , ([byte[]]@()) }
        else { , ([System.Text.Encoding]::UTF8.GetBytes(('{0}:{1}' -f $kp.kind, $kp.id))) }
    }
}

$script:Handlers['Enable-VMTPM'] = {
    param($Ctx)
    foreach ($vm in @(Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        Assert-TpmCapableVM -Vm $vm -What 'Enable-VMTPM'
        Assert-VMOff -Vm $vm -What 'Enable-VMTPM'
        $sec = Get-VMSecurityRecord $vm
        if ($null -eq $sec.keyProtector) {
            Stop-HvEmulatorCommand -Message "Enable-VMTPM failed for virtual machine '$($vm.name)': the virtual machine has no key protector, so the key protector could not be unwrapped. Set one first (Set-VMKeyProtector -NewLocalKeyProtector)." -Category InvalidOperation -ErrorId 'InvalidOperation' -TargetObject $vm.name
        }
        $sec.tpmEnabled = $true
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-VMObject -State $Ctx.State -Vm $vm }
    }
}

$script:Handlers['Disable-VMTPM'] = {
    param($Ctx)
    foreach ($vm in @(Resolve-TargetVM $Ctx 'VMName' 'VM')) {
        Assert-TpmCapableVM -Vm $vm -What 'Disable-VMTPM'
        Assert-VMOff -Vm $vm -What 'Disable-VMTPM'
        (Get-VMSecurityRecord $vm).tpmEnabled = $false
        if (Get-Bound $Ctx 'Passthru') { ConvertTo-VMObject -State $Ctx.State -Vm $vm }
    }
}

$script:Handlers['Get-VMSecurity'] = {
    param($Ctx)
    foreach ($vm in @(Resolve-TargetVM $Ctx 'VMName' 'VM')) { ConvertTo-VMSecurityObject $vm }
}
