# net-apply and net-restore (`hvguest net apply`, `hvguest net restore`): a hardware profile's
# host-level defaults applied on their own, outside a create. The values a setting had before
# hvguest first changed it are kept on the host in <vmRoot>\.hvguest\net\host-network.json, so
# that `net restore` can put them back from any machine, and a second apply (which changes
# nothing when everything is already right) never overwrites them with hvguest's own values.
# Both run like a create: host lock, journal, and on a failure halfway every change of the
# request is undone.

function Get-HvNetRecordPath {
    param([string]$VmRoot)
    return (Join-HvPath -Parent (Join-HvPath -Parent (Get-HvStateRoot -VmRoot $VmRoot) -Child 'net') -Child 'host-network.json')
}

# The identity of a recorded setting: what it is set on.
function Get-HvNetSettingKey {
    param($Record)
    return ('{0}|{1}|{2}' -f (Get-HvField -Object $Record -Name 'setting'), (Get-HvField -Object $Record -Name 'adapter' -Default ''), (Get-HvField -Object $Record -Name 'keyword' -Default '')).ToLowerInvariant()
}

# Lock + journal for one request (as begin does for a create). The action then either completes
# the change (journal deleted, lock released) or undoes it (every journaled step put back).
function Start-HvHostChange {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run id')
    $Context.RunId = $runId
    $vmRoot = [string](Get-HvRequiredField -Object $Request -Name 'vmRoot' -What "the host's vmRoot")
    $timeout = [double](Get-HvField -Object $Request -Name 'lockTimeoutSeconds' -Default 60)
    Set-HvActivity -Context $Context -Step 'lock' -Cmdlet $null
    [void](Enter-HvLock -VmRoot $vmRoot -RunId $runId -TimeoutSeconds $timeout -Step 'lock')
    $change = @{ RunId = $runId; VmRoot = $vmRoot; Run = $null }
    try {
        Set-HvActivity -Context $Context -Step 'journal' -Cmdlet 'New-Item'
        $change.Run = New-HvJournal -VmRoot $vmRoot -RunId $runId
        $script:HvRuns[$runId] = $change.Run
        Set-HvRunPointer -RunId $runId -VmRoot $vmRoot
        $Context.Run = $change.Run
    } catch {
        Undo-HvHostChange -Context $Context -Change $change
        throw
    }
    return $change
}

function Complete-HvHostChange {
    param([hashtable]$Context, [hashtable]$Change)
    [void](Remove-HvStateFile -Kind 'journal' -Path $Change.Run.JournalPath)
    [void](Exit-HvLock -VmRoot $Change.VmRoot -RunId $Change.RunId)
    $script:HvRuns.Remove($Change.RunId)
    Remove-HvRunPointer -RunId $Change.RunId
}

# After a failure: puts back what the journal says this request did, releases the lock; the
# failing step stays the one reported.
function Undo-HvHostChange {
    param([hashtable]$Context, [hashtable]$Change)
    $step = $Context.Step
    $cmdlet = $Context.Cmdlet
    try {
        if ($null -ne $Change.Run) { $Context.Data = [ordered]@{ runId = $Change.RunId; rolledBack = (Complete-HvRollback -Run $Change.Run -Context $Context) } }
        else { [void](Exit-HvLock -VmRoot $Change.VmRoot -RunId $Change.RunId); Remove-HvRunPointer -RunId $Change.RunId }
    } catch { }
    $Context.Step = $step
    $Context.Cmdlet = $cmdlet
}

# Adds to the host's record the value each changed setting had before ({setting, switch, target,
# adapter, keyword, previous}), unless the record has that setting already: the first value
# hvguest found is the one restore puts back. Returns how many settings the record holds.
function Save-HvNetOriginals {
    param([hashtable]$Context, [string]$VmRoot, $Changed)
    $path = Get-HvNetRecordPath -VmRoot $VmRoot
    $kept = New-Object System.Collections.Generic.List[object]
    if (Test-HvFile -Path $path) { foreach ($r in @(Get-HvField -Object (Read-HvJsonFile -Path $path) -Name 'settings' -Default @())) { $kept.Add($r) } }
    $added = 0
    foreach ($r in @($Changed)) {
        if ($null -eq $r) { continue }
        $key = Get-HvNetSettingKey -Record $r
        if (@($kept | Where-Object { (Get-HvNetSettingKey -Record $_) -eq $key }).Count -gt 0) { continue }
        $kept.Add([ordered]@{ setting = (Get-HvField -Object $r -Name 'setting'); switch = (Get-HvField -Object $r -Name 'switch'); target = (Get-HvField -Object $r -Name 'target'); adapter = (Get-HvField -Object $r -Name 'adapter'); keyword = (Get-HvField -Object $r -Name 'keyword'); original = (Get-HvField -Object $r -Name 'previous'); recordedAt = (Get-HvTimestamp) })
        $added++
    }
    if ($added -gt 0) {
        Set-HvActivity -Context $Context -Step 'write-net-record' -Cmdlet $null
        Write-HvStateFile -Kind 'net-record' -Path $path -Text (ConvertTo-HvJson -Value ([ordered]@{ settings = $kept.ToArray() }))
    }
    return $kept.Count
}

# The host settings a run changed, from its journal (begin's undo entries), as Save-HvNetOriginals takes them.
function Get-HvJournalHostSettings {
    param($Run)
    foreach ($e in $Run.Entries) {
        if (-not (Test-HvTrue (Get-HvField -Object $e -Name 'done'))) { continue }
        $undo = Get-HvField -Object $e -Name 'undo'
        switch ([string](Get-HvField -Object $undo -Name 'action' -Default '')) {
            'restore-adapter-property' {
                $keyword = [string](Get-HvField -Object $undo -Name 'keyword')
                [ordered]@{ setting = $(if ($keyword -eq '*JumboPacket') { 'jumbo' } else { $keyword }); switch = $null; target = $null; adapter = (Get-HvField -Object $undo -Name 'adapter'); keyword = $keyword; previous = (Get-HvField -Object $undo -Name 'value') }
            }
            'restore-vmq' { [ordered]@{ setting = 'vmq'; switch = $null; target = 'physical-nic'; adapter = (Get-HvField -Object $undo -Name 'adapter'); keyword = $null; previous = (Get-HvField -Object $undo -Name 'enabled') } }
            'restore-chimney' { [ordered]@{ setting = 'chimney'; switch = $null; target = $null; adapter = $null; keyword = $null; previous = (Get-HvField -Object $undo -Name 'value') } }
        }
    }
}

function Invoke-HvNetApplyAction {
    param([hashtable]$Context, $Request)
    $hostEntry = Get-HvRequiredField -Object $Request -Name 'host' -What 'the host settings {network}'
    $switches = @(Get-HvField -Object $Request -Name 'switches' -Default @())
    $change = Start-HvHostChange -Context $Context -Request $Request
    try {
        Start-HvAdapterBatch -Context $Context
        $records = @(Set-HvHostNetwork -Context $Context -HostEntry $hostEntry -Switches $switches)
        $restarted = @(Complete-HvAdapterBatch -Context $Context)
        $path = Get-HvNetRecordPath -VmRoot $change.VmRoot
        $kept = Save-HvNetOriginals -Context $Context -VmRoot $change.VmRoot -Changed @($records | Where-Object { [string]$_.action -eq 'set' })
        Complete-HvHostChange -Context $Context -Change $change
    } catch {
        Undo-HvHostChange -Context $Context -Change $change
        throw
    }
    $Context.Data = [ordered]@{ settings = $records; record = $path; recorded = $kept; restartedAdapters = $restarted }
}

function Invoke-HvNetRestoreAction {
    param([hashtable]$Context, $Request)
    $change = Start-HvHostChange -Context $Context -Request $Request
    try {
        $path = Get-HvNetRecordPath -VmRoot $change.VmRoot
        $done = New-Object System.Collections.Generic.List[object]
        $note = $null
        $restarted = @()
        if (Test-HvFile -Path $path) {
            Start-HvAdapterBatch -Context $Context
            foreach ($r in @(Get-HvField -Object (Read-HvJsonFile -Path $path) -Name 'settings' -Default @())) {
                $done.Add((Restore-HvNetSetting -Context $Context -Record $r))
            }
            $restarted = @(Complete-HvAdapterBatch -Context $Context)
            Set-HvActivity -Context $Context -Step 'delete-net-record' -Cmdlet $null
            [void](Remove-HvStateFile -Kind 'net-record' -Path $path)
            $dir = Get-HvParentPath -Path $path
            if ((Test-HvDirectory -Path $dir) -and (Test-HvDirectoryHasNoFiles -Path $dir)) { Remove-Item -LiteralPath $dir -Recurse -Force }
        } else {
            $note = 'hvguest has recorded no host network setting to restore on this host'
        }
        Complete-HvHostChange -Context $Context -Change $change
    } catch {
        Undo-HvHostChange -Context $Context -Change $change
        throw
    }
    $Context.Data = [ordered]@{ settings = $done.ToArray(); record = $path; note = $note; restartedAdapters = $restarted }
}

# Puts one recorded setting back (journaled: a later failure sets it again to what it was).
function Restore-HvNetSetting {
    param([hashtable]$Context, $Record)
    $setting = [string](Get-HvField -Object $Record -Name 'setting')
    $adapter = [string](Get-HvField -Object $Record -Name 'adapter' -Default '')
    $keyword = [string](Get-HvField -Object $Record -Name 'keyword' -Default '')
    $original = Get-HvField -Object $Record -Name 'original'
    $out = [ordered]@{ setting = $setting; switch = (Get-HvField -Object $Record -Name 'switch'); target = (Get-HvField -Object $Record -Name 'target'); adapter = $adapter; keyword = $keyword; previous = $null; value = $original; action = 'set'; reason = $null }
    switch ($setting) {
        'jumbo' {
            Set-HvActivity -Context $Context -Step 'restore-jumbo' -Cmdlet 'Get-NetAdapterAdvancedProperty'
            $prop = Find-HvAdvancedProperty -AdapterName $adapter -Keyword $keyword
            if ($null -eq $prop) { throw (New-HvError -Message ("adapter '{0}' has no {1} property any more" -f $adapter, $keyword) -Category 'ObjectNotFound') }
            $current = Get-HvRegistryValue -Property $prop
            $out.previous = $current
            if ($current -eq [string]$original) { $out.action = 'skipped'; $out.reason = ('already {0}' -f $original); return $out }
            Register-HvAdapterChange -Context $Context -AdapterName $adapter
            Start-HvStep -Context $Context -Step 'restore-jumbo' -Cmdlet 'Set-NetAdapterAdvancedProperty' -Detail ('{0} {1} {2} -> {3}' -f $adapter, $keyword, $current, $original) -Undo ([ordered]@{ action = 'restore-adapter-property'; adapter = $adapter; keyword = $keyword; value = $current })
            Set-NetAdapterAdvancedProperty -InputObject $prop -RegistryValue ([string]$original) -NoRestart | Out-Null
            Complete-HvStep -Context $Context
        }
        'vmq' {
            Set-HvActivity -Context $Context -Step 'restore-vmq' -Cmdlet 'Get-NetAdapterVmq'
            $vmq = Find-HvAdapterVmq -AdapterName $adapter
            if ($null -eq $vmq) { throw (New-HvError -Message ("adapter '{0}' has no VMQ any more" -f $adapter) -Category 'ObjectNotFound') }
            $current = Test-HvTrue (Get-HvField -Object $vmq -Name 'Enabled')
            $want = Test-HvTrue $original
            $out.previous = $current
            if ($current -eq $want) { $out.action = 'skipped'; $out.reason = ('already {0}' -f $want); return $out }
            $cmdlet = $(if ($want) { 'Enable-NetAdapterVmq' } else { 'Disable-NetAdapterVmq' })
            Register-HvAdapterChange -Context $Context -AdapterName $adapter
            Start-HvStep -Context $Context -Step 'restore-vmq' -Cmdlet $cmdlet -Detail ('{0} VMQ {1} -> {2}' -f $adapter, $current, $want) -Undo ([ordered]@{ action = 'restore-vmq'; adapter = $adapter; enabled = $current })
            if ($want) { Enable-NetAdapterVmq -InputObject $vmq -NoRestart | Out-Null } else { Disable-NetAdapterVmq -InputObject $vmq -NoRestart | Out-Null }
            Complete-HvStep -Context $Context
        }
        'chimney' {
            Set-HvActivity -Context $Context -Step 'restore-chimney' -Cmdlet 'Get-NetOffloadGlobalSetting'
            $current = [string](Get-NetOffloadGlobalSetting).Chimney
            $out.previous = $current
            if (Test-HvSameText -A $current -B ([string]$original)) { $out.action = 'skipped'; $out.reason = ('already {0}' -f $original); return $out }
            Start-HvStep -Context $Context -Step 'restore-chimney' -Cmdlet 'Set-NetOffloadGlobalSetting' -Detail ('chimney {0} -> {1}' -f $current, $original) -Undo ([ordered]@{ action = 'restore-chimney'; value = $current })
            Set-NetOffloadGlobalSetting -Chimney ([string]$original) | Out-Null
            Complete-HvStep -Context $Context
        }
        default { throw (New-HvError -Message ("unknown recorded setting '{0}'" -f $setting) -Category 'InvalidData') }
    }
    return $out
}
