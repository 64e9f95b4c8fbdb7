function Get-HvEmulatorIntegrationServiceCatalog {
    <#
    .SYNOPSIS
    The integration services a new VM gets: GUID, default on/off, and the name in the host's locale.
    #>
    [CmdletBinding()]
    param(
        [string]
        $Locale = 'en-US'
    )
    foreach ($service in $script:IntegrationServices) {
        $name = $service.names['en-US']
        if ($service.names.ContainsKey($Locale)) { $name = $service.names[$Locale] }
        [pscustomobject]@{ Guid = $service.guid; Name = $name; EnabledByDefault = $service.enabledByDefault }
    }
}
