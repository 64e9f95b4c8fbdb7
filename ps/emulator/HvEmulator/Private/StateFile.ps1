# The state file: read on every call, written after every mutation (temp file + rename), guarded by
# a lock file that two pwsh processes on one state file use to serialise their read-modify-write.

$script:LockHeld = $false

function Get-StateFilePath {
    [CmdletBinding()]
    param()
    $path = $env:HVGUEST_EMULATOR_STATE
    if ([string]::IsNullOrEmpty($path)) {
        throw 'HVGUEST_EMULATOR_STATE is not set: call Initialize-HvEmulator -StateFile PATH first.'
    }
    if (-not [System.IO.File]::Exists($path)) {
        throw "The emulator state file '$path' (HVGUEST_EMULATOR_STATE) does not exist: create one with New-HvEmulatorState."
    }
    [System.IO.Path]::GetFullPath($path)
}

function Read-StateFile {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Path
    )
    $text = [System.IO.File]::ReadAllText($Path, [System.Text.UTF8Encoding]::new($false))
    # -DateKind String: a note that looks like a date stays the string it was.
    $state = ConvertFrom-Json -InputObject $text -AsHashtable -DateKind String -NoEnumerate
    [pscustomobject]@{ State = $state; Text = $text }
}

function ConvertTo-StateText {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary]
        $State
    )
    (ConvertTo-Json -InputObject $State -Depth 64) + "`n"
}

function Write-StateFile {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Path,

        [Parameter(Mandatory = $true)]
        [string]
        $Text
    )
    # Write beside the target, then rename over it: readers see the old or the new file, never half.
    $temp = '{0}.{1}.{2}.tmp' -f $Path, $PID, [guid]::NewGuid().ToString('N')
    try {
        [System.IO.File]::WriteAllText($temp, $Text, [System.Text.UTF8Encoding]::new($false))
        [System.IO.File]::Move($temp, $Path, $true)
    }
    finally {
        if ([System.IO.File]::Exists($temp)) { [System.IO.File]::Delete($temp) }
    }
}

function Enter-StateLock {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Path,

        [int]
        $TimeoutSeconds = 60
    )
    if ($script:LockHeld) {
        throw 'The emulator was re-entered while it held the state lock (an emulated cmdlet called from inside another).'
    }
    # An exclusive open (FileShare.None) is the lock: the OS drops it when the process dies, so a
    # killed run never leaves a stale lock behind. The file itself stays (it is tiny and empty).
    $lockPath = "$Path.lock"
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        try {
            $stream = [System.IO.File]::Open($lockPath, [System.IO.FileMode]::OpenOrCreate, [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None)
            $script:LockHeld = $true
            return $stream
        }
        catch [System.IO.IOException] {
            if ([DateTime]::UtcNow -gt $deadline) {
                throw "Timed out after $TimeoutSeconds s waiting for the emulator state lock '$lockPath'."
            }
            Start-Sleep -Milliseconds (Get-Random -Minimum 5 -Maximum 25)
        }
    }
}

function Exit-StateLock {
    [CmdletBinding()]
    param(
        [System.IO.Stream]
        $Stream
    )
    if ($Stream) { $Stream.Dispose() }
    $script:LockHeld = $false
}
