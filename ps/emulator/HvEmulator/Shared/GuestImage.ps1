# What a virtual hard disk holds, as the guest that boots it sees it. A disk made by
# New-HvEmulatorImage records the installed system in its header's "image" (VhdFile.ps1):
#   image = { os: {family, distro, version}, software: [...], generalized: bool,
#             and, once a first boot or an installer wrote them: hostname, fqdn,
#             integrationServicesVersion, cloudInit: {instanceId} }
# A differencing disk sees its parent chain: the images are merged from the root to the leaf (a
# field of a child wins, software adds up), and what a guest writes goes into the leaf, as the
# guest's writes go into a real differencing disk.
#
# Shared: dot-sourced by HvEmulator (New-HvEmulatorImage) and, through HandlerHelpers.ps1, by the
# emulated modules (Start-VM).

$script:ImageScalarFields = @('generalized', 'hostname', 'fqdn', 'integrationServicesVersion', 'cloudInit', 'network')

function Merge-ImageRecord {
    # The child's fields over the parent's; software is the union (parent first).
    param($Parent, $Child)
    if ($null -eq $Parent) { $Parent = [ordered]@{} }
    if ($null -eq $Child) { return $Parent }
    $merged = [ordered]@{}
    $merged['os'] = if ($Child.Contains('os') -and $null -ne $Child['os']) { $Child['os'] } elseif ($Parent.Contains('os')) { $Parent['os'] } else { $null }
    $software = [System.Collections.Generic.List[string]]::new()
    foreach ($source in $Parent, $Child) {
        if ($source.Contains('software')) { foreach ($s in @($source['software'])) { if ($s -and -not $software.Contains([string]$s)) { $software.Add([string]$s) } } }
    }
    $merged['software'] = $software.ToArray()
    foreach ($field in $script:ImageScalarFields) {
        if ($Child.Contains($field) -and $null -ne $Child[$field]) { $merged[$field] = $Child[$field] }
        elseif ($Parent.Contains($field) -and $null -ne $Parent[$field]) { $merged[$field] = $Parent[$field] }
    }
    $merged
}

function Resolve-DiskImage {
    # The disk at a Windows path as a booting guest sees it:
    #   Kind 'image'   an installed system (Image: the merged image record)
    #   Kind 'blank'   made by New-VHD and never written (no partitions anywhere in the chain)
    #   Kind 'unknown' a file without the emulator header (an image copied in) somewhere in the
    #                  chain, or partitions without an image: the emulator cannot tell what it boots
    #   Kind 'missing' the file or a parent does not exist
    # plus Packages: every package serviced into the chain (Add-WindowsPackage), root first.
    param($State, [string]$StatePath, [string]$WindowsPath)
    $chain = [System.Collections.Generic.List[object]]::new()
    $path = $WindowsPath
    $kind = $null
    for ($depth = 0; $path -and $depth -lt 16; $depth++) {
        $local = ConvertTo-HvEmulatorLocalPath -Path $path -State $State -StatePath $StatePath
        if (-not [System.IO.File]::Exists($local)) { $kind = 'missing'; break }
        $header = Read-VhdHeader -LocalPath $local
        $chain.Add([pscustomobject]@{ Path = $path; Local = $local; Meta = $(if ($header) { $header.Meta } else { $null }) })
        if (-not $header) { break }
        $path = [string]$header.Meta['parentPath']
    }
    $image = $null
    $packages = [System.Collections.Generic.List[string]]::new()
    $partitions = 0
    $headerless = $false
    for ($i = $chain.Count - 1; $i -ge 0; $i--) {
        $meta = $chain[$i].Meta
        if ($null -eq $meta) { $headerless = $true; continue }
        if ($meta.Contains('image') -and $null -ne $meta['image']) { $image = Merge-ImageRecord -Parent $image -Child $meta['image'] }
        if ($meta.Contains('packages')) { foreach ($p in @($meta['packages'])) { if ($null -ne $p) { $packages.Add([string]$p['packagePath']) } } }
        $partitions += [int]$meta['partitions']
    }
    if (-not $kind) {
        $kind = if ($image -and $null -ne $image['os']) { 'image' } elseif ($headerless -or $partitions -gt 0) { 'unknown' } else { 'blank' }
    }
    [pscustomobject]@{
        Path      = $WindowsPath
        Local     = $(if ($chain.Count -gt 0) { $chain[0].Local } else { $null })
        Kind      = $kind
        Image     = $image
        Packages  = $packages.ToArray()
    }
}

function Update-DiskImage {
    # What a guest wrote to its boot disk: $Changes (os, software to add, hostname, ...) merged
    # into the leaf file's own image record. -Partitions sets the leaf's partition count (an
    # installer partitions a blank disk).
    param([string]$LocalPath, [string]$WindowsPath, [System.Collections.IDictionary]$Changes, $Partitions = $null)
    Update-VhdFileHeader -LocalPath $LocalPath -WindowsPath $WindowsPath -Update {
        param($meta)
        $own = if ($meta.Contains('image') -and $null -ne $meta['image']) { $meta['image'] } else { [ordered]@{} }
        $merged = Merge-ImageRecord -Parent $own -Child $Changes
        # A child that never recorded an OS keeps inheriting its parent's: do not write os: null.
        if ($null -eq $merged['os']) { $merged.Remove('os') }
        $meta['image'] = $merged
        if ($null -ne $Partitions) { $meta['partitions'] = [int]$Partitions }
    }
}
