# Get-VMHost and Get-VMHostSupportedVersion.

$script:Handlers['Get-VMHost'] = {
    param($Ctx)
    $h = $Ctx.State.host
    ConvertTo-RealShape ([ordered]@{
        PSTypeName                = 'Microsoft.HyperV.PowerShell.VMHost'
        ComputerName              = [string]$h.computerName
        Name                      = [string]$h.computerName
        FullyQualifiedDomainName  = [string]$h.computerName
        LogicalProcessorCount     = [int]$h.logicalProcessorCount
        MemoryCapacity            = [long]$h.memoryCapacityBytes
        VirtualHardDiskPath       = [string]$h.virtualHardDiskPath
        VirtualMachinePath        = [string]$h.virtualMachinePath
        MacAddressMinimum         = [string]$h.macAddressMinimum
        MacAddressMaximum         = [string]$h.macAddressMaximum
        NumaSpanningEnabled       = $true
        EnableEnhancedSessionMode = $false
    })
}

$script:Handlers['Get-VMHostSupportedVersion'] = {
    param($Ctx)
    $h = $Ctx.State.host
    if (-not (Get-HostProfileOfState $Ctx.State).HasSupportedVersionCmdlet) {
        Stop-HvEmulatorCommand -Message "The term 'Get-VMHostSupportedVersion' is not recognized: the Hyper-V module of $($h.os) does not have it (Windows Server 2016 and later)." -Category ObjectNotFound -ErrorId 'CommandNotFoundException'
    }
    foreach ($v in @($h.configurationVersions)) {
        $isDefault = [string]$v -eq [string]$h.defaultConfigurationVersion
        if ((Get-Bound $Ctx 'Default') -and -not $isDefault) { continue }
        ConvertTo-RealShape ([ordered]@{
            PSTypeName = 'Microsoft.HyperV.PowerShell.VMHostSupportedVersion'
            Name       = "Microsoft Windows (configuration version $v)"
            Version    = [version][string]$v
            IsDefault  = $isDefault
        })
    }
}
