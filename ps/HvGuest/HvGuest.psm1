# hvguest runtime (docs/execution.md): fixed, reviewed code that executes a plan on a Hyper-V host.
# A request arrives as ONE argument, base64 of UTF-8 JSON, and is only ever read as data: no value
# from it is pasted into script text, invoked, or used as a command name. Cmdlets get values
# through parameters (splatted hashtables), objects through -VM / -VMNetworkAdapter / -InputObject.
#
# The same code runs on a real host and on the emulated one (ps/emulator): nothing here knows which.

Set-StrictMode -Off

# Load order matters only for readability; every file defines functions.
$script:HvRuntimeFiles = @(
    'Protocol.ps1'      # wire protocol: request decoding, JSON lines, errors
    'Util.ps1'          # request fields, Windows paths, exact-name lookups
    'Capability.ps1'    # what this host's cmdlets accept (Test-HvCommand, Test-HvCommandParameter), warnings
    'StateFiles.ps1'    # the runtime's own files (journal, lock, manifests, records, seed media)
    'Journal.ps1'       # run journal, steps, undo, rollback, commit; a run's start (Start-HvRun)
    'Lock.ps1'          # per-host lock
    'Manifest.ps1'      # the host manifest of each guest hvguest created: its one reader and writer
    'HostSettings.ps1'  # host settings changed (journaled with their old values) and put back; begin: jumbo / chimney / VMQ
    'Guest.ps1'         # create-guest
    'MountedImage.ps1'  # a mounted image's Windows partition, given a drive letter when it has none
    'Inventory.ps1'     # list, destroy, recover
    'Facts.ps1'         # facts, preflight
    'GuestStatus.ps1'   # guest-status: heartbeat, IC states, KVP addresses
    'IcInject.ps1'      # ic-inject: IC media, offline cabs, seed media for an existing guest
    'SeedMedia.ps1'     # remove-seed-media: a ready guest's seed media with a secret, ejected and deleted
    'HostNetwork.ps1'   # net-apply, net-restore: a profile's host network defaults, with their originals kept
    'Probe.ps1'         # probe: a throwaway guest created, read back and removed (doctor --probe)
    'Lab.ps1'           # lab-network, lab-record, lab-teardown: a lab's switches, gateway addresses, NATs and record
)
foreach ($file in $script:HvRuntimeFiles) {
    . (Join-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath 'Private') -ChildPath $file)
}

# Runs begun in this session, by run id: @{ RunId; VmRoot; JournalPath; Journal; Entries }.
$script:HvRuns = @{}
$script:HvProtocolOut = $null

function New-HvContext {
    return @{
        Action      = $null
        RunId       = $null
        Guest       = $null
        Step        = $null
        Cmdlet      = $null
        Run         = $null
        Entry       = $null
        Steps       = 0
        ProgressSeq = 0
        Data        = $null
        Failure     = $null
        # {code, setting, message} (Add-HvWarning): what the host did otherwise than planned.
        Warnings    = (New-Object System.Collections.Generic.List[object])
    }
}

function Invoke-HvRequestCore {
    param([hashtable]$Context, [string]$RequestBase64)
    try {
        $request = ConvertFrom-HvRequest -RequestBase64 $RequestBase64
        $action = [string](Get-HvField -Object $request -Name 'action' -Default '')
        $Context.Action = $action
        switch ($action) {
            'facts' { Invoke-HvFactsAction -Context $Context -Request $request }
            'preflight' { Invoke-HvPreflightAction -Context $Context -Request $request }
            'begin' { Invoke-HvBeginAction -Context $Context -Request $request }
            'create-guest' { Invoke-HvCreateGuestAction -Context $Context -Request $request }
            'commit' { Invoke-HvCommitAction -Context $Context -Request $request }
            'rollback' { Invoke-HvRollbackAction -Context $Context -Request $request }
            'recover' { Invoke-HvRecoverAction -Context $Context -Request $request }
            'list' { Invoke-HvListAction -Context $Context -Request $request }
            'destroy' { Invoke-HvDestroyAction -Context $Context -Request $request }
            'guest-status' { Invoke-HvGuestStatusAction -Context $Context -Request $request }
            'ic-inject' { Invoke-HvIcInjectAction -Context $Context -Request $request }
            'memory' { Invoke-HvMemoryAction -Context $Context -Request $request }
            'switch-names' { Invoke-HvSwitchNamesAction -Context $Context -Request $request }
            'remove-seed-media' { Invoke-HvRemoveSeedMediaAction -Context $Context -Request $request }
            'net-apply' { Invoke-HvNetApplyAction -Context $Context -Request $request }
            'net-restore' { Invoke-HvNetRestoreAction -Context $Context -Request $request }
            'probe' { Invoke-HvProbeAction -Context $Context -Request $request }
            'lab-network' { Invoke-HvLabNetworkAction -Context $Context -Request $request }
            'lab-record' { Invoke-HvLabRecordAction -Context $Context -Request $request }
            'lab-teardown' { Invoke-HvLabTeardownAction -Context $Context -Request $request }
            default {
                throw (New-HvError -Step 'request' -Message ("unknown action '{0}'; known: facts, memory, switch-names, preflight, begin, create-guest, commit, rollback, recover, list, destroy, guest-status, ic-inject, remove-seed-media, net-apply, net-restore, probe, lab-network, lab-record, lab-teardown" -f $action) -Category 'InvalidArgument')
            }
        }
    } catch {
        $Context.Failure = ConvertTo-HvFailure -Context $Context -ErrorRecord $_
        if (($Context.Action -eq 'create-guest' -or $Context.Action -eq 'ic-inject') -and $null -ne $Context.Failure) {
            # What this request had done before failing (Node rolls the run back).
            $Context.Data = [ordered]@{ steps = $Context.Steps; warnings = $Context.Warnings.ToArray() }
        }
    }
}

function Invoke-HvGuestRequest {
    <#
    .SYNOPSIS
    Runs one hvguest request and writes the protocol lines (progress, then one result) to stdout.
    .PARAMETER RequestBase64
    Base64 of the UTF-8 JSON request: {"action": ..., ...} (docs/execution.md section 2).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string]
        $RequestBase64
    )
    # Quiet and strict, for this request and every command it calls. Preference variables reach
    # compiled cmdlets only; script-module cmdlets (CDXML NetAdapter/Storage on a real host, the
    # emulator's) read their own module's scope, so the same is also given to every command as
    # default parameter values, which the binder takes from this (the caller's) scope.
    $ErrorActionPreference = 'Stop'
    $ProgressPreference = 'SilentlyContinue'
    $InformationPreference = 'SilentlyContinue'
    $WarningPreference = 'SilentlyContinue'
    $VerbosePreference = 'SilentlyContinue'
    $DebugPreference = 'SilentlyContinue'
    $ConfirmPreference = 'None'
    $PSDefaultParameterValues = @{
        '*:ErrorAction'       = 'Stop'
        '*:WarningAction'     = 'SilentlyContinue'
        '*:InformationAction' = 'SilentlyContinue'
        '*:ProgressAction'    = 'SilentlyContinue'
        '*:Confirm'           = $false
    }

    $context = New-HvContext
    $console = [Console]::Out
    $script:HvProtocolOut = $console
    try {
        # Only protocol lines reach stdout: anything else a command writes to the console goes
        # nowhere while the request runs, and its other streams are dropped.
        [Console]::SetOut([System.IO.TextWriter]::Null)
        Invoke-HvRequestCore -Context $context -RequestBase64 $RequestBase64 2>$null 3>$null 4>$null 5>$null 6>$null | Out-Null
    } catch {
        if ($null -eq $context.Failure) { $context.Failure = ConvertTo-HvFailure -Context $context -ErrorRecord $_ }
    } finally {
        [Console]::SetOut($console)
    }
    try {
        Write-HvProtocolLine -Message (New-HvResultMessage -Context $context)
    } catch {
        # The result could not be serialised: still exactly one result line.
        $fallback = [ordered]@{
            hvguest = $script:HvProtocolVersion; type = 'result'; ok = $false; action = $context.Action
            error   = [ordered]@{ step = 'result'; cmdlet = 'ConvertTo-Json'; message = (Get-HvErrorMessage -ErrorRecord $_); category = 'WriteError' }
        }
        Write-HvProtocolLine -Message $fallback
    } finally {
        $script:HvProtocolOut = $null
    }
}

Export-ModuleMember -Function 'Invoke-HvGuestRequest'
