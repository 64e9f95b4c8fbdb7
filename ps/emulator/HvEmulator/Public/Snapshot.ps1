# Snapshots of a whole emulated host: the state file and every folder its drives map to, so a
# test can put a host back exactly as it was (files, empty folders and all) and run the next case
# in the same pwsh session (docs/emulator-state.md, "Snapshots"). Nothing is cached in memory:
# every emulated cmdlet reads the state file on each call, so restoring the files is enough; the
# PSDrives are re-made for the drives the restored state has.

function Get-SnapshotDriveRoot {
    # letter -> full local folder of each drive of a state whose file is in $StateDir.
    param([System.Collections.IDictionary]$State, [string]$StateDir)
    $roots = [ordered]@{}
    if ($State.Contains('drives') -and $null -ne $State['drives']) {
        foreach ($letter in @($State['drives'].Keys)) {
            $roots[([string]$letter).ToUpperInvariant()] = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($StateDir, [string]$State['drives'][$letter]))
        }
    }
    $roots
}

function Copy-SnapshotTree {
    # Copies folder $From to $To (which must not exist): every folder, empty ones too, and every file.
    param([string]$From, [string]$To)
    [void][System.IO.Directory]::CreateDirectory($To)
    foreach ($dir in [System.IO.Directory]::GetDirectories($From, '*', [System.IO.SearchOption]::AllDirectories)) {
        [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($To, [System.IO.Path]::GetRelativePath($From, $dir)))
    }
    foreach ($file in [System.IO.Directory]::GetFiles($From, '*', [System.IO.SearchOption]::AllDirectories)) {
        [System.IO.File]::Copy($file, [System.IO.Path]::Combine($To, [System.IO.Path]::GetRelativePath($From, $file)), $false)
    }
}

function Assert-SnapshotOutside {
    param([string]$Snapshot, [string[]]$Roots)
    $s = $Snapshot.TrimEnd('/', '\') + [System.IO.Path]::DirectorySeparatorChar
    foreach ($r in $Roots) {
        $root = $r.TrimEnd('/', '\') + [System.IO.Path]::DirectorySeparatorChar
        if ($s.StartsWith($root, [System.StringComparison]::Ordinal) -or $root.StartsWith($s, [System.StringComparison]::Ordinal)) {
            throw "The snapshot folder '$Snapshot' must not be inside a drive folder of the emulated host ('$r'), nor contain one."
        }
    }
}

function Save-HvEmulatorSnapshot {
    <#
    .SYNOPSIS
    Copies the emulated host (its state file and every drive folder) into -Path, a folder that must not exist yet.
    .DESCRIPTION
    -Path gets state.json (the file as it is), cluster.json (a cluster node's shared cluster file) and drives/<letter>/ (each drive's folder, empty
    folders included). Taken under the state lock, so no emulated cmdlet of another process
    changes the host half-way. -StateFile defaults to $env:HVGUEST_EMULATOR_STATE.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Path,

        [string]
        $StateFile
    )
    $statePath = if ($StateFile) { [System.IO.Path]::GetFullPath($StateFile) } else { Get-StateFilePath }
    $target = [System.IO.Path]::GetFullPath($Path, (Get-Location -PSProvider FileSystem).ProviderPath)
    if ([System.IO.Directory]::Exists($target) -or [System.IO.File]::Exists($target)) {
        throw "The snapshot folder '$target' exists already: give a new folder."
    }
    $lock = Enter-StateLock -Path $statePath
    try {
        $loaded = Read-StateFile -Path $statePath
        $roots = Get-SnapshotDriveRoot -State $loaded.State -StateDir ([System.IO.Path]::GetDirectoryName($statePath))
        Assert-SnapshotOutside -Snapshot $target -Roots @($roots.Values)
        [void][System.IO.Directory]::CreateDirectory($target)
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($target, 'state.json'), $loaded.Text, [System.Text.UTF8Encoding]::new($false))
        # A cluster node's shared cluster file is part of what the host is (ClusterState.ps1).
        $clusterPath = Get-ClusterStatePath -State $loaded.State -StatePath $statePath
        if ($null -ne $clusterPath) { [System.IO.File]::Copy($clusterPath, [System.IO.Path]::Combine($target, 'cluster.json')) }
        foreach ($letter in $roots.Keys) {
            $to = [System.IO.Path]::Combine($target, 'drives', $letter)
            if ([System.IO.Directory]::Exists($roots[$letter])) { Copy-SnapshotTree -From $roots[$letter] -To $to }
        }
    }
    finally {
        Exit-StateLock -Stream $lock
    }
}

function Restore-HvEmulatorSnapshot {
    <#
    .SYNOPSIS
    Puts the emulated host back exactly as Save-HvEmulatorSnapshot found it.
    .DESCRIPTION
    Under the state lock: empties every drive folder of the current state and of the snapshot's,
    copies the snapshot's folders back, then writes the snapshot's state file over the current one
    (temp file + rename). Then maps the PSDrives of the restored state in this process
    (Initialize-HvEmulator). Fault-injection counts are not touched (see Reset-HvEmulatorFault).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Path,

        [string]
        $StateFile
    )
    $statePath = if ($StateFile) { [System.IO.Path]::GetFullPath($StateFile) } else { Get-StateFilePath }
    $source = [System.IO.Path]::GetFullPath($Path, (Get-Location -PSProvider FileSystem).ProviderPath)
    $savedState = [System.IO.Path]::Combine($source, 'state.json')
    if (-not [System.IO.File]::Exists($savedState)) {
        throw "'$source' is not an emulator snapshot (it has no state.json): make one with Save-HvEmulatorSnapshot."
    }
    $stateDir = [System.IO.Path]::GetDirectoryName($statePath)
    $lock = Enter-StateLock -Path $statePath
    try {
        $saved = Read-StateFile -Path $savedState
        $savedRoots = Get-SnapshotDriveRoot -State $saved.State -StateDir $stateDir
        $currentRoots = Get-SnapshotDriveRoot -State (Read-StateFile -Path $statePath).State -StateDir $stateDir
        Assert-SnapshotOutside -Snapshot $source -Roots (@($savedRoots.Values) + @($currentRoots.Values))
        foreach ($root in @(@($currentRoots.Values) + @($savedRoots.Values) | Select-Object -Unique)) {
            if ([System.IO.Directory]::Exists($root)) { [System.IO.Directory]::Delete($root, $true) }
        }
        foreach ($letter in $savedRoots.Keys) {
            $from = [System.IO.Path]::Combine($source, 'drives', $letter)
            if ([System.IO.Directory]::Exists($from)) { Copy-SnapshotTree -From $from -To $savedRoots[$letter] }
        }
        Write-StateFile -Path $statePath -Text $saved.Text
        $savedCluster = [System.IO.Path]::Combine($source, 'cluster.json')
        if ([System.IO.File]::Exists($savedCluster)) {
            Write-StateFile -Path (Get-ClusterStatePath -State $saved.State -StatePath $statePath) -Text ([System.IO.File]::ReadAllText($savedCluster, [System.Text.UTF8Encoding]::new($false)))
        }
    }
    finally {
        Exit-StateLock -Stream $lock
    }
    if (-not [string]::IsNullOrEmpty($env:HVGUEST_EMULATOR_STATE) -and [System.IO.Path]::GetFullPath($env:HVGUEST_EMULATOR_STATE) -eq $statePath) {
        Initialize-HvEmulator -StateFile $statePath
    }
}
