# Virtual hard disks as Hyper-V objects. The files themselves (header, reading, writing, the
# packages serviced into an image) are ../HvEmulator/Shared/VhdFile.ps1, dot-sourced by
# HandlerHelpers.ps1.

function ConvertTo-VhdObject {
    param($State, [string]$WindowsPath, $Meta)
    $disk = @($State.disks) | Where-Object { $null -ne $_ -and (Test-SamePath $_.vhdPath $WindowsPath) } | Select-Object -First 1
    ConvertTo-RealShape ([ordered]@{
        PSTypeName              = 'Microsoft.Vhd.PowerShell.VirtualHardDisk'
        ComputerName            = Get-ComputerNameOfState $State
        Path                    = $WindowsPath
        VhdFormat               = [string]$Meta.format
        VhdType                 = [string]$Meta.type
        FileSize                = [uint64]$Meta.fileSize
        Size                    = [uint64]$Meta.sizeBytes
        MinimumSize             = [uint64]$Meta.sizeBytes
        LogicalSectorSize       = [uint32]$Meta.logicalSectorSize
        PhysicalSectorSize      = [uint32]$Meta.physicalSectorSize
        BlockSize               = [uint32]$Meta.blockSizeBytes
        ParentPath              = $Meta.parentPath
        DiskIdentifier          = [string]$Meta.diskIdentifier
        FragmentationPercentage = 0
        Alignment               = 1
        Attached                = [bool]$disk
        DiskNumber              = $(if ($disk) { [uint32]$disk.number } else { $null })
        IsPMEMCompatible        = $false
        AddressAbstractionType  = 'None'
    })
}

function Get-VhdPartitionCount {
    # Partitions a mounted VHD shows: its own, else its parent's (a differencing disk of an image).
    param($Ctx, $Meta, [int]$Depth = 0)
    if ([int]$Meta.partitions -gt 0 -or -not $Meta.parentPath -or $Depth -gt 16) { return [int]$Meta.partitions }
    $parentLocal = Resolve-LocalPath $Ctx ([string]$Meta.parentPath)
    if (-not [System.IO.File]::Exists($parentLocal)) { return 0 }
    Get-VhdPartitionCount -Ctx $Ctx -Meta (Read-VhdFile -LocalPath $parentLocal -WindowsPath ([string]$Meta.parentPath)) -Depth ($Depth + 1)
}
