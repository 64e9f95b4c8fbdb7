function New-HvEmulatorMedia {
    <#
    .SYNOPSIS
    Writes placeholder disc media on the emulated host: an OS installer, the Windows integration
    services setup (like vmguest.iso) or Microsoft's Linux Integration Services disc.
    .DESCRIPTION
    The file holds a header line HVEMU-ISO/1 and one JSON line {kind, os, version, packages}. In a
    DVD drive the emulated guest uses it as the real disc would be used (docs/emulator-guests.md):
    an installer boots (and installs with a kickstart or autounattend.xml), integration-services
    media is what an answer file's support\amd64\setup.exe installs (-Version), and
    linux-integration-services media is what a kickstart %post running install.sh installs
    (-Packages, -Version). Needs Initialize-HvEmulator first; missing folders are created.
    .PARAMETER Os
    For installer media (required): the system it installs, linux/<distro>/<version> or
    windows/<version>. For LIS media (optional): the distribution it is built for.
    .PARAMETER Version
    The integration services version the media installs (required for integration-services and
    linux-integration-services media).
    .PARAMETER Packages
    The packages LIS media installs (default kmod-microsoft-hyper-v, microsoft-hyper-v).
    .EXAMPLE
    New-HvEmulatorMedia -Path 'C:\ISO\CentOS-6.10-x86_64-bin-DVD1.iso' -Kind installer -Os 'linux/centos/6.10'
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Path,

        [Parameter(Mandatory = $true)]
        [ValidateSet('installer', 'integration-services', 'linux-integration-services')]
        [string]
        $Kind,

        [string]
        $Os,

        [string]
        $Version,

        [string[]]
        $Packages,

        [switch]
        $Force
    )
    $ErrorActionPreference = 'Stop'
    $windowsPath = ConvertTo-HvEmulatorWindowsPath -Path $Path
    if ($windowsPath -notmatch '\.iso$') { throw "The media path '$windowsPath' must end in .iso." }
    $guestOs = $null
    if ($Os) { $guestOs = ConvertTo-GuestOs -Text $Os }
    if ($Kind -eq 'installer' -and -not $guestOs) { throw 'Installer media needs -Os: the system it installs.' }
    if ($Kind -ne 'installer' -and -not $Version) { throw "$Kind media needs -Version: the integration services version it installs." }
    if ($Version -and $Version -notmatch '^\d+(\.\d+){0,3}(-\d+)?$') { throw "-Version '$Version' is not a version number such as 4.1.3 or 6.3.9600.16384." }
    if ($PSBoundParameters.ContainsKey('Packages') -and $Kind -ne 'linux-integration-services') { throw '-Packages applies to linux-integration-services media only.' }
    [string[]]$list = @()
    if ($Kind -eq 'linux-integration-services') {
        $list = if ($PSBoundParameters.ContainsKey('Packages')) { @($Packages | Where-Object { $_ }) } else { @('kmod-microsoft-hyper-v', 'microsoft-hyper-v') }
    }
    $local = ConvertTo-HvEmulatorLocalPath -Path $windowsPath
    if ([System.IO.File]::Exists($local) -and -not $Force) { throw "The file '$windowsPath' exists; pass -Force to replace it." }
    [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($local))
    $meta = [ordered]@{ kind = $Kind; os = $guestOs; version = $(if ($Version) { $Version } else { $null }); packages = [string[]]@($list | Where-Object { $_ }) }
    Write-EmulatorMediaFile -LocalPath $local -Meta $meta
    [pscustomobject]@{ Path = $windowsPath; Kind = $Kind; Os = $guestOs; Version = $meta.version; Packages = $meta.packages }
}
