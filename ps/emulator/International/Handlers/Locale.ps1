# Get-WinSystemLocale: the host's locale from the state (a CultureInfo on a real host).

$script:Handlers['Get-WinSystemLocale'] = {
    param($Ctx)
    $name = [string]$Ctx.State.host.locale
    $culture = $null
    try { $culture = [System.Globalization.CultureInfo]::GetCultureInfo($name) } catch { $culture = $null }
    [pscustomobject][ordered]@{
        PSTypeName  = 'System.Globalization.CultureInfo'
        LCID        = $(if ($culture -and $culture.LCID -ne 4096) { $culture.LCID } else { 0 })
        Name        = $name
        DisplayName = $(if ($culture) { $culture.EnglishName } else { $name })
    }
}
