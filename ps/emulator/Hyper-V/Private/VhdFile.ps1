# Virtual hard disk files: real files at the mapped path with a small header that records format,
# type, size and parent, so files exist, can be compared byte for byte, and Get-VHD can read them.
# A file without the header (an image copied in by hand) reads as a dynamic disk of its own length
# holding one partition (a formatted image).

$script:VhdMagic = 'HVEMU-VHD/1'

function Get-VhdFormatOfPath {
    param([string]$WindowsPath)
    switch -Regex ($WindowsPath) {
        '\.vhdx$' { return 'VHDX' }
        '\.vhd$' { return 'VHD' }
        '\.avhdx$' { return 'VHDX' }
        '\.avhd$' { return 'VHD' }
    }
    $null
}

function Write-VhdFile {
    param([string]$LocalPath, [System.Collections.IDictionary]$Meta)
    $text = $script:VhdMagic + "`n" + (ConvertTo-Json -InputObject $Meta -Compress -Depth 8) + "`n"
    $bytes = [System.Text.UTF8Encoding]::new($false).GetBytes($text)
    $stream = [System.IO.File]::Open($LocalPath, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
    try { $stream.Write($bytes, 0, $bytes.Length) } finally { $stream.Dispose() }
}

function Read-VhdFile {
    # Returns the header as a hashtable (format, type, sizeBytes, blockSizeBytes, logicalSectorSize,
    # physicalSectorSize, parentPath, diskIdentifier, partitions) plus fileSize.
    param([string]$LocalPath, [string]$WindowsPath)
    $info = [System.IO.FileInfo]::new($LocalPath)
    $meta = $null
    $stream = [System.IO.File]::OpenRead($LocalPath)
    try {
        $buffer = [byte[]]::new([Math]::Min(8192, [int][Math]::Min($info.Length, 8192)))
        $read = $stream.Read($buffer, 0, $buffer.Length)
        $head = [System.Text.Encoding]::UTF8.GetString($buffer, 0, $read)
        if ($head.StartsWith($script:VhdMagic + "`n")) {
            $json = $head.Substring($script:VhdMagic.Length + 1).Split("`n")[0]
            $meta = ConvertFrom-Json -InputObject $json -AsHashtable -DateKind String
        }
    }
    finally { $stream.Dispose() }
    if (-not $meta) {
        $format = Get-VhdFormatOfPath $WindowsPath
        if (-not $format) { $format = 'VHDX' }
        $meta = [ordered]@{
            format = $format; type = 'Dynamic'; sizeBytes = [long][Math]::Max($info.Length, 3MB)
            blockSizeBytes = $(if ($format -eq 'VHDX') { 32MB } else { 2MB }); logicalSectorSize = 512
            physicalSectorSize = $(if ($format -eq 'VHDX') { 4096 } else { 512 }); parentPath = $null
            diskIdentifier = [guid]::Empty.ToString(); partitions = 1
        }
    }
    $meta['fileSize'] = $info.Length
    $meta
}

function ConvertTo-VhdObject {
    param($State, [string]$WindowsPath, $Meta)
    $disk = @($State.disks) | Where-Object { $null -ne $_ -and (Test-SamePath $_.vhdPath $WindowsPath) } | Select-Object -First 1
    [pscustomobject][ordered]@{
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
        Number                  = $(if ($disk) { [uint32]$disk.number } else { $null })
        IsPMEMCompatible        = $false
        AddressAbstractionType  = 'None'
    }
}

function Get-VhdPartitionCount {
    # Partitions a mounted VHD shows: its own, else its parent's (a differencing disk of an image).
    param($Ctx, $Meta, [int]$Depth = 0)
    if ([int]$Meta.partitions -gt 0 -or -not $Meta.parentPath -or $Depth -gt 16) { return [int]$Meta.partitions }
    $parentLocal = Resolve-LocalPath $Ctx ([string]$Meta.parentPath)
    if (-not [System.IO.File]::Exists($parentLocal)) { return 0 }
    Get-VhdPartitionCount -Ctx $Ctx -Meta (Read-VhdFile -LocalPath $parentLocal -WindowsPath ([string]$Meta.parentPath)) -Depth ($Depth + 1)
}
