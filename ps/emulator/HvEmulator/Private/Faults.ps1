# Fault injection: HVGUEST_EMULATOR_FAIL='New-VHD:2,Add-VMHardDiskDrive:1' makes the 2nd call of
# New-VHD and the 1st of Add-VMHardDiskDrive (counted per pwsh process) fail before any change.

$script:CallCounts = @{}

function Test-InjectedFault {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Name
    )
    $count = 1
    if ($script:CallCounts.ContainsKey($Name)) { $count = $script:CallCounts[$Name] + 1 }
    $script:CallCounts[$Name] = $count
    $spec = $env:HVGUEST_EMULATOR_FAIL
    if ([string]::IsNullOrWhiteSpace($spec)) { return $null }
    foreach ($entry in $spec.Split(',')) {
        $entry = $entry.Trim()
        $colon = $entry.LastIndexOf(':')
        if ($colon -lt 1) { continue }
        $cmdlet = $entry.Substring(0, $colon).Trim()
        $nth = 0
        if (-not [int]::TryParse($entry.Substring($colon + 1).Trim(), [ref]$nth)) { continue }
        if ($cmdlet -eq $Name -and $nth -eq $count) {
            return "Injected fault (HVGUEST_EMULATOR_FAIL=$spec): call $count of $Name failed before changing anything."
        }
    }
    $null
}
