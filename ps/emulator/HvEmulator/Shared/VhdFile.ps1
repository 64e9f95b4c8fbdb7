# Virtual hard disk files: real files at the mapped path with a small header that records format,
# type, size and parent, so files exist, can be compared byte for byte, and Get-VHD can read them.
# A file without the header (an image copied in by hand) reads as a dynamic disk of its own length
# holding one partition (a formatted image).
#
# What is written INTO a disk lives in its header too: Add-WindowsPackage on a mounted image adds
# {packagePath} to the header's "packages", and what a guest installs or configures on its boot disk
# (Start-VM: an installer, cloud-init, Windows specialize) goes into the header's "image" (see
# GuestImage.ps1), so it lives where a real host keeps it (inside the disk) and disappears with the
# file (deleted by Remove-Item, which the emulator never sees).
#
# Shared: Hyper-V (New-VHD, Get-VHD, Mount-VHD), Dism (Add-WindowsPackage) and HvEmulator
# (Get-HvEmulatorState lists the packages serviced into images) dot-source this file.

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

function ConvertTo-VhdHeaderBytes {
    param([System.Collections.IDictionary]$Meta)
    $text = $script:VhdMagic + "`n" + (ConvertTo-Json -InputObject $Meta -Compress -Depth 8) + "`n"
    [System.Text.UTF8Encoding]::new($false).GetBytes($text)
}

function Write-VhdFile {
    # A new file (never over an existing one).
    param([string]$LocalPath, [System.Collections.IDictionary]$Meta)
    $bytes = ConvertTo-VhdHeaderBytes -Meta $Meta
    $stream = [System.IO.File]::Open($LocalPath, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
    try { $stream.Write($bytes, 0, $bytes.Length) } finally { $stream.Dispose() }
}

function Read-VhdHeader {
    # The header of a file: {Meta (ordered hashtable), Length (bytes the header takes)}, or $null
    # for a file without one. The JSON line ends at the first LF after the magic line.
    param([string]$LocalPath)
    $magic = [System.Text.Encoding]::ASCII.GetBytes($script:VhdMagic + "`n")
    $stream = [System.IO.File]::Open($LocalPath, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]::ReadWrite -bor [System.IO.FileShare]::Delete)
    try {
        $head = [byte[]]::new($magic.Length)
        $read = 0
        while ($read -lt $head.Length) {
            $n = $stream.Read($head, $read, $head.Length - $read)
            if ($n -le 0) { break }
            $read += $n
        }
        if ($read -lt $magic.Length) { return $null }
        for ($i = 0; $i -lt $magic.Length; $i++) { if ($head[$i] -ne $magic[$i]) { return $null } }
        $json = [System.IO.MemoryStream]::new()
        $buffer = [byte[]]::new(65536)
        $end = -1
        while ($end -lt 0 -and $json.Length -lt 16MB) {
            $n = $stream.Read($buffer, 0, $buffer.Length)
            if ($n -le 0) { break }
            $lf = [Array]::IndexOf($buffer, [byte]10, 0, $n)
            if ($lf -ge 0) { $json.Write($buffer, 0, $lf); $end = $lf } else { $json.Write($buffer, 0, $n) }
        }
        if ($end -lt 0) { return $null }
        $text = [System.Text.Encoding]::UTF8.GetString($json.ToArray())
        $meta = ConvertFrom-Json -InputObject $text -AsHashtable -DateKind String
        if ($meta -isnot [System.Collections.IDictionary]) { return $null }
        [pscustomobject]@{ Meta = $meta; Length = [long]($magic.Length + $json.Length + 1) }
    }
    finally { $stream.Dispose() }
}

function Get-ImpliedVhdMeta {
    # What a file without the header reads as: a dynamic disk of its own length, one partition.
    param([string]$WindowsPath, [long]$FileLength)
    $format = Get-VhdFormatOfPath $WindowsPath
    if (-not $format) { $format = 'VHDX' }
    [ordered]@{
        format = $format; type = 'Dynamic'; sizeBytes = [long][Math]::Max($FileLength, 3MB)
        blockSizeBytes = $(if ($format -eq 'VHDX') { 32MB } else { 2MB }); logicalSectorSize = 512
        physicalSectorSize = $(if ($format -eq 'VHDX') { 4096 } else { 512 }); parentPath = $null
        diskIdentifier = [guid]::Empty.ToString(); partitions = 1
    }
}

function Read-VhdFile {
    # Returns the header as a hashtable (format, type, sizeBytes, blockSizeBytes, logicalSectorSize,
    # physicalSectorSize, parentPath, diskIdentifier, partitions, and packages once serviced) plus fileSize.
    param([string]$LocalPath, [string]$WindowsPath)
    $info = [System.IO.FileInfo]::new($LocalPath)
    $header = Read-VhdHeader -LocalPath $LocalPath
    $meta = if ($header) { $header.Meta } else { Get-ImpliedVhdMeta -WindowsPath $WindowsPath -FileLength $info.Length }
    $meta['fileSize'] = $info.Length
    $meta
}

function Update-VhdFileHeader {
    # Rewrites a file's header: $Update gets the header hashtable and changes it in place. A file
    # without a header gets one (what it read as before, so Get-VHD answers the same), followed by
    # its original bytes. The file is replaced through a temp file renamed over it.
    param([string]$LocalPath, [string]$WindowsPath, [scriptblock]$Update)
    $info = [System.IO.FileInfo]::new($LocalPath)
    $header = Read-VhdHeader -LocalPath $LocalPath
    if ($header) { $meta = $header.Meta; $skip = $header.Length }
    else { $meta = Get-ImpliedVhdMeta -WindowsPath $WindowsPath -FileLength $info.Length; $skip = 0 }
    & $Update $meta
    $bytes = ConvertTo-VhdHeaderBytes -Meta $meta
    $temp = '{0}.{1}.{2}.tmp' -f $LocalPath, $PID, [guid]::NewGuid().ToString('N')
    try {
        $out = [System.IO.File]::Open($temp, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
        try {
            $out.Write($bytes, 0, $bytes.Length)
            $in = [System.IO.File]::OpenRead($LocalPath)
            try { [void]$in.Seek($skip, [System.IO.SeekOrigin]::Begin); $in.CopyTo($out) } finally { $in.Dispose() }
        }
        finally { $out.Dispose() }
        [System.IO.File]::Move($temp, $LocalPath, $true)
    }
    finally {
        if ([System.IO.File]::Exists($temp)) { [System.IO.File]::Delete($temp) }
    }
}

function Add-VhdFilePackage {
    # Records a package serviced into the image: the header's "packages" gets {packagePath}.
    param([string]$LocalPath, [string]$WindowsPath, [string]$PackagePath)
    Update-VhdFileHeader -LocalPath $LocalPath -WindowsPath $WindowsPath -Update {
        param($meta)
        $packages = [System.Collections.Generic.List[object]]::new()
        if ($meta.Contains('packages') -and $null -ne $meta['packages']) { foreach ($p in @($meta['packages'])) { if ($null -ne $p) { $packages.Add($p) } } }
        $packages.Add([ordered]@{ packagePath = $PackagePath })
        $meta['packages'] = $packages.ToArray()
    }
}

function Get-VhdFilePackages {
    # The packages serviced into the image file itself ({packagePath}), in the order they were added.
    param([string]$LocalPath)
    $header = Read-VhdHeader -LocalPath $LocalPath
    if (-not $header -or -not $header.Meta.Contains('packages')) { return @() }
    @($header.Meta['packages'] | Where-Object { $null -ne $_ })
}
