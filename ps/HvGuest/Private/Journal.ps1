# The run journal (docs/execution.md section 4): <vmRoot>\.hvguest\journal\<runId>.jsonl.
# Every mutating step is journaled BEFORE it runs, then marked done. Rollback undoes, in reverse,
# the done entries and a pending one whose effect exists; it never touches what existed before the
# run, because an entry is only written after the step's target was checked to be absent (a file,
# a VM name) or its previous value was read (a host setting).
#
# The journal is JSON Lines, appended one record at a time (Add-HvStateFileText: one write, flushed),
# so a step costs two small appends however long the run is. Rewriting the whole file twice per step
# made a 10-guest run's journal writes grow with the square of its steps (2.4 s of a 7 s run, measured
# in bench/README.md). The records, one per line:
#   {"run": {runId, startedAt, pid, processName, computer, vmRoot}}    the first line
#   {"entry": {seq, step, guest, detail, undo, done: false}}         before a step runs
#   {"done": seq, "undo": {...}}                                     after it ran; undo: what it learned (a vmId)
#   {"commit": {startedAt, guests}}                                  the commit mark
# A process killed while appending leaves at most a torn last line (no newline after it): the reader
# ignores it, which is right because the step it would have started or ended had not started, or is
# pending and checked for its effect. A journal written by an earlier hvguest, <runId>.json (one
# JSON document with entries[]), is still read, so that recover finishes a run killed before an upgrade.
#
# Workers (create --parallel N): the extra sessions of a run on one host each keep a journal of their
# own, <runId>.w<k>.jsonl (k = 2..N), for the guests that session creates; the lead session's
# <runId>.jsonl holds the lock, the host settings and its own guests. A worker never takes the lock
# (the lead took it for the run); whichever session ends the run's last journal on the host releases
# it, and recover finishes a run's workers before its lead (docs/execution.md section 4).

function Get-HvStateRoot { param([string]$VmRoot) return (Join-HvPath -Parent $VmRoot -Child '.hvguest') }
function Get-HvJournalDir { param([string]$VmRoot) return (Join-HvPath -Parent (Get-HvStateRoot -VmRoot $VmRoot) -Child 'journal') }
function Get-HvJournalPath {
    param([string]$VmRoot, [string]$RunId, [int]$Worker = 0)
    return (Join-HvPath -Parent (Get-HvJournalDir -VmRoot $VmRoot) -Child ((Get-HvRunKey -RunId $RunId -Worker $Worker) + '.jsonl'))
}
# A run's name in this session ($script:HvRuns) and its journal's file name: the run id, and for a
# worker the run id and .w<k>.
function Get-HvRunKey {
    param([string]$RunId, [int]$Worker = 0)
    if ($Worker -gt 0) { return ('{0}.w{1}' -f $RunId, $Worker) }
    return $RunId
}
# The worker a request names (create --parallel): 0 for the lead session, else 2..64.
function Get-HvRequestWorker {
    param($Request)
    $w = Get-HvField -Object $Request -Name 'worker' -Default 0
    if ($null -eq $w) { return 0 }
    $n = 0
    if (-not [int]::TryParse([string]$w, [ref]$n) -or ($n -ne 0 -and ($n -lt 2 -or $n -gt 64))) {
        throw (New-HvError -Step 'request' -Message ("worker '{0}' is not valid: a whole number from 2 to 64 (the lead session has none)" -f $w) -Category 'InvalidArgument')
    }
    return $n
}
# The journals of a run on the host but the given one (its lead's and its workers'): while any is
# left, the session ending its own journal leaves the lock to the run's last one.
function Get-HvOtherRunJournals {
    param([hashtable]$Run)
    $dir = Get-HvJournalDir -VmRoot $Run.VmRoot
    if (-not (Test-HvDirectory -Path $dir)) { return @() }
    $pattern = '^' + [regex]::Escape($Run.RunId) + '(\.w[0-9]+)?\.jsonl?$'
    # The runtime's own leaf name: JournalPath is a Windows path, which .NET on Linux (the emulator) does not split.
    $own = Get-HvLeafName -Path ([string]$Run.JournalPath)
    return @(Get-ChildItem -LiteralPath $dir -File -Force | Where-Object { $_.Name -match $pattern -and $_.Name -ne $own } | ForEach-Object { $_.Name })
}
# The whole-document journal of an earlier hvguest.
function Get-HvLegacyJournalPath { param([string]$VmRoot, [string]$RunId) return (Join-HvPath -Parent (Get-HvJournalDir -VmRoot $VmRoot) -Child ($RunId + '.json')) }
# Whether a file in the journal folder is a journal (either format).
function Test-HvJournalFileName { param([string]$Name) return ($Name -like '*.jsonl' -or $Name -like '*.json') }

# Where a later session finds a run's vmRoot when the request does not carry it (a session
# replaced after a timeout gets only {action: rollback, runId}).
function Get-HvRunPointerPath {
    param([string]$RunId)
    return [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'hvguest-runs', $RunId + '.vmroot')
}

function Set-HvRunPointer {
    param([string]$RunId, [string]$VmRoot)
    try {
        $p = Get-HvRunPointerPath -RunId $RunId
        [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($p))
        [System.IO.File]::WriteAllText($p, $VmRoot, (New-Object System.Text.UTF8Encoding($false)))
    } catch { }
}

function Get-HvRunPointer {
    param([string]$RunId)
    try {
        $p = Get-HvRunPointerPath -RunId $RunId
        if ([System.IO.File]::Exists($p)) { return [System.IO.File]::ReadAllText($p, [System.Text.Encoding]::UTF8) }
    } catch { }
    return $null
}

function Remove-HvRunPointer {
    param([string]$RunId)
    try {
        $p = Get-HvRunPointerPath -RunId $RunId
        if ([System.IO.File]::Exists($p)) { [System.IO.File]::Delete($p) }
    } catch { }
}

function New-HvJournal {
    param([string]$VmRoot, [string]$RunId, [int]$Worker = 0)
    $path = Get-HvJournalPath -VmRoot $VmRoot -RunId $RunId -Worker $Worker
    $journal = [ordered]@{
        runId       = $RunId
        startedAt   = Get-HvTimestamp
        pid         = $PID
        processName = Get-HvCurrentProcessName
        computer    = [System.Environment]::MachineName
        vmRoot      = $VmRoot
    }
    if ($Worker -gt 0) { $journal.worker = $Worker }
    $run = @{ RunId = $RunId; Worker = $Worker; VmRoot = $VmRoot; JournalPath = $path; LegacyPath = $null; Journal = $journal; Entries = (New-Object System.Collections.Generic.List[object]); Rewrite = $false }
    Save-HvJournal -Run $run
    return $run
}

# The run's journal written whole (atomically replaced): its first line, every entry as it stands
# now, and the commit mark. For a new journal, a rollback that keeps only its failed entries, and a
# journal whose last append failed or was torn (so that no torn line is ever followed by others).
function Save-HvJournal {
    param([hashtable]$Run)
    $header = [ordered]@{}
    foreach ($k in @($Run.Journal.Keys)) { if ($k -ne 'commit' -and $k -ne 'entries') { $header[$k] = $Run.Journal[$k] } }
    $lines = New-Object System.Collections.Generic.List[string]
    $lines.Add((ConvertTo-HvJson -Value ([ordered]@{ run = $header })))
    foreach ($e in $Run.Entries) { $lines.Add((ConvertTo-HvJson -Value ([ordered]@{ entry = $e }))) }
    $commit = Get-HvField -Object $Run.Journal -Name 'commit'
    if ($null -ne $commit) { $lines.Add((ConvertTo-HvJson -Value ([ordered]@{ commit = $commit }))) }
    Write-HvStateFile -Kind 'journal' -Path $Run.JournalPath -Text (($lines -join "`n") + "`n")
    $Run.Rewrite = $false
    # An earlier hvguest's journal, now written in this format: one journal per run.
    if ($null -ne $Run.LegacyPath) {
        [void](Remove-HvStateFile -Kind 'journal' -Path $Run.LegacyPath)
        $Run.LegacyPath = $null
    }
}

# The run's journal deleted (either format). Returns $true when a file was deleted.
function Remove-HvJournal {
    param([hashtable]$Run)
    $removed = Remove-HvStateFile -Kind 'journal' -Path $Run.JournalPath
    if ($null -ne $Run.LegacyPath) {
        if (Remove-HvStateFile -Kind 'journal' -Path $Run.LegacyPath) { $removed = $true }
        $Run.LegacyPath = $null
    }
    return $removed
}

# One record appended to the run's journal. After a failed or torn append the file is written whole
# instead, which also drops whatever part of a line the failure left.
function Add-HvJournalRecord {
    param([hashtable]$Run, [System.Collections.IDictionary]$Record)
    if ($Run.Rewrite) { Save-HvJournal -Run $Run; return }
    try {
        Add-HvStateFileText -Kind 'journal' -Path $Run.JournalPath -Text ((ConvertTo-HvJson -Value $Record) + "`n")
    } catch {
        $Run.Rewrite = $true
        throw
    }
}

function Add-HvJournalEntry {
    param([hashtable]$Run, [string]$Step, $Guest, $Detail, [System.Collections.IDictionary]$Undo)
    $seq = $Run.Entries.Count + 1
    $entry = [ordered]@{
        seq    = $seq
        step   = $Step
        guest  = $Guest
        detail = $(if ($null -eq $Detail) { $null } else { [string]$Detail })
        undo   = $Undo
        done   = $false
    }
    $Run.Entries.Add($entry)
    try { Add-HvJournalRecord -Run $Run -Record ([ordered]@{ entry = $entry }) } catch {
        # Not on disk, so the step must not run, and the entry is not the run's.
        [void]$Run.Entries.Remove($entry)
        throw
    }
    return $entry
}

# A journaled step finished: marked done, with what its undo learned while it ran ($UndoUpdate).
function Complete-HvJournalEntry {
    param([hashtable]$Run, [System.Collections.IDictionary]$Entry, [System.Collections.IDictionary]$UndoUpdate)
    if ($null -ne $UndoUpdate) { foreach ($k in @($UndoUpdate.Keys)) { $Entry.undo[$k] = $UndoUpdate[$k] } }
    $Entry.done = $true
    $record = [ordered]@{ done = $Entry.seq }
    if ($null -ne $UndoUpdate) { $record.undo = $UndoUpdate }
    Add-HvJournalRecord -Run $Run -Record $record
}

# A journal as the run it records: {RunId, VmRoot, JournalPath, Journal (the run's fields and its
# commit mark), Entries}. Reads both formats (see the top of this file).
function Open-HvJournal {
    param([string]$Path)
    $text = [System.IO.File]::ReadAllText((Get-HvProviderPath -Path $Path), [System.Text.Encoding]::UTF8)
    $legacyPath = $null
    $entries = New-Object System.Collections.Generic.List[object]
    $rewrite = $false
    if ($Path -like '*.json') {
        $journal = ConvertFrom-HvJsonText -Text $text
        foreach ($e in @(Get-HvField -Object $journal -Name 'entries' -Default @())) { $entries.Add($e) }
        $journal.Remove('entries')
        # Appends go to a journal of this format: the first write converts it.
        $rewrite = $true
        $legacyPath = $Path
        $Path = [System.IO.Path]::ChangeExtension($Path, '.jsonl')
    } else {
        $journal = $null
        $lines = $text.Split([char]10)
        # The text after the last newline is a torn append (or nothing): not part of the journal.
        $complete = $lines.Length - 1
        if ($lines[$complete].Trim().Length -gt 0) { $rewrite = $true }
        $bySeq = @{}
        for ($i = 0; $i -lt $complete; $i++) {
            $line = $lines[$i].Trim()
            if ($line.Length -eq 0) { continue }
            try { $record = ConvertFrom-HvJsonText -Text $line } catch {
                throw (New-HvError -Step 'journal' -Message ("the journal {0} is damaged at line {1}: {2}" -f $Path, ($i + 1), (Get-HvErrorMessage -ErrorRecord $_)) -Category 'InvalidData')
            }
            if ($null -eq $journal) {
                $journal = Get-HvField -Object $record -Name 'run'
                if ($null -eq $journal) { throw (New-HvError -Step 'journal' -Message ("the journal {0} does not start with its run" -f $Path) -Category 'InvalidData') }
                continue
            }
            if ($record.Contains('entry')) {
                $e = $record['entry']
                $entries.Add($e)
                $bySeq[[string](Get-HvField -Object $e -Name 'seq')] = $e
            } elseif ($record.Contains('done')) {
                $e = $bySeq[[string]$record['done']]
                if ($null -ne $e) {
                    $update = Get-HvField -Object $record -Name 'undo'
                    if ($null -ne $update) { foreach ($k in @($update.Keys)) { $e['undo'][$k] = $update[$k] } }
                    $e['done'] = $true
                }
            } elseif ($record.Contains('commit')) {
                $journal['commit'] = $record['commit']
            }
        }
        if ($null -eq $journal) { $journal = [ordered]@{}; $rewrite = $true }
    }
    # Every entry is a dictionary from here on: the walks over a run's entries index them directly
    # (Get-HvRunGuests). One that is not is a damaged journal, reported as such, not a crash later.
    foreach ($e in $entries) {
        if ($e -isnot [System.Collections.IDictionary]) {
            throw (New-HvError -Step 'journal' -Message ("the journal {0} is damaged: an entry is not an object" -f $Path) -Category 'InvalidData')
        }
    }
    $runId = [string](Get-HvField -Object $journal -Name 'runId')
    $vmRoot = [string](Get-HvField -Object $journal -Name 'vmRoot')
    $worker = 0
    [void][int]::TryParse([string](Get-HvField -Object $journal -Name 'worker' -Default 0), [ref]$worker)
    return @{ RunId = $runId; Worker = $worker; VmRoot = $vmRoot; JournalPath = $Path; LegacyPath = $legacyPath; Journal = $journal; Entries = $entries; Rewrite = $rewrite }
}

# The run this request belongs to: known to this session, or found again through its journal
# (a replaced session). $Create makes a new one (begin).
function Resolve-HvRun {
    param([string]$RunId, $VmRoot, [int]$Worker = 0, [switch]$AllowMissing)
    $key = Get-HvRunKey -RunId $RunId -Worker $Worker
    if ($script:HvRuns.ContainsKey($key)) { return $script:HvRuns[$key] }
    if ([string]::IsNullOrEmpty([string]$VmRoot)) { $VmRoot = Get-HvRunPointer -RunId $RunId }
    if ([string]::IsNullOrEmpty([string]$VmRoot)) {
        if ($AllowMissing) { return $null }
        throw (New-HvError -Step 'journal' -Message ("run {0} is not active in this session (its begin failed, or it was committed or rolled back), and the request carries no vmRoot to find its journal" -f $RunId) -Category 'ObjectNotFound')
    }
    $path = Get-HvJournalPath -VmRoot ([string]$VmRoot) -RunId $RunId -Worker $Worker
    # A run an earlier hvguest began (killed before an upgrade) has its journal in that format.
    if ($Worker -eq 0 -and -not (Test-HvFile -Path $path)) {
        $legacy = Get-HvLegacyJournalPath -VmRoot ([string]$VmRoot) -RunId $RunId
        if (Test-HvFile -Path $legacy) { $path = $legacy }
    }
    if (-not (Test-HvFile -Path $path)) {
        if ($AllowMissing) { return @{ RunId = $RunId; Worker = $Worker; VmRoot = [string]$VmRoot; JournalPath = $path; Journal = $null; Entries = $null } }
        throw (New-HvError -Step 'journal' -Message ("run {0} has no journal under {1}: begin it first" -f $RunId, (Get-HvJournalDir -VmRoot ([string]$VmRoot))) -Category 'ObjectNotFound')
    }
    $run = Open-HvJournal -Path $path
    if ([string]::IsNullOrEmpty($run.VmRoot)) { $run.VmRoot = [string]$VmRoot }
    $run.Worker = $Worker
    $script:HvRuns[$key] = $run
    return $run
}

# ---- a run's start, and its undoing when the request that started it fails: the host lock
# (Lock.ps1), the journal and the run pointer, in that order. begin, net-apply / net-restore,
# lab-teardown and probe start their runs here; commit, rollback and recover end them.

# What Start-HvRun has done so far, for Undo-HvRunStart: Locked once the lock is this request's to
# release, Run once the journal exists.
function New-HvRunStart {
    [CmdletBinding()]
    param([string]$RunId, [string]$VmRoot)
    return @{ RunId = $RunId; VmRoot = $VmRoot; Locked = $false; Run = $null }
}

<#
Takes the host lock for the run (waiting up to $TimeoutSeconds), writes its journal and its run
pointer, and makes it the request's run ($Context.Run). $Started (New-HvRunStart) records how far
it got, so that the caller's failure handling (Undo-HvRunStart) undoes exactly that.
-RefuseBegun: a run id that has begun already, in this session or on this host (its journal
exists), is refused (begin: Node gives each run one begin per host).
-ReportProgress: the lock and journal steps are progress lines (begin; net-apply and net-restore
report only their settings).
#>
function Start-HvRun {
    [CmdletBinding()]
    param([hashtable]$Context, [hashtable]$Started, [double]$TimeoutSeconds, [switch]$RefuseBegun, [switch]$ReportProgress)
    $runId = $Started.RunId
    $vmRoot = $Started.VmRoot
    if ($RefuseBegun -and $script:HvRuns.ContainsKey($runId)) {
        throw (New-HvError -Step 'begin' -Message ("run {0} has already begun in this session" -f $runId) -Category 'InvalidOperation')
    }
    Set-HvActivity -Context $Context -Step 'lock' -Cmdlet $null
    if ($ReportProgress) { Write-HvProgress -Context $Context -Step 'lock' -Detail (Get-HvLockPath -VmRoot $vmRoot) }
    $taken = Enter-HvLock -VmRoot $vmRoot -RunId $runId -TimeoutSeconds $TimeoutSeconds -Step 'lock'
    if ($RefuseBegun -and -not $taken -and ((Test-HvFile -Path (Get-HvJournalPath -VmRoot $vmRoot -RunId $runId)) -or (Test-HvFile -Path (Get-HvLegacyJournalPath -VmRoot $vmRoot -RunId $runId)))) {
        throw (New-HvError -Step 'begin' -Message ("run {0} has already begun on this host (its journal exists)" -f $runId) -Category 'InvalidOperation')
    }
    $Started.Locked = $true
    Set-HvActivity -Context $Context -Step 'journal' -Cmdlet 'New-Item'
    $Started.Run = New-HvJournal -VmRoot $vmRoot -RunId $runId
    $script:HvRuns[$runId] = $Started.Run
    Set-HvRunPointer -RunId $runId -VmRoot $vmRoot
    $Context.Run = $Started.Run
    if ($ReportProgress) { Write-HvProgress -Context $Context -Step 'journal' -Detail $Started.Run.JournalPath }
}

<#
A worker's start (create --parallel N: the run's session k of a host, k = 2..N). The lead session's
begin took the host lock for the run; a worker writes a journal of its own, <runId>.w<k>.jsonl, for
the guests it creates, and takes nothing else (no lock, no host settings, no run pointer). Refused
when the lock is not the run's (the lead has not begun, or the run has ended) or the worker has begun.
#>
function Start-HvWorkerRun {
    [CmdletBinding()]
    param([hashtable]$Context, [hashtable]$Started, [int]$Worker)
    $runId = $Started.RunId
    $vmRoot = $Started.VmRoot
    Set-HvActivity -Context $Context -Step 'lock' -Cmdlet $null
    if (-not (Test-HvLockHeldBy -VmRoot $vmRoot -RunId $runId)) {
        throw (New-HvError -Step 'begin' -Message ("worker {0} of run {1} cannot begin: the host lock is not the run's (held by {2}); the run's lead session begins first" -f $Worker, $runId, (Format-HvLockHolder -Lock (Read-HvLock -VmRoot $vmRoot))) -Category 'ResourceUnavailable')
    }
    $key = Get-HvRunKey -RunId $runId -Worker $Worker
    if ($script:HvRuns.ContainsKey($key) -or (Test-HvFile -Path (Get-HvJournalPath -VmRoot $vmRoot -RunId $runId -Worker $Worker))) {
        throw (New-HvError -Step 'begin' -Message ("worker {0} of run {1} has already begun (its journal exists)" -f $Worker, $runId) -Category 'InvalidOperation')
    }
    Set-HvActivity -Context $Context -Step 'journal' -Cmdlet 'New-Item'
    $Started.Run = New-HvJournal -VmRoot $vmRoot -RunId $runId -Worker $Worker
    $script:HvRuns[$key] = $Started.Run
    $Context.Run = $Started.Run
    Write-HvProgress -Context $Context -Step 'journal' -Detail $Started.Run.JournalPath
}

# A session's end of its part of a run (commit or rollback) releases the host lock when no other
# journal of the run is left: alone, or as the last of its lead and workers (create --parallel; a
# worker whose undo failed keeps its journal, and the lock stays with it for recover).
function Exit-HvRunLock {
    param([hashtable]$Run)
    if (@(Get-HvOtherRunJournals -Run $Run).Count -gt 0) { return $false }
    return (Exit-HvLock -VmRoot $Run.VmRoot -RunId $Run.RunId)
}

# The run is no longer this session's; the lead's run pointer goes with it.
function Remove-HvSessionRun {
    param([hashtable]$Run, [switch]$KeepPointer)
    $key = Get-HvRunKey -RunId $Run.RunId -Worker ([int]$Run.Worker)
    if ($script:HvRuns.ContainsKey($key)) { $script:HvRuns.Remove($key) }
    if (-not $KeepPointer -and [int]$Run.Worker -eq 0) { Remove-HvRunPointer -RunId $Run.RunId }
}

<#
After a failure: puts back what the run's journal says this request did (Complete-HvRollback,
which also deletes the journal and releases the lock), or, when there is no journal yet, releases
the lock. The failing step stays the one reported ($Context.Step and .Cmdlet are kept).
Returns the rollback's answer data: {runId, rolledBack}; {runId, rolledBack: null, rollbackError}
when putting back failed (the journal and lock are then left for recover); $null when there was
nothing to roll back.
#>
function Undo-HvRunStart {
    [CmdletBinding()]
    param([hashtable]$Context, [hashtable]$Started)
    # A worker's start never takes the lock; what it started is its journal.
    if (-not $Started.Locked -and $null -eq $Started.Run) { return $null }
    $step = $Context.Step
    $cmdlet = $Context.Cmdlet
    $outcome = $null
    try {
        if ($null -ne $Started.Run) {
            $outcome = [ordered]@{ runId = $Started.RunId; rolledBack = (Complete-HvRollback -Run $Started.Run -Context $Context) }
        } else {
            [void](Exit-HvLock -VmRoot $Started.VmRoot -RunId $Started.RunId)
            Remove-HvRunPointer -RunId $Started.RunId
        }
    } catch {
        $outcome = [ordered]@{ runId = $Started.RunId; rolledBack = $null; rollbackError = (Get-HvErrorMessage -ErrorRecord $_) }
    }
    $Context.Step = $step
    $Context.Cmdlet = $cmdlet
    return $outcome
}

# ---- steps: progress line + journal entry before, done after.

function Set-HvActivity {
    param([hashtable]$Context, [string]$Step, [string]$Cmdlet)
    $Context.Step = $Step
    $Context.Cmdlet = $Cmdlet
}

function Start-HvStep {
    param([hashtable]$Context, [string]$Step, [string]$Cmdlet, $Detail, [System.Collections.IDictionary]$Undo)
    Set-HvActivity -Context $Context -Step $Step -Cmdlet $Cmdlet
    if ($null -eq $Undo) { $Undo = [ordered]@{ action = 'none' } }
    $Context.Entry = $null
    if ($null -ne $Context.Run -and $null -ne $Context.Run.Entries) {
        $Context.Entry = Add-HvJournalEntry -Run $Context.Run -Step $Step -Guest $Context.Guest -Detail $Detail -Undo $Undo
    }
    $Context.Steps = $Context.Steps + 1
    Write-HvProgress -Context $Context -Step $Step -Detail $Detail
}

function Complete-HvStep {
    param([hashtable]$Context, [System.Collections.IDictionary]$UndoUpdate)
    $entry = $Context.Entry
    if ($null -ne $entry) { Complete-HvJournalEntry -Run $Context.Run -Entry $entry -UndoUpdate $UndoUpdate }
    $Context.Entry = $null
    $Context.Step = $null
    $Context.Cmdlet = $null
}

# ---- undo

# Performs one entry's undo. $Pending: the step was started but not seen to finish, so its effect
# is checked first. Returns a short text of what was done (or why nothing was needed).
function Invoke-HvUndo {
    param($Entry, [bool]$Pending)
    $undo = Get-HvField -Object $Entry -Name 'undo'
    $action = [string](Get-HvField -Object $undo -Name 'action' -Default 'none')
    # A host setting (jumbo frames, VMQ, TCP Chimney) is put back by its one restore (HostSettings.ps1).
    if ($null -ne (Get-HvHostSettingKindName -UndoAction $action)) { return (Restore-HvHostSetting -Undo $undo) }
    # A lab's switch, address, NAT and record (Lab.ps1).
    if (Test-HvLabUndoAction -Action $action) { return (Invoke-HvLabUndo -Undo $undo -Pending $Pending) }
    switch ($action) {
        'none' { return 'nothing to undo' }
        'remove-vm' {
            $vmId = [string](Get-HvField -Object $undo -Name 'vmId' -Default '')
            $targets = @()
            if ($vmId.Length -gt 0) {
                $vm = Find-HvVMById -VMId $vmId
                if ($null -ne $vm) { $targets = @($vm) }
            } else {
                # New-VM did not report back: any VM of that name is the one it made (the name was
                # checked free, under the host lock, just before).
                $name = [string](Get-HvField -Object $undo -Name 'name' -Default '')
                if ($name.Length -gt 0) { $targets = @(Find-HvVMByName -Name $name) }
            }
            if ($targets.Count -eq 0) { return 'the VM is already gone' }
            foreach ($vm in $targets) { Remove-HvVirtualMachine -VM $vm }
            return ('removed VM {0}' -f (@($targets | ForEach-Object { [string]$_.Name }) -join ', '))
        }
        'remove-file' {
            $path = [string](Get-HvField -Object $undo -Name 'path')
            if (-not (Test-HvFile -Path $path)) { return 'the file is already gone' }
            Remove-Item -LiteralPath $path -Force
            return ('deleted {0}' -f $path)
        }
        'remove-dir' {
            $path = [string](Get-HvField -Object $undo -Name 'path')
            if (-not (Test-HvDirectory -Path $path)) { return 'the folder is already gone' }
            if (-not (Test-HvDirectoryHasNoFiles -Path $path)) { return ('kept {0}: it holds files this run did not create' -f $path) }
            Remove-Item -LiteralPath $path -Recurse -Force
            return ('removed folder {0}' -f $path)
        }
        'dismount-vhd' {
            $path = [string](Get-HvField -Object $undo -Name 'path')
            $attached = $true
            try { $attached = [bool](Get-HvField -Object (Get-VHD -Path $path) -Name 'Attached' -Default $true) } catch { $attached = $true }
            if (-not $attached) { return 'the disk is not mounted' }
            try {
                Dismount-VHD -Path $path | Out-Null
            } catch {
                if ($Pending) { return ('not mounted: {0}' -f (Get-HvErrorMessage -ErrorRecord $_)) }
                throw
            }
            return ('dismounted {0}' -f $path)
        }
        'restart-adapter' {
            # Journaled before the adapter's first change (Register-HvAdapterChange), so undone after its restores.
            $adapter = [string](Get-HvField -Object $undo -Name 'adapter')
            Restart-NetAdapter -Name ([System.Management.Automation.WildcardPattern]::Escape($adapter)) | Out-Null
            return ('restarted adapter {0}' -f $adapter)
        }
        'remove-dvd-drive' {
            $drive = Find-HvDvdDriveAt -Undo $undo
            if ($null -eq $drive) { return 'the DVD drive is already gone' }
            Remove-VMDvdDrive -VMDvdDrive $drive | Out-Null
            return ('removed the DVD drive at {0} {1}:{2}' -f $drive.ControllerType, $drive.ControllerNumber, $drive.ControllerLocation)
        }
        'set-dvd-media' {
            # Puts back the media a drive held before (null = empty).
            $drive = Find-HvDvdDriveAt -Undo $undo
            if ($null -eq $drive) { throw (New-HvError -Cmdlet 'Get-VMDvdDrive' -Message 'the DVD drive whose media this run changed is gone' -Category 'ObjectNotFound') }
            $previous = [string](Get-HvField -Object $undo -Name 'path' -Default '')
            if (Test-HvSameText -A ([string]$drive.Path) -B $previous) { return 'the DVD drive already holds its previous media' }
            # ic inject --seed deletes a replaced seed that carried a secret as its last step: gone, so the drive is left empty
            if ($previous.Length -gt 0 -and -not (Test-HvFile -Path $previous)) {
                Set-VMDvdDrive -VMDvdDrive $drive -Path $null | Out-Null
                return ('{0} is deleted: the DVD drive is left empty' -f $previous)
            }
            if ($previous.Length -eq 0) { Set-VMDvdDrive -VMDvdDrive $drive -Path $null | Out-Null } else { Set-VMDvdDrive -VMDvdDrive $drive -Path $previous | Out-Null }
            return ('put back the DVD media {0}' -f $(if ($previous.Length -eq 0) { '(empty)' } else { $previous }))
        }
        'remove-cluster-role' {
            # Only the role: the VM is its own earlier step, undone after this one.
            $vmId = [string](Get-HvField -Object $undo -Name 'vmId' -Default '')
            $role = $(if ($vmId.Length -gt 0) { Find-HvClusterRole -VMId $vmId } else { $null })
            if ($null -eq $role) { return 'the cluster role is already gone' }
            Remove-HvClusterRole -Role $role
            return ('removed cluster role {0}' -f [string]$role.Name)
        }
        # remove-seed-media (SeedMedia.ps1): only while the media file is still there.
        'reattach-seed-media' { return (Invoke-HvReattachSeedMedia -Undo $undo) }
        'restore-seed-manifest' { return (Invoke-HvRestoreSeedManifest -Undo $undo) }
        default { throw (New-HvError -Message ("unknown undo action '{0}'" -f $action) -Category 'InvalidData') }
    }
}

# The DVD drive an undo entry names ({vmId, controllerNumber, controllerLocation}), or $null.
function Find-HvDvdDriveAt {
    param($Undo)
    $vm = Find-HvVMById -VMId ([string](Get-HvField -Object $Undo -Name 'vmId' -Default ''))
    if ($null -eq $vm) { return $null }
    $number = [int](Get-HvField -Object $Undo -Name 'controllerNumber' -Default -1)
    $location = [int](Get-HvField -Object $Undo -Name 'controllerLocation' -Default -1)
    foreach ($d in @(Select-HvObject -InputObject @(Get-VMDvdDrive -VM $vm) -Property 'ControllerType')) {
        if ([int]$d.ControllerNumber -eq $number -and [int]$d.ControllerLocation -eq $location) { return $d }
    }
    return $null
}

function Get-HvUndoCmdlet {
    param([string]$Action)
    $hostSetting = Get-HvHostSettingUndoCmdlet -UndoAction $Action
    if ($null -ne $hostSetting) { return $hostSetting }
    if (Test-HvLabUndoAction -Action $Action) { return (Get-HvLabUndoCmdlet -Action $Action) }
    switch ($Action) {
        'remove-vm' { return 'Remove-VM' }
        'remove-file' { return 'Remove-Item' }
        'remove-dir' { return 'Remove-Item' }
        'dismount-vhd' { return 'Dismount-VHD' }
        'restart-adapter' { return 'Restart-NetAdapter' }
        'remove-dvd-drive' { return 'Remove-VMDvdDrive' }
        'set-dvd-media' { return 'Set-VMDvdDrive' }
        'reattach-seed-media' { return 'Set-VMDvdDrive' }
        'restore-seed-manifest' { return $null }
        'remove-cluster-role' { return 'Remove-ClusterGroup' }
        default { return $null }
    }
}

# Stops (hard) and deletes a VM. Its disks are separate journal entries or manifest files.
function Remove-HvVirtualMachine {
    param($VM)
    $state = [string](Get-HvField -Object $VM -Name 'State' -Default 'Off')
    if (-not (Test-HvSameText -A $state -B 'Off')) {
        Stop-VM -VM $VM -TurnOff -Force | Out-Null
    }
    Remove-VM -VM $VM -Force | Out-Null
}

# Undoes a run in reverse. Every entry is tried; a failing one is reported and the rest still run.
# Returns @{ undone = [...]; errors = [...]; failedEntries = List }.
function Invoke-HvJournalRollback {
    param([hashtable]$Run, [hashtable]$Context)
    $undone = New-Object System.Collections.Generic.List[object]
    $errors = New-Object System.Collections.Generic.List[object]
    $failed = New-Object System.Collections.Generic.List[object]
    $entries = @($Run.Entries.ToArray())
    [array]::Reverse($entries)
    foreach ($entry in $entries) {
        $done = Test-HvTrue (Get-HvField -Object $entry -Name 'done')
        $undo = Get-HvField -Object $entry -Name 'undo'
        $action = [string](Get-HvField -Object $undo -Name 'action' -Default 'none')
        if ($action -eq 'none') { continue }
        $step = [string](Get-HvField -Object $entry -Name 'step')
        $seq = Get-HvField -Object $entry -Name 'seq'
        if ($null -ne $Context) {
            $saved = $Context.Guest
            $Context.Guest = Get-HvField -Object $entry -Name 'guest'
            $Context.Cmdlet = Get-HvUndoCmdlet -Action $action
            Write-HvProgress -Context $Context -Step ('undo-' + $action) -Detail (Get-HvField -Object $entry -Name 'detail')
            $Context.Guest = $saved
        }
        try {
            $what = Invoke-HvUndo -Entry $entry -Pending (-not $done)
            $undone.Add([ordered]@{ seq = $seq; step = $step; guest = (Get-HvField -Object $entry -Name 'guest'); action = $action; ok = $true; message = $what })
        } catch {
            $message = Get-HvErrorMessage -ErrorRecord $_
            $cmdlet = Get-HvUndoCmdlet -Action $action
            $undone.Add([ordered]@{ seq = $seq; step = $step; guest = (Get-HvField -Object $entry -Name 'guest'); action = $action; ok = $false; cmdlet = $cmdlet; message = $message })
            $errors.Add(('undo of step {0} ({1}, {2}) failed: {3}' -f $seq, $step, $action, $message))
            $failed.Add($entry)
        }
    }
    return @{ undone = $undone.ToArray(); errors = $errors.ToArray(); failedEntries = $failed }
}

# Rolls a run back and cleans up after it: the journal is deleted when every undo succeeded, and
# otherwise keeps only the entries that failed (so that recover can try them again).
function Complete-HvRollback {
    param([hashtable]$Run, [hashtable]$Context)
    $r = Invoke-HvJournalRollback -Run $Run -Context $Context
    $journalKept = $false
    if ($r.failedEntries.Count -eq 0) {
        [void](Remove-HvJournal -Run $Run)
    } else {
        $keep = New-Object System.Collections.Generic.List[object]
        $failedEntries = $r.failedEntries.ToArray()
        [array]::Reverse($failedEntries)
        foreach ($e in $failedEntries) { $keep.Add($e) }
        $Run.Entries = $keep
        Save-HvJournal -Run $Run
        $journalKept = $true
    }
    $lockReleased = Exit-HvRunLock -Run $Run
    Remove-HvSessionRun -Run $Run -KeepPointer:$journalKept
    return [ordered]@{
        runId        = $Run.RunId
        undone       = $r.undone
        errors       = $r.errors
        journalKept  = $journalKept
        journal      = $(if ($journalKept) { $Run.JournalPath } else { $null })
        lockReleased = $lockReleased
    }
}

# ---- actions

function Invoke-HvRollbackAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run to roll back')
    $Context.RunId = $runId
    $run = Resolve-HvRun -RunId $runId -VmRoot (Get-HvField -Object $Request -Name 'vmRoot') -Worker (Get-HvRequestWorker -Request $Request) -AllowMissing
    if ($null -eq $run) {
        $Context.Data = [ordered]@{ runId = $runId; undone = @(); errors = @(); journalKept = $false; journal = $null; lockReleased = $false; note = 'no journal for this run: nothing to undo' }
        return
    }
    if ($null -eq $run.Entries) {
        $released = Exit-HvRunLock -Run $run
        Remove-HvSessionRun -Run $run
        $Context.Data = [ordered]@{ runId = $runId; undone = @(); errors = @(); journalKept = $false; journal = $null; lockReleased = $released; note = 'no journal for this run: nothing to undo' }
        return
    }
    $data = Complete-HvRollback -Run $run -Context $Context
    $Context.Data = $data
    if (@($data.errors).Count -gt 0) {
        $Context.Failure = [ordered]@{
            step     = 'rollback'
            cmdlet   = $null
            message  = ('{0} undo step(s) failed; the journal keeps them for recover: {1}' -f @($data.errors).Count, (@($data.errors) -join '; '))
            category = 'InvalidOperation'
        }
    }
}

# ---- commit
#
# A commit has two halves. First the journal is marked (its `commit` field: when, and what the
# plan said of each guest): from then on the run's guests are to be KEPT, and whoever finishes the
# run (a retried commit, or `recover` from any session) completes the commit instead of rolling
# back. Then the manifests and the host network record are written, the journal is deleted and
# the lock released. A failure before the mark leaves a run that rolls back as any other; a
# failure after it answers `data.committing: true` and leaves the journal, marked, and the lock.
# Every part of the second half can be done again, so a commit can be retried for the same run.

function Set-HvCommitMark {
    param([hashtable]$Run, $Guests)
    if ($null -ne (Get-HvField -Object $Run.Journal -Name 'commit')) { return }
    $Run.Journal['commit'] = [ordered]@{ startedAt = Get-HvTimestamp; guests = $Guests }
    try { Add-HvJournalRecord -Run $Run -Record ([ordered]@{ commit = $Run.Journal['commit'] }) } catch {
        # Not on disk, so not marked: a later attempt must write the mark again.
        $Run.Journal.Remove('commit')
        throw
    }
}

# The guests a run created, from its journal's done entries: their VM (remove-vm entries) and the
# files and folders made for them, by guest name. Entries are dictionaries (Add-HvJournalEntry
# makes them, Open-HvJournal reads them as such) and are indexed directly: this walks every entry
# of the run, about 37 per guest, and a Get-HvField call for each field made it most of a 10-guest
# commit (bench/README.md).
function Get-HvRunGuests {
    param([hashtable]$Run)
    $guests = [ordered]@{}
    foreach ($e in $Run.Entries) {
        if ($e['done'] -ne $true) { continue }
        $guest = [string]$e['guest']
        if ($guest.Length -eq 0) { continue }
        if (-not $guests.Contains($guest)) { $guests[$guest] = @{ vmId = $null; files = [System.Collections.Generic.List[string]]::new(); directories = [System.Collections.Generic.List[string]]::new() } }
        $undo = $e['undo']
        if ($null -eq $undo) { continue }
        switch ([string]$undo['action']) {
            'remove-vm' { $guests[$guest].vmId = [string]$undo['vmId'] }
            'remove-file' { $guests[$guest].files.Add([string]$undo['path']) }
            'remove-dir' { $guests[$guest].directories.Add([string]$undo['path']) }
        }
    }
    return $guests
}

# The second half of a commit (the journal is marked). Returns the commit's data.
function Complete-HvCommit {
    param([hashtable]$Context, [hashtable]$Run)
    $runId = $Run.RunId
    $mark = Get-HvField -Object $Run.Journal -Name 'commit'
    # What the plan said of each guest (template, OS, integration, first boot), kept for
    # `ic status` / `ic inject`; sent by the caller, stored as data.
    $planned = Get-HvField -Object $mark -Name 'guests' -Default $null
    $guests = Get-HvRunGuests -Run $Run
    $written = New-Object System.Collections.Generic.List[object]
    foreach ($name in $guests.Keys) {
        $g = $guests[$name]
        if ([string]::IsNullOrEmpty($g.vmId)) { continue }
        $plannedGuest = $(if ($null -ne $planned) { Get-HvField -Object $planned -Name $name } else { $null })
        $createdAt = [string](Get-HvField -Object $mark -Name 'startedAt' -Default (Get-HvTimestamp))
        $manifest = New-HvManifest -Name $name -VMId $g.vmId -RunId $runId -CreatedAt $createdAt -Files $g.files.ToArray() -Directories $g.directories.ToArray() -Guest $plannedGuest
        $path = Get-HvManifestPath -VmRoot $Run.VmRoot -VMId $g.vmId
        if ($null -ne $Context) {
            Set-HvActivity -Context $Context -Step 'write-manifest' -Cmdlet $null
            Write-HvProgress -Context $Context -Step 'write-manifest' -Detail $path
        }
        Save-HvManifest -Path $path -Manifest $manifest
        $written.Add([ordered]@{ name = $name; vmId = $g.vmId; manifest = $path; files = $g.files.ToArray() })
    }
    # Host network values the run changed (the lead's begin) join the record `hvguest net restore` reads.
    if ([int]$Run.Worker -eq 0) { [void](Save-HvNetOriginals -Context $Context -VmRoot $Run.VmRoot -Changed @(Get-HvJournalHostSettings -Run $Run)) }
    [void](Remove-HvJournal -Run $Run)
    $released = Exit-HvRunLock -Run $Run
    Remove-HvSessionRun -Run $Run
    return [ordered]@{ runId = $runId; committing = $true; committed = $true; guests = $written.ToArray(); lockReleased = $released }
}

# True when a manifest on the host names this run: its commit wrote them.
function Test-HvRunCommitted {
    param([string]$VmRoot, [string]$RunId)
    foreach ($m in @(Get-HvManifests -VmRoot $VmRoot)) {
        if ([string](Get-HvField -Object $m -Name 'runId' -Default '') -eq $RunId) { return $true }
    }
    return $false
}

function Invoke-HvCommitAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run to commit')
    $Context.RunId = $runId
    $worker = Get-HvRequestWorker -Request $Request
    $run = Resolve-HvRun -RunId $runId -VmRoot (Get-HvField -Object $Request -Name 'vmRoot') -Worker $worker -AllowMissing
    if ($null -eq $run) { $run = Resolve-HvRun -RunId $runId -VmRoot $null -Worker $worker }  # throws: no vmRoot to find it by
    if ($null -eq $run.Entries) {
        # No journal: a retry after the commit had deleted it (the lock may still be held), or a
        # run that was rolled back or never begun.
        Set-HvActivity -Context $Context -Step 'commit' -Cmdlet $null
        if (-not (Test-HvRunCommitted -VmRoot $run.VmRoot -RunId $runId)) {
            throw (New-HvError -Step 'commit' -Message ("run {0} has no journal under {1} and no guest manifest: it was rolled back, or never begun" -f $runId, (Get-HvJournalDir -VmRoot $run.VmRoot)) -Category 'ObjectNotFound')
        }
        $released = Exit-HvRunLock -Run $run
        Remove-HvSessionRun -Run $run
        $Context.Data = [ordered]@{ runId = $runId; committing = $true; committed = $true; guests = @(); lockReleased = $released; note = 'the run was committed already' }
        return
    }
    Set-HvActivity -Context $Context -Step 'commit-mark' -Cmdlet $null
    Set-HvCommitMark -Run $run -Guests (Get-HvField -Object $Request -Name 'guests' -Default $null)
    # From here on a failure is reported with committing: true (the guests are kept).
    $Context.Data = [ordered]@{ runId = $runId; committing = $true; committed = $false }
    # prepare: only the mark (a run over several hosts marks every host before completing any).
    if (Test-HvTrue (Get-HvField -Object $Request -Name 'prepare')) { return }
    $Context.Data = Complete-HvCommit -Context $Context -Run $run
}
