# Add-WindowsPackage: offline servicing of a mounted image (-Path = root of a partition of a
# virtual hard disk mounted with Mount-VHD; recorded in that VHD file's header, see
# HvEmulator/Shared/VhdFile.ps1) or of the running host (-Online; recorded in state.windowsPackages).

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
