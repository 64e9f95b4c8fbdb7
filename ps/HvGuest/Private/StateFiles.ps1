# The runtime's own files on the host (docs/execution.md section 4): the run journal, the host
# lock, the guest manifests, the host network record, the seed media and the lab records. Every write and every
# delete of them goes through Write-HvStateFile / Remove-HvStateFile, so that:
#
# - a failure names what could not be written, and where (step 'write-<kind>' or
#   'delete-<kind>'), instead of the step that happened to be under way;
# - the parent folder is made on the way (a file where a folder must be is that write's failure);
# - tests can fail any of them by name, as HVGUEST_EMULATOR_FAIL fails emulated cmdlets.
#
# Fault injection (tests only; unset on a real host, where it costs one variable read):
#   HVGUEST_WRITE_FAIL='journal:3,manifest:1' makes the 3rd write-or-delete of a journal and the
#   1st of a manifest, counted per process, throw before the file changes. Kinds: journal, lock,
#   manifest, net-record, seed-media, lab-record. The counters restart whenever the variable's value changes,
#   so one session can sweep every point (set the next spec, run, check, set the next).

$script:HvStateFileKinds = @('journal', 'lock', 'manifest', 'net-record', 'seed-media', 'lab-record')
$script:HvWriteFaultSpec = ''
$script:HvUtf8NoBom = New-Object System.Text.UTF8Encoding($false)
$script:HvWriteFaultCounts = @{}

# Throws the injected fault when HVGUEST_WRITE_FAIL names this call of $Kind.
function Assert-HvWriteAllowed {
    param([string]$Kind, [string]$Operation, [string]$Path)
    $spec = [string]$env:HVGUEST_WRITE_FAIL
    if ($spec -ne $script:HvWriteFaultSpec) {
        $script:HvWriteFaultSpec = $spec
        $script:HvWriteFaultCounts = @{}
    }
    if ($spec.Length -eq 0) { return }
    $count = 1
    if ($script:HvWriteFaultCounts.ContainsKey($Kind)) { $count = $script:HvWriteFaultCounts[$Kind] + 1 }
    $script:HvWriteFaultCounts[$Kind] = $count
    foreach ($entry in $spec.Split(',')) {
        $colon = $entry.LastIndexOf(':')
        if ($colon -lt 1) { continue }
        $nth = 0
        if (-not [int]::TryParse($entry.Substring($colon + 1).Trim(), [ref]$nth)) { continue }
        if ($entry.Substring(0, $colon).Trim() -eq $Kind -and $nth -eq $count) {
            throw (New-Object System.IO.IOException(("Injected fault (HVGUEST_WRITE_FAIL={0}): {1} {2} of the {3} failed before changing {4}" -f $spec, $Operation, $count, $Kind, $Path)))
        }
    }
}

function Assert-HvStateFileKind {
    param([string]$Kind)
    if ($script:HvStateFileKinds -notcontains $Kind) { throw (New-HvError -Message ("unknown state file kind '{0}'" -f $Kind) -Category 'InvalidArgument') }
}

# The failure of a state file operation, as a person reads it: what, where, and the OS's words.
function New-HvStateFileError {
    param([string]$Kind, [string]$Operation, [string]$Path, $ErrorRecord)
    $verb = $(if ($Operation -eq 'delete') { 'delete' } else { 'write' })
    $message = '{0} the {1} {2}: {3}' -f $(if ($verb -eq 'delete') { 'could not delete' } else { 'could not write' }), $Kind, $Path, (Get-HvErrorMessage -ErrorRecord $ErrorRecord)
    return (New-HvError -Step ('{0}-{1}' -f $verb, $Kind) -Cmdlet $null -Message $message -Category 'WriteError')
}

# Writes a whole file (text as UTF-8 without BOM, or bytes) so that a reader sees the old content
# or the new, never half of it; makes its folder first.
function Write-HvStateFile {
    param([string]$Kind, [string]$Path, [string]$Text, [byte[]]$Bytes)
    Assert-HvStateFileKind -Kind $Kind
    try {
        Assert-HvWriteAllowed -Kind $Kind -Operation 'write' -Path $Path
        New-HvDirectoryQuiet -Path (Get-HvParentPath -Path $Path)
        if ($PSBoundParameters.ContainsKey('Bytes')) { [System.IO.File]::WriteAllBytes((Get-HvProviderPath -Path $Path), $Bytes) }
        else { Write-HvTextFile -Path $Path -Text $Text }
    } catch {
        throw (New-HvStateFileError -Kind $Kind -Operation 'write' -Path $Path -ErrorRecord $_)
    }
}

# Creates a file that must not exist yet (FileMode.CreateNew: of two writers exactly one wins).
# Returns $false when it exists already; throws for any other failure.
function New-HvStateFileExclusive {
    param([string]$Kind, [string]$Path, [byte[]]$Bytes)
    Assert-HvStateFileKind -Kind $Kind
    $stream = $null
    try {
        Assert-HvWriteAllowed -Kind $Kind -Operation 'write' -Path $Path
        New-HvDirectoryQuiet -Path (Get-HvParentPath -Path $Path)
        $provider = Get-HvProviderPath -Path $Path
        # CreateNew fails when the file exists; the holder may delete it between that failure and
        # the check below, so a failure with no file behind it is tried again (a few times: any
        # other cause fails the same way each time and is thrown).
        for ($attempt = 1; $null -eq $stream; $attempt++) {
            try {
                $stream = [System.IO.File]::Open($provider, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
            } catch [System.IO.IOException] {
                if ([System.IO.File]::Exists($provider)) { return $false }
                if ($attempt -ge 5) { throw }
            }
        }
        $stream.Write($Bytes, 0, $Bytes.Length)
        $stream.Flush()
        return $true
    } catch {
        throw (New-HvStateFileError -Kind $Kind -Operation 'write' -Path $Path -ErrorRecord $_)
    } finally {
        if ($null -ne $stream) { $stream.Dispose() }
    }
}

# Appends text (whole lines) to a state file that exists (the journal): one write, flushed to the OS before it
# returns, so a process killed after it returns leaves the text in the file. A process killed
# DURING it may leave a torn last line, which the reader (Open-HvJournal) tolerates; it is one
# write of its kind for HVGUEST_WRITE_FAIL, like a whole-file write.
function Add-HvStateFileText {
    param([string]$Kind, [string]$Path, [string]$Text)
    Assert-HvStateFileKind -Kind $Kind
    $stream = $null
    try {
        Assert-HvWriteAllowed -Kind $Kind -Operation 'write' -Path $Path
        $bytes = $script:HvUtf8NoBom.GetBytes($Text)
        # Open, not Append: a file that is gone (another session finished the run) is an error, not
        # a new file without its first line.
        $stream = [System.IO.File]::Open((Get-HvProviderPath -Path $Path), [System.IO.FileMode]::Open, [System.IO.FileAccess]::Write, [System.IO.FileShare]::Read)
        [void]$stream.Seek(0, [System.IO.SeekOrigin]::End)
        $stream.Write($bytes, 0, $bytes.Length)
        $stream.Flush()
    } catch {
        throw (New-HvStateFileError -Kind $Kind -Operation 'write' -Path $Path -ErrorRecord $_)
    } finally {
        if ($null -ne $stream) { $stream.Dispose() }
    }
}

# Deletes the file if it is there. Returns $true when it was deleted.
function Remove-HvStateFile {
    param([string]$Kind, [string]$Path)
    Assert-HvStateFileKind -Kind $Kind
    if (-not (Test-HvFile -Path $Path)) { return $false }
    try {
        Assert-HvWriteAllowed -Kind $Kind -Operation 'delete' -Path $Path
        Remove-Item -LiteralPath $Path -Force
    } catch {
        throw (New-HvStateFileError -Kind $Kind -Operation 'delete' -Path $Path -ErrorRecord $_)
    }
    return $true
}
