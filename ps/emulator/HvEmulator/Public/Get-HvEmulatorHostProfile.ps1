function Get-HvEmulatorHostProfile {
    <#
    .SYNOPSIS
    Facts the emulator plays for an hvguest host OS name (version, caption, configuration versions).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $HostOs
    )
    if (-not $script:HostProfiles.Contains($HostOs)) {
        throw "Unknown host OS '$HostOs'. Known: $($script:HostProfiles.Keys -join ', ')."
    }
    $hostProfile = $script:HostProfiles[$HostOs]
    $build = [int]($hostProfile.version.Split('.')[2])
    [pscustomobject]@{
        HostOs                        = $HostOs
        Version                       = $hostProfile.version
        Build                         = $build
        Caption                       = $hostProfile.caption
        ConfigurationVersions         = [string[]]$hostProfile.configurationVersions
        DefaultConfigurationVersion   = $hostProfile.defaultVersion
        # vmguest.iso ships with the host up to 2012 R2 (HYPERV-FACTS section 3).
        VmGuestIso                    = $build -le 9600
        # The integration services version on that vmguest.iso ($null on later hosts).
        VmGuestIsoVersion             = $(if ($hostProfile.Contains('icVersion')) { [string]$hostProfile.icVersion } else { $null })
        # 8 synthetic + 4 legacy adapters before 2019, 64 + 4 from 2019 (HYPERV-FACTS section 1).
        MaxSyntheticAdapters          = $(if ($build -ge 17763) { 64 } else { 8 })
        MaxLegacyAdapters             = 4
        NestedVirtualization          = $build -ge 14393
        HasSupportedVersionCmdlet     = $build -ge 14393
    }
}
