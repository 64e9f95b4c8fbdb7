# Add-WindowsPackage: offline servicing of a mounted image (-Path = root of a partition of a
# virtual hard disk mounted with Mount-VHD; recorded in that VHD file's header, see
# HvEmulator/Shared/VhdFile.ps1) or of the running host (-Online; recorded in state.windowsPackages).
# Get-WindowsOptionalFeature -Online: whether the Hyper-V role is installed (host.hyperV).

$script:Handlers['Add-WindowsPackage'] = {
    param($Ctx)
    $state = $Ctx.State
    $packageWin = Resolve-WindowsPath ([string]$Ctx.Parameters['PackagePath']) 'package path'
    $packageLocal = Resolve-LocalPath $Ctx $packageWin
    if (-not [System.IO.File]::Exists($packageLocal) -and -not [System.IO.Directory]::Exists($packageLocal)) {
        Stop-HvEmulatorCommand -Message "Add-WindowsPackage failed. Error code = 0x80070002. The system cannot find the file specified: '$packageWin'." -Category ObjectNotFound -ErrorId 'Microsoft.Dism.Commands.AddWindowsPackageCommand' -TargetObject $packageWin
    }
    $image = 'online'
    $imageRoot = $null
    if ($Ctx.ParameterSet -eq 'Offline') {
        $path = [string]$Ctx.Parameters['Path']
        if ($path -notmatch '^[A-Za-z]:[\\/]?') {
            Stop-HvEmulatorCommand -Message "Add-WindowsPackage failed. Error code = 0x80070003. The image path '$path' is not valid: give the root of a mounted image, such as E:\." -Category InvalidArgument -ErrorId 'Microsoft.Dism.Commands.AddWindowsPackageCommand' -TargetObject $path
        }
        $letter = $path.Substring(0, 1).ToUpperInvariant()
        $disk = $null
        foreach ($d in @($state.disks)) {
            if ($null -ne $d -and $d.vhdPath -and (@($d.partitions) | Where-Object { $null -ne $_ -and ([string]$_.driveLetter).ToUpperInvariant() -eq $letter })) { $disk = $d }
        }
        if (-not $disk) {
            Stop-HvEmulatorCommand -Message "Add-WindowsPackage failed. Error code = 0xc1420127. No image is mounted at '$path': mount the virtual hard disk (Mount-VHD) and pass the drive letter of its Windows partition." -Category ObjectNotFound -ErrorId 'Microsoft.Dism.Commands.AddWindowsPackageCommand' -TargetObject $path
        }
        if ($disk.isOffline) {
            Stop-HvEmulatorCommand -Message "Add-WindowsPackage failed. Error code = 0x80070015. The device is not ready: disk $($disk.number) ('$($disk.vhdPath)') is offline." -Category InvalidOperation -ErrorId 'Microsoft.Dism.Commands.AddWindowsPackageCommand'
        }
        if ($disk.isReadOnly) {
            Stop-HvEmulatorCommand -Message "Add-WindowsPackage failed. Error code = 0x80070013. The media is write protected: '$($disk.vhdPath)' is mounted read-only." -Category InvalidOperation -ErrorId 'Microsoft.Dism.Commands.AddWindowsPackageCommand'
        }
        $image = [string]$disk.vhdPath
        $imageRoot = "$($letter):\"
        # The package goes into the image (the VHD file's header), as on a real host: it is gone
        # with the file, whoever deletes it.
        $imageLocal = Resolve-LocalPath $Ctx $image
        if (-not [System.IO.File]::Exists($imageLocal)) {
            Stop-HvEmulatorCommand -Message "Add-WindowsPackage failed. Error code = 0x80070002. The system cannot find the file specified: the image '$image' mounted as disk $($disk.number) no longer exists." -Category ObjectNotFound -ErrorId 'Microsoft.Dism.Commands.AddWindowsPackageCommand' -TargetObject $image
        }
        Add-VhdFilePackage -LocalPath $imageLocal -WindowsPath $image -PackagePath $packageWin
    }
    else {
        # The running host's own Windows: recorded in the state.
        Add-ToList $state 'windowsPackages' ([ordered]@{ image = $image; packagePath = $packageWin })
    }
    [pscustomobject][ordered]@{
        PSTypeName    = 'Microsoft.Dism.Commands.ImageObject'
        Path          = $imageRoot
        Online        = $Ctx.ParameterSet -eq 'Online'
        RestartNeeded = $false
        LogPath       = [string](Get-Bound $Ctx 'LogPath' 'C:\Windows\Logs\DISM\dism.log')
    }
}

# Get-WindowsOptionalFeature -Online: the Hyper-V optional features of the running host. They are
# Enabled when the role is there (host.hyperV installed or access-denied: a user who may not use
# Hyper-V still sees it installed) and Disabled when it is not. The names are the ones DISM uses:
# Windows Server has the role and its management tools; Windows 10/11 group them under
# Microsoft-Hyper-V-All. Other features are not modelled.
$script:ServerHyperVFeatures = [ordered]@{
    'Microsoft-Hyper-V'                        = 'Hyper-V'
    'Microsoft-Hyper-V-Management-Clients'     = 'Hyper-V GUI Management Tools'
    'Microsoft-Hyper-V-Management-PowerShell'  = 'Hyper-V Module for Windows PowerShell'
}
$script:ClientHyperVFeatures = [ordered]@{
    'Microsoft-Hyper-V-All'                    = 'Hyper-V'
    'Microsoft-Hyper-V'                        = 'Hyper-V Platform'
    'Microsoft-Hyper-V-Hypervisor'             = 'Hyper-V Hypervisor'
    'Microsoft-Hyper-V-Services'               = 'Hyper-V Services'
    'Microsoft-Hyper-V-Tools-All'              = 'Hyper-V Management Tools'
    'Microsoft-Hyper-V-Management-Clients'     = 'Hyper-V GUI Management Tools'
    'Microsoft-Hyper-V-Management-PowerShell'  = 'Hyper-V Module for Windows PowerShell'
}

$script:Handlers['Get-WindowsOptionalFeature'] = {
    param($Ctx)
    $state = $Ctx.State
    if ($Ctx.ParameterSet -ne 'Online') {
        Stop-HvEmulatorCommand -Message 'Get-WindowsOptionalFeature -Path (an offline image) is not emulated; use -Online.' -Category NotImplemented -ErrorId 'HvEmulatorNotImplemented'
    }
    if ((Test-Bound $Ctx 'PackageName') -or (Test-Bound $Ctx 'PackagePath')) {
        Stop-HvEmulatorCommand -Message 'Get-WindowsOptionalFeature -PackageName/-PackagePath is not emulated: the emulated host knows the Hyper-V features of the Windows Foundation package only.' -Category NotImplemented -ErrorId 'HvEmulatorNotImplemented'
    }
    $catalog = if ([string]$state.host.os -like 'windows-server-*') { $script:ServerHyperVFeatures } else { $script:ClientHyperVFeatures }
    $featureState = if ((Get-HvEmulatorHyperVMode -State $state) -eq 'not-installed') { 'Disabled' } else { 'Enabled' }
    $common = [ordered]@{
        Path             = $null
        Online           = $true
        WindowsDirectory = 'C:\Windows'
        SystemDrive      = 'C:'
        LogPath          = [string](Get-Bound $Ctx 'LogPath' 'C:\Windows\Logs\DISM\dism.log')
        ScratchDirectory = [string](Get-Bound $Ctx 'ScratchDirectory' '')
        LogLevel         = [string](Get-Bound $Ctx 'LogLevel' 'WarningsInfo')
    }
    if (-not (Test-Bound $Ctx 'FeatureName')) {
        foreach ($name in $catalog.Keys) {
            $o = [ordered]@{ PSTypeName = 'Microsoft.Dism.Commands.BasicFeatureObject'; FeatureName = $name; State = $featureState }
            foreach ($k in $common.Keys) { $o[$k] = $common[$k] }
            [pscustomobject]$o
        }
        return
    }
    $wanted = [string]$Ctx.Parameters['FeatureName']
    # Example 5 of the doc passes a wildcard (*Hyper-V*); a plain name matches exactly (any case).
    $pattern = [System.Management.Automation.WildcardPattern]::new($wanted, 'IgnoreCase')
    $hits = @($catalog.Keys | Where-Object { $pattern.IsMatch($_) })
    if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($wanted)) {
        Stop-HvEmulatorCommand -Message "Feature name $wanted is unknown." -Category NotSpecified -ErrorId 'Microsoft.Dism.Commands.GetWindowsOptionalFeatureCommand' -TargetObject $wanted
    }
    foreach ($name in $hits) {
        $o = [ordered]@{
            PSTypeName       = 'Microsoft.Dism.Commands.AdvancedFeatureObject'
            FeatureName      = $name
            DisplayName      = [string]$catalog[$name]
            Description      = [string]$catalog[$name]
            RestartRequired  = 'Possible'
            State            = $featureState
            CustomProperties = @()
            RestartNeeded    = $false
        }
        foreach ($k in $common.Keys) { $o[$k] = $common[$k] }
        [pscustomobject]$o
    }
}
