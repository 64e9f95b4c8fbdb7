# Media in a DVD drive, as the emulated guest sees them. Two kinds of files:
# - placeholder media written by New-HvEmulatorMedia (and vmguest.iso by New-HvEmulatorState):
#   a header line "HVEMU-ISO/1" and one JSON line {kind, os, version, packages}, where kind is
#   installer (a bootable OS installer; os says which), integration-services (vmguest.iso: the
#   Windows IC setup, support\amd64\setup.exe, version = the ICs it installs) or
#   linux-integration-services (Microsoft's LIS download: install.sh, packages it installs);
# - real ISO 9660 images (the cidata / OEMDRV seeds hvguest writes), read with Read-HvIsoImage.
# Anything else is media the guest cannot use.
#
# Shared: dot-sourced by HvEmulator (New-HvEmulatorMedia, New-HvEmulatorState) and, through
# HandlerHelpers.ps1, by the emulated modules (Start-VM).

$script:IsoMagic = 'HVEMU-ISO/1'
$script:MediaKinds = @('installer', 'integration-services', 'linux-integration-services')

function Write-EmulatorMediaFile {
    # Writes (replaces) a placeholder media file.
    param([string]$LocalPath, [System.Collections.IDictionary]$Meta)
    $text = $script:IsoMagic + "`n" + (ConvertTo-Json -InputObject $Meta -Compress -Depth 8) + "`n"
    [System.IO.File]::WriteAllText($LocalPath, $text, [System.Text.UTF8Encoding]::new($false))
}

function Read-EmulatorMediaHeader {
    # The JSON of a placeholder media file, or $null when the file is not one.
    param([string]$LocalPath)
    $magic = [System.Text.Encoding]::ASCII.GetBytes($script:IsoMagic + "`n")
    $stream = [System.IO.File]::Open($LocalPath, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]::ReadWrite -bor [System.IO.FileShare]::Delete)
    try {
        $head = [byte[]]::new([Math]::Min([long]65536, $stream.Length))
        $read = 0
        while ($read -lt $head.Length) {
            $n = $stream.Read($head, $read, $head.Length - $read)
            if ($n -le 0) { break }
            $read += $n
        }
    }
    finally { $stream.Dispose() }
    if ($read -lt $magic.Length) { return $null }
    for ($i = 0; $i -lt $magic.Length; $i++) { if ($head[$i] -ne $magic[$i]) { return $null } }
    $end = [Array]::IndexOf($head, [byte]10, $magic.Length, $read - $magic.Length)
    if ($end -lt 0) { return $null }
    try {
        $meta = ConvertFrom-Json -InputObject ([System.Text.Encoding]::UTF8.GetString($head, $magic.Length, $end - $magic.Length)) -AsHashtable -DateKind String
    }
    catch { return $null }
    if ($meta -isnot [System.Collections.IDictionary]) { return $null }
    $meta
}

function Get-MediaInfo {
    # What a DVD drive holds: Type 'emulator' (Kind, Os, Version, Packages), 'iso9660' (VolumeId,
    # Files, Bootable when it has an El Torito boot record), 'unreadable' (Problem says why) or
    # 'missing'. Slot is 'IDE 1:0' and the like.
    param([string]$Slot, [string]$WindowsPath, [string]$LocalPath)
    $info = [ordered]@{ Slot = $Slot; Path = $WindowsPath; Type = 'missing'; Kind = $null; Os = $null; Version = $null; Packages = @(); VolumeId = $null; Files = $null; Bootable = $false; Problem = $null }
    if (-not $LocalPath -or -not [System.IO.File]::Exists($LocalPath)) { $info.Problem = 'the file does not exist'; return [pscustomobject]$info }
    $meta = Read-EmulatorMediaHeader -LocalPath $LocalPath
    if ($meta) {
        $info.Type = 'emulator'
        $info.Kind = [string]$meta['kind']
        $info.Os = $meta['os']
        $info.Version = $(if ($null -ne $meta['version']) { [string]$meta['version'] } else { $null })
        $info.Packages = [string[]]@(@($meta['packages']) | Where-Object { $_ })
        $info.Bootable = $info.Kind -eq 'installer'
        return [pscustomobject]$info
    }
    try {
        $iso = Read-HvIsoImage -LocalPath $LocalPath
        $info.Type = 'iso9660'
        $info.VolumeId = [string]$iso.volumeId
        $info.Files = $iso.files
        $info.Bootable = [bool]$iso.bootable
    }
    catch {
        $info.Type = 'unreadable'
        $info.Problem = $_.Exception.Message
    }
    [pscustomobject]$info
}

function Get-MediaFileText {
    # The text of a file at the root of an ISO 9660 medium, or $null: UTF-8 unless a byte order
    # mark says UTF-16 (answer files saved by Windows tools often are), the mark dropped.
    param($Media, [string]$Name)
    if ($Media.Type -ne 'iso9660' -or -not $Media.Files -or -not $Media.Files.Contains($Name)) { return $null }
    $reader = [System.IO.StreamReader]::new([System.IO.MemoryStream]::new([byte[]]$Media.Files[$Name]), [System.Text.UTF8Encoding]::new($false), $true)
    try { $reader.ReadToEnd() } finally { $reader.Dispose() }
}
