function New-HvEmulatorImage {
    <#
    .SYNOPSIS
    Writes a virtual hard disk that holds an installed, generalized operating system (a sysprepped
    Windows image or a Linux cloud image) on the emulated host.
    .DESCRIPTION
    The file is an emulator VHD (header line HVEMU-VHD/1 and one JSON line) whose header records
    image = { os: {family, distro, version}, software: [...], generalized: true }. A VM that boots
    it (directly, or through differencing disks made with New-VHD -ParentPath) runs that system:
    see docs/emulator-guests.md. Needs Initialize-HvEmulator first (the path is a Windows path of
    the emulated host); missing folders are created, as copying an image in would.
    .PARAMETER Os
    linux/<distro>/<version> (linux/ubuntu/22.04, linux/centos/7.9, linux/sles/12sp5) or
    windows/<version> (windows/2012r2, windows/2022, windows/10).
    .PARAMETER Software
    Packages installed in the image, such as cloud-init, openssh-server, hyperv-daemons.
    .PARAMETER Format
    vhdx or vhd; must match the file extension (default: from the extension).
    .EXAMPLE
    New-HvEmulatorImage -Path 'C:\Images\jammy.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init', 'openssh-server'
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Path,

        [Parameter(Mandatory = $true)]
        [string]
        $Os,

        [string[]]
        $Software = @(),

        [ValidateSet('vhdx', 'vhd')]
        [string]
        $Format,

        [uint64]
        $SizeBytes = 40GB,

        [switch]
        $Force
    )
    $ErrorActionPreference = 'Stop'
    $windowsPath = ConvertTo-HvEmulatorWindowsPath -Path $Path
    $extension = Get-VhdFormatOfPath $windowsPath
    if (-not $extension -or $windowsPath -match '\.avhdx?$') { throw "The image path '$windowsPath' must end in .vhdx or .vhd." }
    if ($Format -and $Format.ToUpperInvariant() -ne $extension) { throw "-Format $Format does not match the extension of '$windowsPath' ($extension)." }
    $maximum = if ($extension -eq 'VHDX') { 64TB } else { 2040GB }
    if ($SizeBytes -lt 3MB -or $SizeBytes -gt $maximum) { throw "-SizeBytes $SizeBytes is outside what a $extension disk holds (3 MB to $($maximum / 1GB) GB)." }
    $guestOs = ConvertTo-GuestOs -Text $Os
    $local = ConvertTo-HvEmulatorLocalPath -Path $windowsPath
    if ([System.IO.File]::Exists($local)) {
        if (-not $Force) { throw "The file '$windowsPath' exists; pass -Force to replace it." }
        [System.IO.File]::Delete($local)
    }
    [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($local))
    $packages = [System.Collections.Generic.List[string]]::new()
    foreach ($s in $Software) { if ($s -and -not $packages.Contains($s)) { $packages.Add($s) } }
    Write-VhdFile -LocalPath $local -Meta ([ordered]@{
            format = $extension; type = 'Dynamic'; sizeBytes = $SizeBytes
            blockSizeBytes = $(if ($extension -eq 'VHDX') { 32MB } else { 2MB }); logicalSectorSize = 512
            physicalSectorSize = $(if ($extension -eq 'VHDX') { 4096 } else { 512 }); parentPath = $null
            diskIdentifier = [guid]::NewGuid().ToString().ToUpperInvariant(); partitions = 1
            image = [ordered]@{ os = $guestOs; software = $packages.ToArray(); generalized = $true }
        })
    [pscustomobject]@{ Path = $windowsPath; Os = $guestOs; Software = $packages.ToArray(); Format = $extension; SizeBytes = $SizeBytes }
}
