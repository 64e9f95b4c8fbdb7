# begin: the host lock, the run journal, and the host-level network settings of the plan's
# hosts[].network (DESIGN section 3): *JumboPacket on the physical NIC bound to each switch and on
# the host's vEthernet (<switch>), TCP Chimney (host-global), VMQ (Enable-NetAdapterVmq) on the bound NICs. Each change
# records the value it replaces; a setting already at the wanted value is left alone and said so.
# Setting *JumboPacket or *VMQ restarts the adapter unless -NoRestart is given (Set-NetAdapterAdvancedProperty
# and Enable-/Disable-NetAdapterVmq docs), and a restart pauses its traffic: every change is made
# with -NoRestart, and each adapter that changed is restarted once at the end (Restart-NetAdapter),
# which the answer lists as restartedAdapters. Before an adapter's first change the journal gets an
# entry whose undo restarts it: a rollback (newest first) puts the values back with -NoRestart and
# then reaches that entry, so a rolled-back adapter is restarted once too.

function Invoke-HvBeginAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run id')
    $Context.RunId = $runId
    $hostEntry = Get-HvRequiredField -Object $Request -Name 'host' -What "the plan's hosts[] entry"
    $vmRoot = [string](Get-HvField -Object $Request -Name 'vmRoot' -Default (Get-HvField -Object $hostEntry -Name 'vmRoot' -Default ''))
    if ($vmRoot.Length -eq 0) { throw (New-HvError -Step 'request' -Message 'the request has no vmRoot' -Category 'InvalidArgument') }
    $timeout = [double](Get-HvField -Object $Request -Name 'lockTimeoutSeconds' -Default 60)
    if ($script:HvRuns.ContainsKey($runId)) {
        throw (New-HvError -Step 'begin' -Message ("run {0} has already begun in this session" -f $runId) -Category 'InvalidOperation')
    }

    Set-HvActivity -Context $Context -Step 'lock' -Cmdlet $null
    Write-HvProgress -Context $Context -Step 'lock' -Detail (Get-HvLockPath -VmRoot $vmRoot)
    $taken = Enter-HvLock -VmRoot $vmRoot -RunId $runId -TimeoutSeconds $timeout -Step 'lock'
    if (-not $taken -and (Test-HvFile -Path (Get-HvJournalPath -VmRoot $vmRoot -RunId $runId))) {
        throw (New-HvError -Step 'begin' -Message ("run {0} has already begun on this host (its journal exists)" -f $runId) -Category 'InvalidOperation')
    }
    $run = $null
    try {
        Set-HvActivity -Context $Context -Step 'journal' -Cmdlet 'New-Item'
        $run = New-HvJournal -VmRoot $vmRoot -RunId $runId
        $script:HvRuns[$runId] = $run
        Set-HvRunPointer -RunId $runId -VmRoot $vmRoot
        $Context.Run = $run
        Write-HvProgress -Context $Context -Step 'journal' -Detail $run.JournalPath

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
        # the lock released. The error still names the step that failed.
        $failure = $_
        $step = $Context.Step
        $cmdlet = $Context.Cmdlet
        try {
            if ($null -ne $run) {
                $undo = Complete-HvRollback -Run $run -Context $Context
                $Context.Data = [ordered]@{ runId = $runId; rolledBack = $undo }
            } else {
                [void](Exit-HvLock -VmRoot $vmRoot -RunId $runId)
                Remove-HvRunPointer -RunId $runId
            }
        } catch {
            # Told to the caller, which sends the user to recover (the journal and lock are left).
            $Context.Data = [ordered]@{ runId = $runId; rolledBack = $null; rollbackError = (Get-HvErrorMessage -ErrorRecord $_) }
        }
        $Context.Step = $step
        $Context.Cmdlet = $cmdlet
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

# ---- one restart per changed adapter

function Start-HvAdapterBatch {
    param([hashtable]$Context)
    $Context['AdapterBatch'] = New-Object System.Collections.Generic.List[string]
}

# Called just before the first change of an adapter in this request: remembers it for the restart
# at the end, and journals a step whose undo restarts it (see the top of this file).
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

# Sets one advanced property (journaled with its previous value), or says why not.
function Set-HvAdapterKeyword {
    param([hashtable]$Context, [string]$Setting, [string]$StepName, [string]$Switch, [string]$Target, [string]$AdapterName, [string]$Keyword, [string]$Value)
    Set-HvActivity -Context $Context -Step $StepName -Cmdlet 'Get-NetAdapterAdvancedProperty'
    $prop = Find-HvAdvancedProperty -AdapterName $AdapterName -Keyword $Keyword
    if ($null -eq $prop) {
        return (New-HvSettingRecord -Setting $Setting -Switch $Switch -Target $Target -Adapter $AdapterName -Keyword $Keyword -Value $Value -Action 'skipped' -Reason ("adapter '{0}' has no {1} property" -f $AdapterName, $Keyword))
    }
    $current = Get-HvRegistryValue -Property $prop
    if ($current -eq $Value) {
        return (New-HvSettingRecord -Setting $Setting -Switch $Switch -Target $Target -Adapter $AdapterName -Keyword $Keyword -Previous $current -Value $Value -Action 'skipped' -Reason ('already {0}' -f $Value))
    }
    $valid = @(Get-HvValidRegistryValues -Property $prop)
    if ($valid.Count -gt 0 -and -not ($valid -contains $Value)) {
        throw (New-HvError -Step $StepName -Cmdlet 'Set-NetAdapterAdvancedProperty' -Message ("adapter '{0}' accepts {1} values {2}, not {3}" -f $AdapterName, $Keyword, ($valid -join ', '), $Value) -Category 'InvalidArgument')
    }
    $undo = [ordered]@{ action = 'restore-adapter-property'; adapter = $AdapterName; keyword = $Keyword; value = $current }
    Register-HvAdapterChange -Context $Context -AdapterName $AdapterName
    Start-HvStep -Context $Context -Step $StepName -Cmdlet 'Set-NetAdapterAdvancedProperty' -Detail ("{0} {1} {2} -> {3}" -f $AdapterName, $Keyword, $current, $Value) -Undo $undo
    Set-NetAdapterAdvancedProperty -InputObject $prop -RegistryValue $Value -NoRestart | Out-Null
    Complete-HvStep -Context $Context
    return (New-HvSettingRecord -Setting $Setting -Switch $Switch -Target $Target -Adapter $AdapterName -Keyword $Keyword -Previous $current -Value $Value -Action 'set')
}

function Find-HvAdapterVmq {
    param([string]$AdapterName)
    foreach ($v in @(Select-HvObject -InputObject @(Get-NetAdapterVmq) -Property 'Name')) { if (Test-HvSameText -A ([string]$v.Name) -B $AdapterName) { return $v } }
    return $null
}

# VMQ on one host NIC (Enable-/Disable-NetAdapterVmq), journaled with its previous state.
function Set-HvAdapterVmq {
    param([hashtable]$Context, [string]$Switch, [string]$AdapterName, [bool]$Enabled)
    Set-HvActivity -Context $Context -Step 'set-vmq' -Cmdlet 'Get-NetAdapterVmq'
    $vmq = Find-HvAdapterVmq -AdapterName $AdapterName
    if ($null -eq $vmq) {
        return (New-HvSettingRecord -Setting 'vmq' -Switch $Switch -Target 'physical-nic' -Adapter $AdapterName -Value $Enabled -Action 'skipped' -Reason ("adapter '{0}' has no VMQ capability" -f $AdapterName))
    }
    $current = Test-HvTrue (Get-HvField -Object $vmq -Name 'Enabled')
    if ($current -eq $Enabled) {
        return (New-HvSettingRecord -Setting 'vmq' -Switch $Switch -Target 'physical-nic' -Adapter $AdapterName -Previous $current -Value $Enabled -Action 'skipped' -Reason ('already {0}' -f $(if ($Enabled) { 'enabled' } else { 'disabled' })))
    }
    $cmdlet = $(if ($Enabled) { 'Enable-NetAdapterVmq' } else { 'Disable-NetAdapterVmq' })
    Register-HvAdapterChange -Context $Context -AdapterName $AdapterName
    Start-HvStep -Context $Context -Step 'set-vmq' -Cmdlet $cmdlet -Detail ('{0} VMQ {1} -> {2}' -f $AdapterName, $current, $Enabled) -Undo ([ordered]@{ action = 'restore-vmq'; adapter = $AdapterName; enabled = $current })
    if ($Enabled) { Enable-NetAdapterVmq -InputObject $vmq -NoRestart | Out-Null } else { Disable-NetAdapterVmq -InputObject $vmq -NoRestart | Out-Null }
    Complete-HvStep -Context $Context
    return (New-HvSettingRecord -Setting 'vmq' -Switch $Switch -Target 'physical-nic' -Adapter $AdapterName -Previous $current -Value $Enabled -Action 'set')
}

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

    foreach ($j in $jumbo) {
        $switchName = [string](Get-HvField -Object $j -Name 'switch')
        $value = [string][long](Get-HvField -Object $j -Name 'value')
        $targets = @(Get-HvField -Object $j -Name 'targets' -Default @('physical-nic', 'host-vethernet'))
        Set-HvActivity -Context $Context -Step 'set-jumbo' -Cmdlet 'Get-VMSwitch'
        $sw = Find-HvSwitch -Name $switchName
        if ($null -eq $sw) {
            throw (New-HvError -Step 'set-jumbo' -Cmdlet 'Get-VMSwitch' -Message ("virtual switch '{0}' does not exist on this host" -f $switchName) -Category 'ObjectNotFound')
        }
        foreach ($target in $targets) {
            if ($target -eq 'physical-nic') {
                $descriptions = @(Get-HvSwitchNicDescriptions -Switch $sw)
                if ($descriptions.Count -eq 0) {
                    $records.Add((New-HvSettingRecord -Setting 'jumbo' -Switch $switchName -Target $target -Keyword '*JumboPacket' -Value $value -Action 'skipped' -Reason ("switch '{0}' ({1}) is bound to no physical NIC" -f $switchName, [string](Get-HvField -Object $sw -Name 'SwitchType' -Default 'not external'))))
                    continue
                }
                foreach ($d in $descriptions) {
                    $nic = Find-HvNetAdapterByDescription -Description $d -All $adapters
                    if ($null -eq $nic) {
                        $records.Add((New-HvSettingRecord -Setting 'jumbo' -Switch $switchName -Target $target -Keyword '*JumboPacket' -Value $value -Action 'skipped' -Reason ("no network adapter has the description '{0}' that switch '{1}' is bound to" -f $d, $switchName)))
                        continue
                    }
                    $records.Add((Set-HvAdapterKeyword -Context $Context -Setting 'jumbo' -StepName 'set-jumbo' -Switch $switchName -Target $target -AdapterName ([string]$nic.Name) -Keyword '*JumboPacket' -Value $value))
                }
            } elseif ($target -eq 'host-vethernet') {
                $name = 'vEthernet ({0})' -f $switchName
                $nic = Find-HvNetAdapterByName -Name $name -All $adapters
                if ($null -eq $nic) {
                    $records.Add((New-HvSettingRecord -Setting 'jumbo' -Switch $switchName -Target $target -Adapter $name -Keyword '*JumboPacket' -Value $value -Action 'skipped' -Reason ("the host has no adapter '{0}' (the switch does not share its NIC with the management OS)" -f $name)))
                    continue
                }
                $records.Add((Set-HvAdapterKeyword -Context $Context -Setting 'jumbo' -StepName 'set-jumbo' -Switch $switchName -Target $target -AdapterName ([string]$nic.Name) -Keyword '*JumboPacket' -Value $value))
            } else {
                $records.Add((New-HvSettingRecord -Setting 'jumbo' -Switch $switchName -Target $target -Keyword '*JumboPacket' -Value $value -Action 'skipped' -Reason ("unknown target '{0}'" -f $target)))
            }
        }
    }

    $chimney = Get-HvField -Object $network -Name 'chimney'
    if ($null -ne $chimney) {
        $want = ConvertTo-HvChimneyValue -Value ([string]$chimney)
        Set-HvActivity -Context $Context -Step 'set-chimney' -Cmdlet 'Get-NetOffloadGlobalSetting'
        $current = [string](Get-NetOffloadGlobalSetting).Chimney
        if (Test-HvSameText -A $current -B $want) {
            $records.Add((New-HvSettingRecord -Setting 'chimney' -Previous $current -Value $want -Action 'skipped' -Reason ('already {0}' -f $want)))
        } else {
            Start-HvStep -Context $Context -Step 'set-chimney' -Cmdlet 'Set-NetOffloadGlobalSetting' -Detail ("chimney {0} -> {1}" -f $current, $want) -Undo ([ordered]@{ action = 'restore-chimney'; value = $current })
            Set-NetOffloadGlobalSetting -Chimney $want | Out-Null
            Complete-HvStep -Context $Context
            $records.Add((New-HvSettingRecord -Setting 'chimney' -Previous $current -Value $want -Action 'set'))
        }
    }

    if ($vmq -eq $true) {
        # VMQ on the physical NICs of the switches this run uses (the request's switches, else the
        # jumbo switches). Internal and private switches have no NIC to set.
        $names = New-Object System.Collections.Generic.List[string]
        foreach ($s in @($Switches) + @($jumbo | ForEach-Object { Get-HvField -Object $_ -Name 'switch' })) {
            if ($null -eq $s) { continue }
            $exists = $false
            foreach ($n in $names) { if (Test-HvSameText -A $n -B ([string]$s)) { $exists = $true } }
            if (-not $exists) { $names.Add([string]$s) }
        }
        foreach ($switchName in $names) {
            Set-HvActivity -Context $Context -Step 'set-vmq' -Cmdlet 'Get-VMSwitch'
            $sw = Find-HvSwitch -Name $switchName
            if ($null -eq $sw) {
                throw (New-HvError -Step 'set-vmq' -Cmdlet 'Get-VMSwitch' -Message ("virtual switch '{0}' does not exist on this host" -f $switchName) -Category 'ObjectNotFound')
            }
            $descriptions = @(Get-HvSwitchNicDescriptions -Switch $sw)
            if ($descriptions.Count -eq 0) {
                $records.Add((New-HvSettingRecord -Setting 'vmq' -Switch $switchName -Target 'physical-nic' -Value $true -Action 'skipped' -Reason ("switch '{0}' is bound to no physical NIC" -f $switchName)))
                continue
            }
            foreach ($d in $descriptions) {
                $nic = Find-HvNetAdapterByDescription -Description $d -All $adapters
                if ($null -eq $nic) {
                    $records.Add((New-HvSettingRecord -Setting 'vmq' -Switch $switchName -Target 'physical-nic' -Value $true -Action 'skipped' -Reason ("no network adapter has the description '{0}'" -f $d)))
                    continue
                }
                $records.Add((Set-HvAdapterVmq -Context $Context -Switch $switchName -AdapterName ([string]$nic.Name) -Enabled $true))
            }
        }
    } elseif ($vmq -eq $false) {
        $records.Add((New-HvSettingRecord -Setting 'vmq' -Value $false -Action 'skipped' -Reason 'vmq off: guest adapters get VmqWeight 0; host NICs are left as they are'))
    }
    return $records.ToArray()
}
