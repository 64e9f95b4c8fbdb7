# net-apply and net-restore (`hvguest net apply`, `hvguest net restore`): a hardware profile's
# host-level defaults applied on their own, outside a create. The values a setting had before
# hvguest first changed it are kept on the host in <vmRoot>\.hvguest\net\host-network.json, so
# that `net restore` can put them back from any machine, and a second apply (which changes
# nothing when everything is already right) never overwrites them with hvguest's own values.
# Both run like a create: host lock, journal (Start-HvRun, Journal.ps1), and on a failure halfway
# every change of the request is undone (Undo-HvRunStart). Every setting is changed and put back
# through Set-HvHostSetting / Restore-HvHostSetting (HostSettings.ps1).

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
# the change (Complete-HvHostChange: journal deleted, lock released) or undoes it (Undo-HvHostChange).
function Start-HvHostChange {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run id')
    $Context.RunId = $runId
    $vmRoot = [string](Get-HvRequiredField -Object $Request -Name 'vmRoot' -What "the host's vmRoot")
    $timeout = [double](Get-HvField -Object $Request -Name 'lockTimeoutSeconds' -Default 60)
    $started = New-HvRunStart -RunId $runId -VmRoot $vmRoot
    try {
        Start-HvRun -Context $Context -Started $started -TimeoutSeconds $timeout
    } catch {
        Undo-HvHostChange -Context $Context -Change $started
        throw
    }
    return $started
}

function Complete-HvHostChange {
    param([hashtable]$Context, [hashtable]$Change)
    [void](Remove-HvJournal -Run $Change.Run)
    [void](Exit-HvLock -VmRoot $Change.VmRoot -RunId $Change.RunId)
    $script:HvRuns.Remove($Change.RunId)
    Remove-HvRunPointer -RunId $Change.RunId
}

# After a failure: puts back what the journal says this request did, releases the lock; the
# failing step stays the one reported. net-apply and net-restore answer a rollback that itself
# failed with their error alone (no rollbackError, unlike begin).
function Undo-HvHostChange {
    param([hashtable]$Context, [hashtable]$Change)
    $outcome = Undo-HvRunStart -Context $Context -Started $Change
    if ($null -ne $outcome -and -not $outcome.Contains('rollbackError')) { $Context.Data = $outcome }
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

# Takes out of the host's record the settings a lab teardown put back to the value the record
# holds (nothing is left for `net restore` to do for them), and those of the host's vEthernet
# adapter of a switch the teardown removed (the adapter is gone with it). The record is deleted
# when nothing is left in it, with its folder when that is empty, so that a lab's run and its
# teardown leave the host as they found it. $Restored: [{setting, adapter, keyword, value}].
function Remove-HvNetOriginals {
    param([hashtable]$Context, [string]$VmRoot, $Restored, $RemovedSwitches)
    $path = Get-HvNetRecordPath -VmRoot $VmRoot
    if (-not (Test-HvFile -Path $path)) { return }
    $all = @(Get-HvField -Object (Read-HvJsonFile -Path $path) -Name 'settings' -Default @())
    $goneAdapters = @(@($RemovedSwitches) | Where-Object { $null -ne $_ } | ForEach-Object { Get-HvSwitchHostAdapterName -SwitchName ([string]$_) })
    $kept = New-Object System.Collections.Generic.List[object]
    foreach ($r in $all) {
        if ($null -eq $r) { continue }
        $key = Get-HvNetSettingKey -Record $r
        $adapter = [string](Get-HvField -Object $r -Name 'adapter' -Default '')
        $drop = (@($goneAdapters | Where-Object { Test-HvSameText -A $_ -B $adapter }).Count -gt 0)
        foreach ($x in @($Restored)) {
            if ((Get-HvNetSettingKey -Record $x) -eq $key -and ([string](Get-HvField -Object $x -Name 'value')) -eq ([string](Get-HvField -Object $r -Name 'original'))) { $drop = $true }
        }
        if (-not $drop) { $kept.Add($r) }
    }
    if ($kept.Count -eq $all.Count) { return }
    if ($kept.Count -gt 0) {
        Set-HvActivity -Context $Context -Step 'write-net-record' -Cmdlet $null
        Write-HvStateFile -Kind 'net-record' -Path $path -Text (ConvertTo-HvJson -Value ([ordered]@{ settings = $kept.ToArray() }))
        return
    }
    Set-HvActivity -Context $Context -Step 'delete-net-record' -Cmdlet $null
    [void](Remove-HvStateFile -Kind 'net-record' -Path $path)
    $dir = Get-HvParentPath -Path $path
    if ((Test-HvDirectory -Path $dir) -and (Test-HvDirectoryHasNoFiles -Path $dir)) { Remove-Item -LiteralPath $dir -Recurse -Force }
}

# The host settings a run changed, from its journal (the undo records of begin's done steps), as
# Save-HvNetOriginals takes them.
function Get-HvJournalHostSettings {
    param($Run)
    foreach ($e in $Run.Entries) {
        # Entries are dictionaries (Open-HvJournal), indexed directly, and the kind is one lookup:
        # this walks every entry of the run (Get-HvRunGuests, Journal.ps1, says why).
        if ($e['done'] -ne $true) { continue }
        $undo = $e['undo']
        if ($null -eq $undo) { continue }
        switch ($script:HvHostSettingKindByUndo[[string]$undo['action']]) {
            'adapter-property' {
                $keyword = [string](Get-HvField -Object $undo -Name 'keyword')
                [ordered]@{ setting = $(if ($keyword -eq '*JumboPacket') { 'jumbo' } else { $keyword }); switch = $null; target = $null; adapter = (Get-HvField -Object $undo -Name 'adapter'); keyword = $keyword; previous = (Get-HvField -Object $undo -Name 'value') }
            }
            'vmq' { [ordered]@{ setting = 'vmq'; switch = $null; target = 'physical-nic'; adapter = (Get-HvField -Object $undo -Name 'adapter'); keyword = $null; previous = (Get-HvField -Object $undo -Name 'enabled') } }
            'chimney' { [ordered]@{ setting = 'chimney'; switch = $null; target = $null; adapter = $null; keyword = $null; previous = (Get-HvField -Object $undo -Name 'value') } }
        }
    }
}

# A net record's setting as the undo record that puts its original value back.
function ConvertTo-HvNetSettingUndo {
    param([string]$Setting, [string]$Adapter, [string]$Keyword, $Original)
    $target = @{ Adapter = $Adapter; Keyword = $Keyword }
    switch ($Setting) {
        'jumbo' { return (New-HvHostSettingUndo -Kind 'adapter-property' -Target $target -Value $Original) }
        'vmq' { return (New-HvHostSettingUndo -Kind 'vmq' -Target $target -Value $Original) }
        'chimney' { return (New-HvHostSettingUndo -Kind 'chimney' -Target $target -Value $Original) }
        default { throw (New-HvError -Message ("unknown recorded setting '{0}'" -f $Setting) -Category 'InvalidData') }
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
    $undo = ConvertTo-HvNetSettingUndo -Setting $setting -Adapter $adapter -Keyword $keyword -Original $original
    $result = Restore-HvHostSetting -Undo $undo -Context $Context -Step ('restore-' + $setting)
    $out.previous = $result.Previous
    if (-not $result.Changed) { $out.action = 'skipped'; $out.reason = ('already {0}' -f $result.Value) }
    return $out
}
