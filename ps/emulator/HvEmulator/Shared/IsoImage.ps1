# Reading real ISO 9660 images (ECMA-119) with Joliet names: the seed media hvguest writes
# (cidata, OEMDRV) are real images, so the emulated guest reads them as a guest kernel would:
# the volume label and the files of the root directory.
#
# Layout used here (ECMA-119 sections 8 and 9; Joliet specification 1995):
# - volume descriptors start at logical sector 16, one per 2048-byte sector, until type 255;
#   type 0 is a boot record (El Torito: "EL TORITO SPECIFICATION"), 1 the primary descriptor,
#   2 a supplementary one, which is Joliet when its escape sequences (bytes 88..119) hold
#   %/@, %/C or %/E (UCS-2 level 1, 2, 3);
# - bytes 40..71 hold the volume identifier (d-characters in the primary, UCS-2 big endian in
#   Joliet), byte 128 the logical block size (16-bit, little endian first), bytes 156..189 the
#   root directory record;
# - a directory record: length (byte 0), extent (LE uint32 at 2), data length (LE uint32 at 10),
#   flags (byte 25: 0x02 directory, 0x80 not the final extent of a file), identifier length
#   (byte 32) and identifier (from 33); records never cross a sector, a zero length byte means
#   "continue in the next sector" (so a directory can span several sectors);
# - identifiers 0x00 and 0x01 are "." and ".."; file identifiers end in ";<version>" and, in the
#   primary descriptor, a name without extension keeps its "." separator ("NOEXT.;1").
#
# Shared: dot-sourced by HvEmulator (exported as Read-HvIsoImage, so tests and tools can read
# an image) and, through HandlerHelpers.ps1, by the emulated modules (Start-VM reads the seeds).

function Read-HvIsoImage {
    <#
    .SYNOPSIS
    Reads an ISO 9660 image: its volume label and the files of its root directory (bytes).
    .DESCRIPTION
    Uses the Joliet supplementary volume descriptor when the image has one (Unicode names, as a
    guest that mounts the disc sees them), else the primary one (";1" and a trailing "." removed).
    Returns @{ volumeId; files = [ordered]@{ name = [byte[]] }; joliet; bootable; primaryVolumeId }.
    Subdirectories are not read. File names are matched case-insensitively by the ordered table.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $LocalPath
    )
    $stream = [System.IO.File]::Open($LocalPath, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]::ReadWrite -bor [System.IO.FileShare]::Delete)
    try {
        $primary = $null
        $joliet = $null
        $bootable = $false
        $sector = 16
        while ($true) {
            $descriptor = Read-IsoBytes -Stream $stream -Offset ([long]$sector * 2048) -Count 2048
            if ($descriptor.Length -lt 2048 -or [System.Text.Encoding]::ASCII.GetString($descriptor, 1, 5) -ne 'CD001') {
                if ($sector -eq 16) { throw "'$LocalPath' is not an ISO 9660 image (no CD001 volume descriptor at sector 16)." }
                throw "'$LocalPath' is not a complete ISO 9660 image: the volume descriptors end without a terminator (sector $sector)."
            }
            $type = $descriptor[0]
            if ($type -eq 255) { break }
            if ($type -eq 0 -and [System.Text.Encoding]::ASCII.GetString($descriptor, 7, 23) -eq 'EL TORITO SPECIFICATION') { $bootable = $true }
            if ($type -eq 1 -and -not $primary) { $primary = $descriptor }
            if ($type -eq 2 -and -not $joliet -and $descriptor[88] -eq 0x25 -and $descriptor[89] -eq 0x2F -and $descriptor[90] -in 0x40, 0x43, 0x45) { $joliet = $descriptor }
            $sector++
            if ($sector -gt 16 + 64) { throw "'$LocalPath': more than 64 volume descriptors; not a valid ISO 9660 image." }
        }
        if (-not $primary) { throw "'$LocalPath' has no primary volume descriptor." }
        $primaryId = [System.Text.Encoding]::ASCII.GetString($primary, 40, 32).TrimEnd([char[]]@(' ', [char]0))
        $useJoliet = $null -ne $joliet
        $descriptor = if ($useJoliet) { $joliet } else { $primary }
        $volumeId = if ($useJoliet) { [System.Text.Encoding]::BigEndianUnicode.GetString($descriptor, 40, 32).TrimEnd([char[]]@(' ', [char]0)) } else { $primaryId }
        $blockSize = [int][System.BitConverter]::ToUInt16($descriptor, 128)
        if ($blockSize -le 0) { $blockSize = 2048 }
        $rootExtent = [long][System.BitConverter]::ToUInt32($descriptor, 156 + 2)
        $rootLength = [long][System.BitConverter]::ToUInt32($descriptor, 156 + 10)
        $directory = Read-IsoBytes -Stream $stream -Offset ($rootExtent * $blockSize) -Count $rootLength
        $files = [ordered]@{}
        $pending = $null
        $position = 0
        while ($position -lt $directory.Length) {
            $length = $directory[$position]
            if ($length -eq 0) {
                # No record fits in the rest of this sector: the next one starts at a sector boundary.
                $position = ([Math]::Floor($position / $blockSize) + 1) * $blockSize
                continue
            }
            if ($position + $length -gt $directory.Length -or $length -lt 34) { break }
            $extent = [long][System.BitConverter]::ToUInt32($directory, $position + 2)
            $size = [long][System.BitConverter]::ToUInt32($directory, $position + 10)
            $flags = $directory[$position + 25]
            $nameLength = $directory[$position + 32]
            $isSelfOrParent = $nameLength -eq 1 -and $directory[$position + 33] -in 0, 1
            if (-not $isSelfOrParent -and ($flags -band 0x02) -eq 0) {
                $name = if ($useJoliet) { [System.Text.Encoding]::BigEndianUnicode.GetString($directory, $position + 33, $nameLength - ($nameLength % 2)) } else { [System.Text.Encoding]::ASCII.GetString($directory, $position + 33, $nameLength) }
                $name = $name -replace ';\d*$', ''
                if (-not $useJoliet) { $name = $name -replace '\.$', '' }
                $data = Read-IsoBytes -Stream $stream -Offset ($extent * $blockSize) -Count $size
                # A file larger than one extent is several records of one name; all but the last carry 0x80.
                if ($pending -and $pending.Name -eq $name) {
                    $joined = [byte[]]::new($pending.Data.Length + $data.Length)
                    [Array]::Copy($pending.Data, 0, $joined, 0, $pending.Data.Length)
                    [Array]::Copy($data, 0, $joined, $pending.Data.Length, $data.Length)
                    $data = $joined
                }
                if (($flags -band 0x80) -ne 0) { $pending = @{ Name = $name; Data = $data } }
                else {
                    $pending = $null
                    if (-not $files.Contains($name)) { $files[$name] = $data }
                }
            }
            $position += $length
        }
        @{ volumeId = $volumeId; files = $files; joliet = $useJoliet; bootable = $bootable; primaryVolumeId = $primaryId }
    }
    finally { $stream.Dispose() }
}

function Read-IsoBytes {
    # Exactly $Count bytes at $Offset, or fewer at the end of the file.
    param([System.IO.Stream]$Stream, [long]$Offset, [long]$Count)
    # The leading comma keeps the array whole (PowerShell would enumerate it into the pipeline).
    if ($Count -le 0) { return ,[byte[]]::new(0) }
    if ($Count -gt 256MB) { throw "An ISO 9660 extent of $Count bytes is larger than the emulator reads (256 MB)." }
    $buffer = [byte[]]::new($Count)
    if ($Offset -ge $Stream.Length) { return ,[byte[]]::new(0) }
    [void]$Stream.Seek($Offset, [System.IO.SeekOrigin]::Begin)
    $read = 0
    while ($read -lt $Count) {
        $n = $Stream.Read($buffer, $read, [int]($Count - $read))
        if ($n -le 0) { break }
        $read += $n
    }
    if ($read -lt $Count) { $short = [byte[]]::new($read); [Array]::Copy($buffer, $short, $read); return ,$short }
    ,$buffer
}
