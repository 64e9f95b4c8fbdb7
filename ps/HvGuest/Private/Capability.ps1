# What this host's cmdlets accept. The Hyper-V module differs by host version (2012's New-VM has
# no -Generation, 2012 and 2012 R2 Set-VM no -CheckpointType, 2012 R2 Set-VMFirmware no
# -SecureBootTemplate; docs/execution.md "How the runtime adapts to the host"), so the runtime asks
# the command itself, (Get-Command X).Parameters, and never the OS name or whether the host is
# emulated. The answers are cached for the session: a host's modules do not change under it.
#
# The only two guard shapes the runtime uses (test/fixtures/runtime/check-runtime-source.ps1
# recognises exactly these, with literal strings):
#   if (Test-HvCommandParameter -Command 'New-VM' -Parameter 'Generation') { $newVm.Generation = 1 }
#   if (Test-HvCommand -Command 'Set-VMFirmware') { Set-VMFirmware @firmware }

$script:HvCommandParameters = @{}

# The parameter names of a command (case-insensitive set), or $null when the session has no such
# command. Cached per command name, including "absent".
function Get-HvCommandParameterSet {
    param([string]$Command)
    $key = $Command.ToLowerInvariant()
    if ($script:HvCommandParameters.ContainsKey($key)) { return $script:HvCommandParameters[$key] }
    $names = $null
    $found = @(Get-Command -Name $Command -ErrorAction SilentlyContinue)
    if ($found.Count -gt 0 -and $null -ne $found[0]) {
        # A hashtable is case-insensitive, as PowerShell's parameter binding is.
        $names = @{}
        # .Parameters loads the command's module; one that cannot load has no parameters to offer.
        $parameters = $null
        try { $parameters = $found[0].Parameters } catch { $parameters = $null }
        if ($null -ne $parameters) {
            foreach ($p in @($parameters.Keys)) { $names[[string]$p] = $true }
        }
    }
    $script:HvCommandParameters[$key] = $names
    return $names
}

function Test-HvCommand {
    <#
    .SYNOPSIS
    $true when this session has the command (a host version may lack it: 2012 has no Set-VMFirmware).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Command)
    return ($null -ne (Get-HvCommandParameterSet -Command $Command))
}

function Test-HvCommandParameter {
    <#
    .SYNOPSIS
    $true when the command exists here and (Get-Command X).Parameters has the parameter.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Command,
        [Parameter(Mandatory = $true)][string]$Parameter
    )
    $names = Get-HvCommandParameterSet -Command $Command
    if ($null -eq $names) { return $false }
    return $names.ContainsKey($Parameter)
}

# A planned setting this host cannot take: reported in the answer's warnings, never skipped
# silently (docs/execution.md). code is stable (e.g. setting-unsupported-host); setting names the
# plan field (checkpoints, firmware.secureBootTemplate...), or $null when none.
function Add-HvWarning {
    param([hashtable]$Context, [string]$Code, [string]$Setting, [string]$Message)
    $Context.Warnings.Add([ordered]@{ code = $Code; setting = $(if ([string]::IsNullOrEmpty($Setting)) { $null } else { $Setting }); message = $Message })
}

# The warning for a planned setting whose parameter this host's cmdlet lacks.
# $Outcome: what the guest has instead, when that is known (e.g. "its checkpoints are standard ones").
function Add-HvUnsupportedSettingWarning {
    param([hashtable]$Context, [string]$Setting, [string]$Command, [string]$Parameter, [string]$Value, [string]$Outcome)
    $message = "{0} {1} was planned, but this host's {2} has no -{3}: the setting is not applied" -f $Setting, $Value, $Command, $Parameter
    if (-not [string]::IsNullOrEmpty($Outcome)) { $message = '{0} ({1})' -f $message, $Outcome }
    Add-HvWarning -Context $Context -Code 'setting-unsupported-host' -Setting $Setting -Message $message
}

# The warnings as plain text, for answers that report them as strings (probe).
function Get-HvWarningMessages {
    param([hashtable]$Context)
    $out = New-Object System.Collections.Generic.List[string]
    foreach ($w in $Context.Warnings) {
        if ($w -is [string]) { $out.Add($w) } else { $out.Add([string]$w.message) }
    }
    return , $out.ToArray()
}
