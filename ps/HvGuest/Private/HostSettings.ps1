# Host settings: the one door through which begin, net-apply, net-restore, lab-teardown, rollback
# and recover change or put back a host-level setting (Set-HvHostSetting, Restore-HvHostSetting, and the
# setting kinds they know), one restart per changed adapter, and begin with the plan's
# hosts[].network (docs/execution.md): *JumboPacket on the physical NIC bound to each switch and
# on the host's vEthernet (<switch>), TCP Chimney (host-global), VMQ (Enable-NetAdapterVmq) on the
# bound NICs. net-apply (HostNetwork.ps1) sets the same through Set-HvHostNetwork. A setting
# already at the wanted value is left alone and said so.

# ---- one host setting changed, journaled and put back
#
# A change reads the setting's value first and journals a step whose undo record holds that value
# BEFORE it changes anything (docs/execution.md section 4), so a rollback or recover from any
# session can put it back. The undo records are the journal's on-disk format, and journals written
# by older runs hold the same records:
#   {action: 'restore-adapter-property', adapter, keyword, value}   an advanced property (*JumboPacket)
#   {action: 'restore-vmq', adapter, enabled}                        VMQ on a NIC
#   {action: 'restore-chimney', value}                               TCP Chimney (host-global)
#
# A setting kind is one row of $script:HvHostSettingKinds plus one case in each of
# New-HvHostSettingUndo, ConvertFrom-HvHostSettingUndo,
# Read-HvHostSetting, Test-HvHostSettingValue, Write-HvHostSetting and the Format/Gone functions.
# The kinds are dispatched by a switch, not by invoking a scriptblock from the table: the runtime
# never invokes code held in a variable (test/fixtures/runtime/check-runtime-source.ps1).
# What a lab creates (a switch, an address, a NetNat) is not a setting with a value to put back
# but an object made and removed: Lab.ps1 journals those, with undo kinds of their own.

$script:HvHostSettingKinds = [ordered]@{
    'adapter-property' = @{ UndoAction = 'restore-adapter-property'; ReadCmdlet = 'Get-NetAdapterAdvancedProperty'; UndoCmdlet = 'Set-NetAdapterAdvancedProperty'; PerAdapter = $true }
    'vmq'              = @{ UndoAction = 'restore-vmq'; ReadCmdlet = 'Get-NetAdapterVmq'; UndoCmdlet = 'Enable-NetAdapterVmq'; PerAdapter = $true }
    'chimney'          = @{ UndoAction = 'restore-chimney'; ReadCmdlet = 'Get-NetOffloadGlobalSetting'; UndoCmdlet = 'Set-NetOffloadGlobalSetting'; PerAdapter = $false }
}

# Each kind by the action its undo records carry, made once from the kinds above.
$script:HvHostSettingKindByUndo = @{}
foreach ($name in $script:HvHostSettingKinds.Keys) { $script:HvHostSettingKindByUndo[$script:HvHostSettingKinds[$name].UndoAction] = $name }

# The kind whose undo records carry action $UndoAction, or $null for an undo that is not a host setting.
function Get-HvHostSettingKindName {
    param([string]$UndoAction)
    return $script:HvHostSettingKindByUndo[$UndoAction]
}

# The command an undo of this action runs (named in progress lines and undo errors), or $null.
function Get-HvHostSettingUndoCmdlet {
    param([string]$UndoAction)
    $kind = Get-HvHostSettingKindName -UndoAction $UndoAction
    if ($null -eq $kind) { return $null }
    return $script:HvHostSettingKinds[$kind].UndoCmdlet
}

# The undo record that puts $Value back. $Target: @{ Adapter; Keyword } (chimney: none).
function New-HvHostSettingUndo {
    param([string]$Kind, [hashtable]$Target, $Value)
    $action = $script:HvHostSettingKinds[$Kind].UndoAction
    switch ($Kind) {
        'adapter-property' { return [ordered]@{ action = $action; adapter = $Target.Adapter; keyword = $Target.Keyword; value = $Value } }
        'vmq' { return [ordered]@{ action = $action; adapter = $Target.Adapter; enabled = $Value } }
        'chimney' { return [ordered]@{ action = $action; value = $Value } }
    }
}

# An undo record read back: @{ Kind; Target = @{ Adapter; Keyword }; Value }, the value typed as
# the kind compares it (a registry value and a chimney mode as text, VMQ as a boolean).
function ConvertFrom-HvHostSettingUndo {
    param($Undo)
    $kind = Get-HvHostSettingKindName -UndoAction ([string](Get-HvField -Object $Undo -Name 'action' -Default ''))
    $target = @{ Adapter = [string](Get-HvField -Object $Undo -Name 'adapter'); Keyword = [string](Get-HvField -Object $Undo -Name 'keyword') }
    switch ($kind) {
        'adapter-property' { $value = [string](Get-HvField -Object $Undo -Name 'value') }
        'vmq' { $value = Test-HvTrue (Get-HvField -Object $Undo -Name 'enabled') }
        'chimney' { $value = [string](Get-HvField -Object $Undo -Name 'value') }
        default { throw (New-HvError -Message ("undo action '{0}' is not a host setting" -f (Get-HvField -Object $Undo -Name 'action')) -Category 'InvalidData') }
    }
    return @{ Kind = $kind; Target = $target; Value = $value }
}

# ---- per kind: read, compare, write, and the words for it

# The setting as the host has it now: @{ Current; Handle } (Handle: the object a write is given),
# or $null when the host has no such setting (the adapter, or its property, is gone).
function Read-HvHostSetting {
    param([string]$Kind, [hashtable]$Target)
    switch ($Kind) {
        'adapter-property' {
            $prop = Find-HvAdvancedProperty -AdapterName $Target.Adapter -Keyword $Target.Keyword
            if ($null -eq $prop) { return $null }
            return @{ Current = (Get-HvRegistryValue -Property $prop); Handle = $prop }
        }
        'vmq' {
            $vmq = Find-HvAdapterVmq -AdapterName $Target.Adapter
            if ($null -eq $vmq) { return $null }
            return @{ Current = (Test-HvTrue (Get-HvField -Object $vmq -Name 'Enabled')); Handle = $vmq }
        }
        'chimney' { return @{ Current = [string](Get-NetOffloadGlobalSetting).Chimney; Handle = $null } }
    }
}

function Find-HvAdapterVmq {
    param([string]$AdapterName)
    foreach ($v in @(Select-HvObject -InputObject @(Get-NetAdapterVmq) -Property 'Name')) { if (Test-HvSameText -A ([string]$v.Name) -B $AdapterName) { return $v } }
    return $null
}

# True when the host's value is already the wanted one.
function Test-HvHostSettingValue {
    param([string]$Kind, $Current, $Value)
    switch ($Kind) {
        'chimney' { return (Test-HvSameText -A $Current -B $Value) }
        default { return ($Current -eq $Value) }
    }
}

# Throws when the adapter lists the values it accepts and $Value is not one of them (an advanced
# property's ValidRegistryValues); other kinds take any value they are given.
function Assert-HvHostSettingAccepted {
    param([string]$Kind, [hashtable]$Target, [hashtable]$State, $Value, [string]$Step)
    if ($Kind -ne 'adapter-property') { return }
    $valid = @(Get-HvValidRegistryValues -Property $State.Handle)
    if ($valid.Count -gt 0 -and -not ($valid -contains $Value)) {
        throw (New-HvError -Step $Step -Cmdlet 'Set-NetAdapterAdvancedProperty' -Message ("adapter '{0}' accepts {1} values {2}, not {3}" -f $Target.Adapter, $Target.Keyword, ($valid -join ', '), $Value) -Category 'InvalidArgument')
    }
}

# Changes the setting. A NIC's setting is changed with -NoRestart: the adapter is restarted once
# after all its changes (Register-HvAdapterChange), since each restart pauses its traffic.
function Write-HvHostSetting {
    param([string]$Kind, [hashtable]$State, $Value)
    switch ($Kind) {
        'adapter-property' { Set-NetAdapterAdvancedProperty -InputObject $State.Handle -RegistryValue $Value -NoRestart | Out-Null }
        'vmq' { if ($Value) { Enable-NetAdapterVmq -InputObject $State.Handle -NoRestart | Out-Null } else { Disable-NetAdapterVmq -InputObject $State.Handle -NoRestart | Out-Null } }
        'chimney' { Set-NetOffloadGlobalSetting -Chimney $Value | Out-Null }
    }
}

function Get-HvHostSettingWriteCmdlet {
    param([string]$Kind, $Value)
    switch ($Kind) {
        'vmq' { if ($Value) { return 'Enable-NetAdapterVmq' } return 'Disable-NetAdapterVmq' }
        default { return $script:HvHostSettingKinds[$Kind].UndoCmdlet }
    }
}

# What the setting is called in progress details and undo messages ("Ethernet 2 *JumboPacket").
function Format-HvHostSettingName {
    param([string]$Kind, [hashtable]$Target)
    switch ($Kind) {
        'adapter-property' { return ('{0} {1}' -f $Target.Adapter, $Target.Keyword) }
        'vmq' { return ('{0} VMQ' -f $Target.Adapter) }
        'chimney' { return 'chimney' }
    }
}

# Why the setting cannot be put back: its adapter, or the adapter's property, is gone.
function New-HvHostSettingGoneError {
    param([string]$Kind, [hashtable]$Target)
    switch ($Kind) {
        'vmq' { $message = "adapter '{0}' has no VMQ any more" -f $Target.Adapter }
        default { $message = "adapter '{0}' has no {1} property any more" -f $Target.Adapter, $Target.Keyword }
    }
    return (New-HvError -Cmdlet $script:HvHostSettingKinds[$Kind].ReadCmdlet -Message $message -Category 'ObjectNotFound')
}

# ---- the door

<#
Sets one host setting as a journaled step of the current run: reads it (step $Step, the kind's
read cmdlet), and when it differs from $Value journals the undo that puts the value read back,
then changes it. -CheckAccepted: refuse a value the adapter does not list (begin, net-apply).
Returns $null when the host has no such setting, else @{ Previous; Changed }.
#>
function Set-HvHostSetting {
    [CmdletBinding()]
    param([hashtable]$Context, [string]$Kind, [hashtable]$Target, $Value, [string]$Step, [switch]$CheckAccepted)
    $kindInfo = $script:HvHostSettingKinds[$Kind]
    Set-HvActivity -Context $Context -Step $Step -Cmdlet $kindInfo.ReadCmdlet
    $state = Read-HvHostSetting -Kind $Kind -Target $Target
    if ($null -eq $state) { return $null }
    $current = $state.Current
    if (Test-HvHostSettingValue -Kind $Kind -Current $current -Value $Value) { return @{ Previous = $current; Changed = $false } }
    if ($CheckAccepted) { Assert-HvHostSettingAccepted -Kind $Kind -Target $Target -State $state -Value $Value -Step $Step }
    if ($kindInfo.PerAdapter) { Register-HvAdapterChange -Context $Context -AdapterName $Target.Adapter }
    $detail = '{0} {1} -> {2}' -f (Format-HvHostSettingName -Kind $Kind -Target $Target), $current, $Value
    Start-HvStep -Context $Context -Step $Step -Cmdlet (Get-HvHostSettingWriteCmdlet -Kind $Kind -Value $Value) -Detail $detail -Undo (New-HvHostSettingUndo -Kind $Kind -Target $Target -Value $current)
    Write-HvHostSetting -Kind $Kind -State $state -Value $Value
    Complete-HvStep -Context $Context
    return @{ Previous = $current; Changed = $true }
}

<#
Puts one host setting back to the value an undo record holds: the one restore of host settings.
Without -Context it is an undo being carried out (rollback, recover): not journaled (the run being
undone owns the journal), and it answers with a text of what it did. With -Context it is a change
of the current run (net restore: journaled, so a later failure sets the value again), made by
Set-HvHostSetting as step $Step; it answers @{ Previous; Changed; Value }.
A setting the host no longer has is an error (ObjectNotFound) in both.
#>
function Restore-HvHostSetting {
    [CmdletBinding()]
    param($Undo, [hashtable]$Context, [string]$Step)
    $setting = ConvertFrom-HvHostSettingUndo -Undo $Undo
    $kind = $setting.Kind
    $target = $setting.Target
    $value = $setting.Value
    if ($null -ne $Context) {
        $result = Set-HvHostSetting -Context $Context -Kind $kind -Target $target -Value $value -Step $Step
        if ($null -eq $result) { throw (New-HvHostSettingGoneError -Kind $kind -Target $target) }
        $result.Value = $value
        return $result
    }
    $state = Read-HvHostSetting -Kind $kind -Target $target
    if ($null -eq $state) { throw (New-HvHostSettingGoneError -Kind $kind -Target $target) }
    $name = Format-HvHostSettingName -Kind $kind -Target $target
    if (Test-HvHostSettingValue -Kind $kind -Current $state.Current -Value $value) { return ('{0} is already {1}' -f $name, $value) }
    # -NoRestart: the run's restart-adapter entry, undone after this one, restarts the adapter once.
    Write-HvHostSetting -Kind $kind -State $state -Value $value
    return ('restored {0} = {1}' -f $name, $value)
}

# ---- one restart per changed adapter
#
# Setting *JumboPacket or *VMQ restarts the adapter unless -NoRestart is given
# (Set-NetAdapterAdvancedProperty and Enable-/Disable-NetAdapterVmq on Microsoft Learn), and a
# restart pauses its traffic: every change is made with -NoRestart, and each adapter that changed
# is restarted once at the end (Restart-NetAdapter), which the answer lists as restartedAdapters.
# Before an adapter's first change the journal gets an entry whose undo restarts it: a rollback
# (newest first) puts the values back with -NoRestart and then reaches that entry, so a
# rolled-back adapter is restarted once too.

function Start-HvAdapterBatch {
    param([hashtable]$Context)
    $Context['AdapterBatch'] = New-Object System.Collections.Generic.List[string]
}

# Called just before the first change of an adapter in this request: remembers it for the restart
# at the end, and journals a step whose undo restarts it.
function Register-HvAdapterChange {
    param([hashtable]$Context, [string]$AdapterName)
    $batch = $Context['AdapterBatch']
    # Every caller (begin, net-apply, net-restore) opens a batch: a change without one would never be restarted.
    if ($null -eq $batch) { throw (New-HvError -Message ("internal: adapter '{0}' changed outside Start-HvAdapterBatch" -f $AdapterName) -Category 'InvalidOperation') }
    foreach ($n in $batch) { if (Test-HvSameText -A $n -B $AdapterName) { return } }
    $batch.Add($AdapterName)
    $saved = @{ Step = $Context.Step; Cmdlet = $Context.Cmdlet }
    Start-HvStep -Context $Context -Step 'adapter-restart-due' -Cmdlet $null -Detail ('{0}: restarted once after its changes' -f $AdapterName) -Undo ([ordered]@{ action = 'restart-adapter'; adapter = $AdapterName })
    Complete-HvStep -Context $Context
    $Context.Step = $saved.Step
    $Context.Cmdlet = $saved.Cmdlet
}

# Restarts each adapter that changed, once; returns their names.
function Complete-HvAdapterBatch {
    param([hashtable]$Context)
    $batch = $Context['AdapterBatch']
    $Context['AdapterBatch'] = $null
    if ($null -eq $batch) { return @() }
    foreach ($name in $batch) {
        Start-HvStep -Context $Context -Step 'restart-adapter' -Cmdlet 'Restart-NetAdapter' -Detail $name
        Restart-NetAdapter -Name ([System.Management.Automation.WildcardPattern]::Escape($name)) | Out-Null
        Complete-HvStep -Context $Context
    }
    return $batch.ToArray()
}

# ---- begin, and the plan's host network settings

function Invoke-HvBeginAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run id')
    $Context.RunId = $runId
    $hostEntry = Get-HvRequiredField -Object $Request -Name 'host' -What "the plan's hosts[] entry"
    $vmRoot = [string](Get-HvField -Object $Request -Name 'vmRoot' -Default (Get-HvField -Object $hostEntry -Name 'vmRoot' -Default ''))
    if ($vmRoot.Length -eq 0) { throw (New-HvError -Step 'request' -Message 'the request has no vmRoot' -Category 'InvalidArgument') }
    $timeout = [double](Get-HvField -Object $Request -Name 'lockTimeoutSeconds' -Default 60)
    $worker = Get-HvRequestWorker -Request $Request
    $started = New-HvRunStart -RunId $runId -VmRoot $vmRoot
    try {
        if ($worker -gt 0) {
            # A worker of create --parallel: its own journal, under the lead's lock and host settings.
            Start-HvWorkerRun -Context $Context -Started $started -Worker $worker
            $Context.Data = [ordered]@{ runId = $runId; vmRoot = $vmRoot; journal = $started.Run.JournalPath; lock = (Get-HvLockPath -VmRoot $vmRoot); hostSettings = @(); restartedAdapters = @(); worker = $worker }
            return
        }
        Start-HvRun -Context $Context -Started $started -TimeoutSeconds $timeout -RefuseBegun -ReportProgress
        $run = $started.Run
        $switches = @(Get-HvField -Object $Request -Name 'switches' -Default @())
        Start-HvAdapterBatch -Context $Context
        $settings = @(Set-HvHostNetwork -Context $Context -HostEntry $hostEntry -Switches $switches)
        $restarted = @(Complete-HvAdapterBatch -Context $Context)
        $Context.Data = [ordered]@{
            runId             = $runId
            vmRoot            = $vmRoot
            journal           = $run.JournalPath
            lock              = (Get-HvLockPath -VmRoot $vmRoot)
            hostSettings      = $settings
            restartedAdapters = $restarted
        }
    } catch {
        # A failed begin leaves nothing behind: what it changed is put back, the journal deleted,
        # the lock released. The error still names the step that failed. When putting back fails,
        # the answer says so (rollbackError) and the caller sends the user to recover.
        $failure = $_
        $outcome = Undo-HvRunStart -Context $Context -Started $started
        if ($null -ne $outcome) { $Context.Data = $outcome }
        throw $failure
    }
}

function ConvertTo-HvChimneyValue {
    param([string]$Value)
    switch ($Value.ToLowerInvariant()) {
        'enabled' { return 'Enabled' }
        'disabled' { return 'Disabled' }
        'automatic' { return 'Automatic' }
        default { throw (New-HvError -Step 'set-chimney' -Message ("chimney value '{0}' is not one of enabled, disabled, automatic" -f $Value) -Category 'InvalidArgument') }
    }
}

function New-HvSettingRecord {
    param([string]$Setting, $Switch, $Target, $Adapter, $Keyword, $Previous, $Value, [string]$Action, $Reason)
    return [ordered]@{
        setting  = $Setting
        switch   = $Switch
        target   = $Target
        adapter  = $Adapter
        keyword  = $Keyword
        previous = $Previous
        value    = $Value
        action   = $Action
        reason   = $Reason
    }
}

# The answer's record of one planned setting, after Set-HvHostSetting: $Result $null means the
# host has no such setting ($Missing says why).
function ConvertTo-HvSettingRecord {
    param([hashtable]$Result, [string]$Setting, $Switch, $Target, $Adapter, $Keyword, $Value, [string]$Missing, [string]$Already)
    if ($null -eq $Result) { return (New-HvSettingRecord -Setting $Setting -Switch $Switch -Target $Target -Adapter $Adapter -Keyword $Keyword -Value $Value -Action 'skipped' -Reason $Missing) }
    if (-not $Result.Changed) { return (New-HvSettingRecord -Setting $Setting -Switch $Switch -Target $Target -Adapter $Adapter -Keyword $Keyword -Previous $Result.Previous -Value $Value -Action 'skipped' -Reason $Already) }
    return (New-HvSettingRecord -Setting $Setting -Switch $Switch -Target $Target -Adapter $Adapter -Keyword $Keyword -Previous $Result.Previous -Value $Value -Action 'set')
}

<#
Where one hosts[].network.jumbo entry puts *JumboPacket, in the order begin sets them: for each
of $Targets, 'physical-nic' is every NIC the switch is bound to and 'host-vethernet' the host's
'vEthernet (<switch>)'. Each item is @{ Target; AdapterName; Reason }: Reason says why nothing is
set there ($null when AdapterName is to be set). begin and preflight both ask this, so what
preflight checks is what begin sets.
#>
function Get-HvJumboTargets {
    [CmdletBinding()]
    param($Switch, [string]$SwitchName, $Targets, $Adapters)
    foreach ($target in @($Targets)) {
        if ($target -eq 'physical-nic') {
            $nics = @(Get-HvSwitchPhysicalNics -Switch $Switch -Adapters $Adapters)
            if ($nics.Count -eq 0) {
                @{ Target = $target; AdapterName = $null; Reason = ("switch '{0}' ({1}) is bound to no physical NIC" -f $SwitchName, [string](Get-HvField -Object $Switch -Name 'SwitchType' -Default 'not external')) }
                continue
            }
            foreach ($physical in $nics) {
                if ($null -eq $physical.Adapter) { @{ Target = $target; AdapterName = $null; Reason = ("no network adapter has the description '{0}' that switch '{1}' is bound to" -f $physical.Description, $SwitchName) } }
                else { @{ Target = $target; AdapterName = [string]$physical.Adapter.Name; Reason = $null } }
            }
        } elseif ($target -eq 'host-vethernet') {
            $name = 'vEthernet ({0})' -f $SwitchName
            $nic = Find-HvNetAdapterByName -Name $name -All $Adapters
            if ($null -eq $nic) { @{ Target = $target; AdapterName = $name; Reason = ("the host has no adapter '{0}' (the switch does not share its NIC with the management OS)" -f $name) } }
            else { @{ Target = $target; AdapterName = [string]$nic.Name; Reason = $null } }
        } else {
            @{ Target = $target; AdapterName = $null; Reason = ("unknown target '{0}'" -f $target) }
        }
    }
}

# The targets of a jumbo entry: its own, else both the physical NICs and the host's vEthernet.
function Get-HvJumboEntryTargets {
    param($Entry)
    return @(Get-HvField -Object $Entry -Name 'targets' -Default @('physical-nic', 'host-vethernet'))
}

# The switch a host setting names, which must exist (step $Step).
function Get-HvExistingSwitch {
    param([hashtable]$Context, [string]$SwitchName, [string]$Step)
    Set-HvActivity -Context $Context -Step $Step -Cmdlet 'Get-VMSwitch'
    $sw = Find-HvSwitch -Name $SwitchName
    if ($null -eq $sw) {
        throw (New-HvError -Step $Step -Cmdlet 'Get-VMSwitch' -Message ("virtual switch '{0}' does not exist on this host" -f $SwitchName) -Category 'ObjectNotFound')
    }
    return $sw
}

# The host settings of hosts[].network, set in this order: jumbo frames, TCP Chimney, VMQ.
# Returns one record per planned setting (New-HvSettingRecord).
function Set-HvHostNetwork {
    param([hashtable]$Context, $HostEntry, $Switches)
    $records = New-Object System.Collections.Generic.List[object]
    $network = Get-HvField -Object $HostEntry -Name 'network'
    if ($null -eq $network) { return $records.ToArray() }
    $jumbo = @(Get-HvField -Object $network -Name 'jumbo' -Default @())
    $vmq = Get-HvField -Object $network -Name 'vmq'
    $adapters = $null
    if ($jumbo.Count -gt 0 -or $vmq -eq $true) {
        Set-HvActivity -Context $Context -Step 'set-jumbo' -Cmdlet 'Get-NetAdapter'
        $adapters = Get-HvAllNetAdapters
    }
    foreach ($j in $jumbo) { foreach ($r in @(Set-HvJumboEntry -Context $Context -Entry $j -Adapters $adapters)) { $records.Add($r) } }
    $chimney = Get-HvField -Object $network -Name 'chimney'
    if ($null -ne $chimney) { $records.Add((Set-HvChimney -Context $Context -Value ([string]$chimney))) }
    if ($vmq -eq $true) {
        foreach ($r in @(Set-HvVmqOnSwitches -Context $Context -SwitchNames @(Get-HvVmqSwitchNames -Switches $Switches -Jumbo $jumbo) -Adapters $adapters)) { $records.Add($r) }
    } elseif ($vmq -eq $false) {
        $records.Add((New-HvSettingRecord -Setting 'vmq' -Value $false -Action 'skipped' -Reason 'vmq off: guest adapters get VmqWeight 0; host NICs are left as they are'))
    }
    return $records.ToArray()
}

# *JumboPacket on every place one jumbo entry names (Get-HvJumboTargets).
function Set-HvJumboEntry {
    param([hashtable]$Context, $Entry, $Adapters)
    $switchName = [string](Get-HvField -Object $Entry -Name 'switch')
    $value = [string][long](Get-HvField -Object $Entry -Name 'value')
    $sw = Get-HvExistingSwitch -Context $Context -SwitchName $switchName -Step 'set-jumbo'
    foreach ($t in @(Get-HvJumboTargets -Switch $sw -SwitchName $switchName -Targets (Get-HvJumboEntryTargets -Entry $Entry) -Adapters $Adapters)) {
        if ($null -ne $t.Reason) {
            New-HvSettingRecord -Setting 'jumbo' -Switch $switchName -Target $t.Target -Adapter $t.AdapterName -Keyword '*JumboPacket' -Value $value -Action 'skipped' -Reason $t.Reason
            continue
        }
        $target = @{ Adapter = $t.AdapterName; Keyword = '*JumboPacket' }
        $result = Set-HvHostSetting -Context $Context -Kind 'adapter-property' -Target $target -Value $value -Step 'set-jumbo' -CheckAccepted
        ConvertTo-HvSettingRecord -Result $result -Setting 'jumbo' -Switch $switchName -Target $t.Target -Adapter $t.AdapterName -Keyword '*JumboPacket' -Value $value -Missing ("adapter '{0}' has no {1} property" -f $t.AdapterName, '*JumboPacket') -Already ('already {0}' -f $value)
    }
}

function Set-HvChimney {
    param([hashtable]$Context, [string]$Value)
    $want = ConvertTo-HvChimneyValue -Value $Value
    $result = Set-HvHostSetting -Context $Context -Kind 'chimney' -Target @{} -Value $want -Step 'set-chimney'
    return (ConvertTo-HvSettingRecord -Result $result -Setting 'chimney' -Value $want -Already ('already {0}' -f $want))
}

# VMQ goes on the physical NICs of the switches this run uses: the request's switches, else the
# jumbo switches, each once (names compared without case).
function Get-HvVmqSwitchNames {
    param($Switches, $Jumbo)
    $names = New-Object System.Collections.Generic.List[string]
    foreach ($s in @($Switches) + @($Jumbo | ForEach-Object { Get-HvField -Object $_ -Name 'switch' })) {
        if ($null -eq $s) { continue }
        $exists = $false
        foreach ($n in $names) { if (Test-HvSameText -A $n -B ([string]$s)) { $exists = $true } }
        if (-not $exists) { $names.Add([string]$s) }
    }
    return $names.ToArray()
}

# VMQ on the physical NICs of each switch. Internal and private switches have no NIC to set.
function Set-HvVmqOnSwitches {
    param([hashtable]$Context, $SwitchNames, $Adapters)
    foreach ($switchName in @($SwitchNames)) {
        $sw = Get-HvExistingSwitch -Context $Context -SwitchName $switchName -Step 'set-vmq'
        $nics = @(Get-HvSwitchPhysicalNics -Switch $sw -Adapters $Adapters)
        if ($nics.Count -eq 0) {
            New-HvSettingRecord -Setting 'vmq' -Switch $switchName -Target 'physical-nic' -Value $true -Action 'skipped' -Reason ("switch '{0}' is bound to no physical NIC" -f $switchName)
            continue
        }
        foreach ($physical in $nics) {
            if ($null -eq $physical.Adapter) {
                New-HvSettingRecord -Setting 'vmq' -Switch $switchName -Target 'physical-nic' -Value $true -Action 'skipped' -Reason ("no network adapter has the description '{0}'" -f $physical.Description)
                continue
            }
            $adapterName = [string]$physical.Adapter.Name
            $result = Set-HvHostSetting -Context $Context -Kind 'vmq' -Target @{ Adapter = $adapterName; Keyword = $null } -Value $true -Step 'set-vmq'
            ConvertTo-HvSettingRecord -Result $result -Setting 'vmq' -Switch $switchName -Target 'physical-nic' -Adapter $adapterName -Value $true -Missing ("adapter '{0}' has no VMQ capability" -f $adapterName) -Already 'already enabled'
        }
    }
}
