# The per-host lock (docs/execution.md section 4): <vmRoot>\.hvguest\lock, created with
# FileMode.CreateNew (atomic: of two runs, exactly one creates it), holding {runId, pid, since}.

function Get-HvLockPath { param([string]$VmRoot) return (Join-HvPath -Parent (Get-HvStateRoot -VmRoot $VmRoot) -Child 'lock') }

function Read-HvLock {
    param([string]$VmRoot)
    $path = Get-HvLockPath -VmRoot $VmRoot
    if (-not (Test-HvFile -Path $path)) { return $null }
    try { return (Read-HvJsonFile -Path $path) } catch { return [ordered]@{ runId = $null; pid = $null; since = $null; unreadable = $true } }
}

function Format-HvLockHolder {
    param($Lock)
    if ($null -eq $Lock) { return 'nobody' }
    $lockPid = Get-HvField -Object $Lock -Name 'pid'
    $alive = Test-HvProcessAlive -ProcessId $lockPid -ProcessName ([string](Get-HvField -Object $Lock -Name 'processName'))
    $text = "run {0} (pid {1}, since {2})" -f (Get-HvField -Object $Lock -Name 'runId' -Default '?'), $lockPid, (Get-HvField -Object $Lock -Name 'since' -Default '?')
    if (-not $alive) { $text += "; that process is gone: run 'hvguest recover' for this host to finish undoing it and free the lock" }
    return $text
}

# Takes the lock for $RunId, waiting up to $TimeoutSeconds. Returns $true when newly taken,
# $false when this run already held it. Throws (with who holds it) on timeout.
function Enter-HvLock {
    param([string]$VmRoot, [string]$RunId, [double]$TimeoutSeconds, [string]$Step = 'lock')
    $path = Get-HvLockPath -VmRoot $VmRoot
    $content = ConvertTo-HvJson -Value ([ordered]@{ runId = $RunId; pid = $PID; processName = (Get-HvCurrentProcessName); computer = [System.Environment]::MachineName; since = (Get-HvTimestamp) })
    $bytes = (New-Object System.Text.UTF8Encoding($false)).GetBytes($content)
    $deadline = [DateTime]::UtcNow.AddSeconds([Math]::Max(0, $TimeoutSeconds))
    while ($true) {
        if (New-HvStateFileExclusive -Kind 'lock' -Path $path -Bytes $bytes) { return $true }
        # Exists: ours already, or another run's.
        $holder = Read-HvLock -VmRoot $VmRoot
        if ($null -ne $holder -and [string](Get-HvField -Object $holder -Name 'runId') -eq $RunId) { return $false }
        if ($null -eq $holder) { continue }  # released between our attempt and the read: try again now
        if ([DateTime]::UtcNow -ge $deadline) {
            throw (New-HvError -Step $Step -Message ("the host is locked by {0}; waited {1} s for it (lock file {2})" -f (Format-HvLockHolder -Lock $holder), $TimeoutSeconds, $path) -Category 'ResourceBusy')
        }
        Start-Sleep -Milliseconds 200
    }
}

# Releases the lock if this run holds it. Returns $true when released.
function Exit-HvLock {
    param([string]$VmRoot, [string]$RunId)
    $lock = Read-HvLock -VmRoot $VmRoot
    if ($null -eq $lock) { return $false }
    if ([string](Get-HvField -Object $lock -Name 'runId') -ne $RunId) { return $false }
    return (Remove-HvStateFile -Kind 'lock' -Path (Get-HvLockPath -VmRoot $VmRoot))
}

function Test-HvLockHeldBy {
    param([string]$VmRoot, [string]$RunId)
    $lock = Read-HvLock -VmRoot $VmRoot
    return ($null -ne $lock -and [string](Get-HvField -Object $lock -Name 'runId') -eq $RunId)
}
