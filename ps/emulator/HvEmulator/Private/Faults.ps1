# Fault injection: HVGUEST_EMULATOR_FAIL='New-VHD:2,Add-VMHardDiskDrive:1' makes the 2nd call of
# New-VHD and the 1st of Add-VMHardDiskDrive fail before any change.
#
# Calls are counted per pwsh process, from the last time the variable's value changed: every
# emulated cmdlet call compares $env:HVGUEST_EMULATOR_FAIL with the value the previous call saw,
# and a different value (set, changed or cleared) starts every count again at zero. So one
# session can sweep many fault points by setting a new value before each run. The runtime's own
# hook (HVGUEST_WRITE_FAIL, in ps/HvGuest) follows the same rule. Reset-HvEmulatorFault starts
# the counts again without changing the value (docs/emulator-state.md, "Fault injection").

$script:CallCounts = @{}
$script:FaultSpecSeen = ''

function Reset-HvEmulatorFault {
    <#
    .SYNOPSIS
    Starts every emulated cmdlet's call count again at zero, for the current HVGUEST_EMULATOR_FAIL.
    #>
    [CmdletBinding()]
    param()
    $script:CallCounts = @{}
    $script:FaultSpecSeen = [string]$env:HVGUEST_EMULATOR_FAIL
}

function Test-InjectedFault {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Name
    )
    $spec = [string]$env:HVGUEST_EMULATOR_FAIL
    if ($spec -cne $script:FaultSpecSeen) {
        $script:CallCounts = @{}
        $script:FaultSpecSeen = $spec
    }
    $count = 1
    if ($script:CallCounts.ContainsKey($Name)) { $count = $script:CallCounts[$Name] + 1 }
    $script:CallCounts[$Name] = $count
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
